package main

// Messages of the counter's wording: the insurer's own terms in qualify,
// the eligibility import's row-by-row errors, verify's revocation lines and
// the small words of status, enrolment, sign, cert, watch and serve. Kept
// apart from messages.go so that each list stays easy to merge; the same
// rules apply (an English and a Japanese text with the same verbs).
const (
	msgFieldQualLostOn        msgKey = "cli.qualify.lost_on"
	msgFieldInsuranceCard     msgKey = "cli.qualify.insurance_card_valid"
	msgInsuranceCardExpired   msgKey = "cli.qualify.insurance_card_expired"
	msgStatusCardExpired      msgKey = "cli.qualify.status_card_expired"
	msgInsuranceCardExpiredOn msgKey = "cli.qualify.insurance_card_expired_on"
	msgHintInsuranceCard      msgKey = "cli.hint.insurance_card_expired"
)

// clerkMessages is the counter-wording part of the CLI's catalog.
func clerkMessages() []cliMessage {
	return []cliMessage{
		{msgFieldQualLostOn, "Qualification lost on", "資格喪失年月日"},
		{msgFieldInsuranceCard, "Insurance card valid until", "保険証の有効期限"},
		{msgInsuranceCardExpired, "%s (expired)", "%s（期限切れ）"},
		{msgStatusCardExpired, "validity status %d, but the insurance card has expired", "有効性 %d。ただし保険証の有効期限が切れています"},
		{msgInsuranceCardExpiredOn, "the insurance card's validity ended on %s", "保険証の有効期限（%s）が切れています"},
		{msgHintInsuranceCard, "ask for a current insurance card or confirm the qualification with the insurer before accepting it for insurance treatment", "有効期限内の保険証を確認するか、保険者に資格を確認するまで、保険診療の受付はしないでください"},
	}
}
