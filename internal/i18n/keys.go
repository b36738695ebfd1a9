package i18n

// Key identifies a message. Its string value is stable: tests, scripts
// and translators refer to it, so rename a Key's Go name freely but never
// its value.
type Key string

// PIN entry. Labels name the three PINs for use inside other messages.
const (
	LabelSigningPassword Key = "pin.label.sign"
	LabelAuthPIN         Key = "pin.label.auth"
	LabelTextPIN         Key = "pin.label.text"
	// LabelPINA is 照合番号A: the 12-digit Individual Number.
	LabelPINA Key = "pin.label.pin_a"
	// LabelPINB is 照合番号B: birth date (era YYMMDD), card expiry year
	// and security code, 14 digits.
	LabelPINB Key = "pin.label.pin_b"

	// PromptSigningPassword takes the tries left (%d).
	PromptSigningPassword Key = "pin.prompt.sign"
	// PromptAuthPIN takes the tries left (%d).
	PromptAuthPIN Key = "pin.prompt.auth"
	// PromptTextPIN takes the tries left (%d).
	PromptTextPIN Key = "pin.prompt.text"
	// PromptPIN takes a label (%s) and the tries left (%d).
	PromptPIN Key = "pin.prompt.generic"
	// PromptPINUnknownTries takes a label (%s).
	PromptPINUnknownTries Key = "pin.prompt.generic.unknown_tries"
	// PromptNewPIN takes a label (%s).
	PromptNewPIN Key = "pin.prompt.new"
	// PromptConfirmPIN takes a label (%s).
	PromptConfirmPIN Key = "pin.prompt.confirm"
	// WarnLastTry takes a label (%s): shown after PrefixWarning above the
	// prompt when one try remains.
	WarnLastTry Key = "pin.warn.last_try"
	// ErrLastTryRefused takes a label (%s).
	ErrLastTryRefused Key = "pin.error.last_try_refused"
	// ErrWrongPIN takes a label (%s) and the tries left (%d).
	ErrWrongPIN Key = "pin.error.wrong"
	// ErrPINBlocked takes a label (%s).
	ErrPINBlocked Key = "pin.error.blocked"
	// ErrPINMismatch takes a label (%s).
	ErrPINMismatch Key = "pin.error.mismatch"
	// ErrSigningPasswordFormat: 6–16 characters A–Z, 0–9.
	ErrSigningPasswordFormat Key = "pin.error.format.sign"
	// ErrFourDigitPINFormat: 4 digits.
	ErrFourDigitPINFormat Key = "pin.error.format.digits4"
	// ErrPINInputTerminal: --pin-stdin or --pin-fd given a terminal.
	ErrPINInputTerminal Key = "pin.error.input_terminal"
	// PINChanged takes a label (%s).
	PINChanged Key = "pin.changed"
	// PINTriesLeft takes a label (%s) and the tries left (%d).
	PINTriesLeft Key = "pin.status.tries_left"
)

// Verdicts of identify, qualify and changes.
const (
	SignatureValid   Key = "verdict.signature.valid"
	SignatureInvalid Key = "verdict.signature.invalid"
	// ChainPinnedRoot takes the root's name (%s).
	ChainPinnedRoot Key = "verdict.chain.pinned_root"
	ChainFailed     Key = "verdict.chain.failed"
	// NotRevoked takes the time the status was produced (%s).
	NotRevoked        Key = "verdict.revocation.good"
	RevocationUnknown Key = "verdict.revocation.unknown"

	RevokedAffiliationChanged   Key = "verdict.revoked.affiliationChanged"
	RevokedSuperseded           Key = "verdict.revoked.superseded"
	RevokedKeyCompromise        Key = "verdict.revoked.keyCompromise"
	RevokedCACompromise         Key = "verdict.revoked.cACompromise"
	RevokedCessationOfOperation Key = "verdict.revoked.cessationOfOperation"
	RevokedCertificateHold      Key = "verdict.revoked.certificateHold"
	RevokedUnspecified          Key = "verdict.revoked.unspecified"

	Identified Key = "verdict.identified"
	// SameHolder is the authentication-key identify result.
	SameHolder         Key = "verdict.same_holder"
	VerificationFailed Key = "verdict.failed"
	// RegistrationResolved: the new certificate was linked to the
	// enrolment.
	RegistrationResolved Key = "verdict.registration_resolved"
	// NoChange: the enrolled certificate is still good.
	NoChange Key = "verdict.no_change"
)

// Eligibility statuses 1–6 of qualify (資格確認).
const (
	EligibilityValid             Key = "eligibility.1.valid"
	EligibilityInvalid           Key = "eligibility.2.invalid"
	EligibilityInvalidNewer      Key = "eligibility.3.invalid_newer"
	EligibilityNone              Key = "eligibility.4.none"
	EligibilitySeveral           Key = "eligibility.5.several"
	EligibilityValidUnregistered Key = "eligibility.6.valid_unregistered"
)

// Card and reader conditions.
const (
	CardRemoved     Key = "card.removed"
	NoReader        Key = "card.no_reader"
	NotMyNumberCard Key = "card.not_mynumber"
	// WaitingForCard takes the timeout in seconds (%d).
	WaitingForCard Key = "card.waiting"
	// CardTimeout takes the timeout in seconds (%d).
	CardTimeout Key = "card.timeout"
	// ReaderNotFound takes the reader name or index given (%s).
	ReaderNotFound Key = "card.reader_not_found"
)

// Substitute characters (代替文字) in the signing certificate.
const (
	// SubstituteInName takes the 1-based positions (%s).
	SubstituteInName Key = "substitute.name"
	// SubstituteInAddress takes the 1-based positions (%s).
	SubstituteInAddress Key = "substitute.address"
)

// Attribute labels and values shown with the holder's data.
const (
	FieldName      Key = "field.name"
	FieldAddress   Key = "field.address"
	FieldBirthDate Key = "field.birth_date"
	FieldSex       Key = "field.sex"
	SexMale        Key = "sex.male"
	SexFemale      Key = "sex.female"
	SexUnknown     Key = "sex.unknown" // JPKI sex code 3
	// DateUnknown is shown for an era code 0 birth date's era, never a
	// guess.
	DateUnknown Key = "date.unknown"
	// DateBoth takes the Gregorian date (%s) and the era date (%s).
	DateBoth Key = "date.both"

	FieldIndividualNumber   Key = "field.individual_number"
	FieldInsurerNumber      Key = "field.insurer_number"
	FieldCardSymbol         Key = "field.card_symbol"
	FieldCardNumber         Key = "field.card_number"
	FieldBranchNumber       Key = "field.branch_number"
	FieldQualificationStart Key = "field.qualification_start"
	FieldQualificationEnd   Key = "field.qualification_end"
	FieldCopaymentRatio     Key = "field.copayment_ratio"
	FieldEligibility        Key = "field.eligibility"
	FieldCertificateExpiry  Key = "field.certificate_expiry"

	// CompareOld and CompareNew head the columns of a registration
	// change; CompareSame and CompareDiffers mark each row.
	CompareOld     Key = "compare.old"
	CompareNew     Key = "compare.new"
	CompareSame    Key = "compare.same"
	CompareDiffers Key = "compare.differs"
)

// Line prefixes and separators of the CLI's output.
const (
	PrefixError   Key = "prefix.error"
	PrefixWarning Key = "prefix.warning"
	PrefixHint    Key = "prefix.hint"
	// Colon follows a prefix and ends a prompt: ": " or "：".
	Colon Key = "punct.colon"
)

// Hints that end a one-line error, one per exit code and common cause.
const (
	HintPlaceCard        Key = "hint.place_card"
	HintCheckReader      Key = "hint.check_reader"
	HintMunicipalOffice  Key = "hint.municipal_office"
	HintIdentifyAgain    Key = "hint.identify_again"
	HintAllowLastTry     Key = "hint.allow_last_try"
	HintUsage            Key = "hint.usage" // takes the command name (%s)
	HintRevocationConfig Key = "hint.revocation_config"

	ExitOK                 Key = "exit.ok"
	ExitVerificationFailed Key = "exit.verification_failed"
	ExitRevoked            Key = "exit.revoked"
	ExitNotEligible        Key = "exit.not_eligible"
	ExitCardProblem        Key = "exit.card_problem"
	ExitUsage              Key = "exit.usage"
)

// RevokedKey returns the message for a CRLReason by its RFC 5280 name
// ("affiliationChanged", "superseded", "keyCompromise", "cACompromise",
// "cessationOfOperation", "certificateHold", "unspecified"); ok is false
// for other names, for which the caller shows RevokedUnspecified.
func RevokedKey(reason string) (k Key, ok bool) {
	switch reason {
	case "affiliationChanged":
		return RevokedAffiliationChanged, true
	case "superseded":
		return RevokedSuperseded, true
	case "keyCompromise":
		return RevokedKeyCompromise, true
	case "cACompromise":
		return RevokedCACompromise, true
	case "cessationOfOperation":
		return RevokedCessationOfOperation, true
	case "certificateHold":
		return RevokedCertificateHold, true
	case "unspecified":
		return RevokedUnspecified, true
	}
	return RevokedUnspecified, false
}

// EligibilityKey returns the message for an eligibility validity status
// 1–6 (docs/certificates.md "Qualification confirmation"); ok is false otherwise.
func EligibilityKey(status int) (k Key, ok bool) {
	switch status {
	case 1:
		return EligibilityValid, true
	case 2:
		return EligibilityInvalid, true
	case 3:
		return EligibilityInvalidNewer, true
	case 4:
		return EligibilityNone, true
	case 5:
		return EligibilitySeveral, true
	case 6:
		return EligibilityValidUnregistered, true
	}
	return "", false
}
