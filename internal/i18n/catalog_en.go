package i18n

// englishEntries is the English catalog. Errors and hints follow the
// CLI's output rules: lowercase, no final period; prompts and prefixes
// end without punctuation, the CLI appends Colon.
func englishEntries() []entry {
	return []entry{
		// PIN entry.
		text(LabelSigningPassword, "signing password"),
		text(LabelAuthPIN, "user-authentication PIN"),
		text(LabelTextPIN, "card-information PIN"),
		text(LabelPINA, "verification number A (the 12-digit Individual Number)"),
		text(LabelPINB, "verification number B (birth date, expiry year and security code)"),
		counted(PromptSigningPassword, 1, "Enter the signing password (%d try left)", "Enter the signing password (%d tries left)"),
		counted(PromptAuthPIN, 1, "Enter the 4-digit user-authentication PIN (%d try left)", "Enter the 4-digit user-authentication PIN (%d tries left)"),
		counted(PromptTextPIN, 1, "Enter the 4-digit card-information PIN (%d try left)", "Enter the 4-digit card-information PIN (%d tries left)"),
		counted(PromptPIN, 2, "Enter the %s (%d try left)", "Enter the %s (%d tries left)"),
		text(PromptPINUnknownTries, "Enter the %s"),
		text(PromptNewPIN, "Enter the new %s"),
		text(PromptConfirmPIN, "Enter the new %s again to confirm"),
		text(WarnLastTry, "this is the last try; a wrong %s now blocks it"),
		text(ErrLastTryRefused, "only one try is left for the %s: refusing to use it"),
		counted(ErrWrongPIN, 2, "wrong %s: %d try left", "wrong %s: %d tries left"),
		text(ErrPINBlocked, "the %s is blocked: the holder must have it reset at the municipal office"),
		text(ErrPINMismatch, "the two entries of the new %s do not match"),
		text(ErrSigningPasswordFormat, "the signing password is 6 to 16 characters, letters A–Z and digits 0–9"),
		text(ErrFourDigitPINFormat, "the PIN is 4 digits"),
		text(ErrPINInputTerminal, "the PIN input is a terminal and would show the PIN"),
		text(PINChanged, "the %s has been changed"),
		counted(PINTriesLeft, 2, "%s: %d try left", "%s: %d tries left"),

		// Verdicts.
		text(SignatureValid, "signature valid"),
		text(SignatureInvalid, "signature invalid"),
		text(ChainPinnedRoot, "certificate chains to the pinned root %s"),
		text(ChainFailed, "certificate does not chain to a pinned root"),
		text(NotRevoked, "not revoked (status as of %s)"),
		text(RevocationUnknown, "revocation status unknown: no CRL or OCSP answer covers this certificate"),
		text(RevokedAffiliationChanged, "revoked: registration changed — ask the holder to identify again"),
		text(RevokedSuperseded, "revoked: superseded by a renewed certificate"),
		text(RevokedKeyCompromise, "revoked: the key was compromised"),
		text(RevokedCACompromise, "revoked: the issuing authority was compromised"),
		text(RevokedCessationOfOperation, "revoked: no longer needed (cessation of operation)"),
		text(RevokedCertificateHold, "revoked: certificate on hold"),
		text(RevokedUnspecified, "revoked: no reason given"),
		text(Identified, "identified"),
		text(SameHolder, "same card holder as enrolled"),
		text(VerificationFailed, "verification failed"),
		text(RegistrationResolved, "registration change resolved: the new certificate is linked to the enrolment"),
		text(NoChange, "no change: the enrolled certificate is still valid"),

		// Eligibility.
		text(EligibilityValid, "valid"),
		text(EligibilityInvalid, "invalid"),
		text(EligibilityInvalidNewer, "invalid: a newer qualification exists"),
		text(EligibilityNone, "no qualification found"),
		text(EligibilitySeveral, "several qualifications found"),
		text(EligibilityValidUnregistered, "valid, but the card is not registered for this use"),

		// Card and reader.
		text(CardRemoved, "the card was removed"),
		text(NoReader, "no card reader found"),
		text(NotMyNumberCard, "the card is not an Individual Number Card"),
		text(WaitingForCard, "Place the card on the reader (waiting up to %d seconds)"),
		text(CardTimeout, "no card was placed on the reader within %d seconds"),
		text(ReaderNotFound, "no reader matches %q"),

		// Substitute characters.
		text(SubstituteInName, "the name contains substitute characters (position %s): compare with the card face"),
		text(SubstituteInAddress, "the address contains substitute characters (position %s): compare with the card face"),

		// Fields.
		text(FieldName, "Name"),
		text(FieldAddress, "Address"),
		text(FieldBirthDate, "Date of birth"),
		text(FieldSex, "Sex"),
		text(SexMale, "male"),
		text(SexFemale, "female"),
		text(SexUnknown, "unknown"),
		text(DateUnknown, "unknown"),
		text(DateBoth, "%s (%s)"),
		text(FieldIndividualNumber, "Individual Number"),
		text(FieldInsurerNumber, "Insurer number"),
		text(FieldCardSymbol, "Insured card symbol"),
		text(FieldCardNumber, "Insured card number"),
		text(FieldBranchNumber, "Branch number"),
		text(FieldQualificationStart, "Qualified from"),
		text(FieldQualificationEnd, "Qualified until"),
		text(FieldCopaymentRatio, "Copayment ratio"),
		text(FieldEligibility, "Eligibility"),
		text(FieldCertificateExpiry, "Certificate valid until"),
		text(CompareOld, "before"),
		text(CompareNew, "after"),
		text(CompareSame, "same"),
		text(CompareDiffers, "differs"),

		// Prefixes.
		text(PrefixError, "error"),
		text(PrefixWarning, "warning"),
		text(PrefixHint, "hint"),
		text(Colon, ": "),

		// Hints and exit codes.
		text(HintPlaceCard, "place the card on the reader and try again"),
		text(HintCheckReader, "check that the reader is connected and pcscd is running"),
		text(HintMunicipalOffice, "the holder can reset a blocked PIN at the municipal office"),
		text(HintIdentifyAgain, "ask the holder to identify again with the new signing certificate"),
		text(HintAllowLastTry, "to use the last try anyway, run again with --allow-last-try"),
		text(HintUsage, "run 'mynacard %s --help' for usage"),
		text(HintRevocationConfig, "configure a CRL file or an OCSP responder URL"),
		text(ExitOK, "ok"),
		text(ExitVerificationFailed, "verification failed"),
		text(ExitRevoked, "certificate revoked"),
		text(ExitNotEligible, "not eligible"),
		text(ExitCardProblem, "card or reader problem"),
		text(ExitUsage, "usage error"),
	}
}
