package pinentry

import "github.com/mynacard/mynacard/internal/i18n"

// Step says which entry a prompt asks for.
type Step int

const (
	// StepCurrent asks for the PIN as it is now, before a VERIFY.
	StepCurrent Step = iota
	// StepNew asks for the new PIN of a change.
	StepNew
	// StepConfirm asks for the new PIN a second time.
	StepConfirm
)

// UnknownRemaining is passed as remaining when the card did not say how
// many tries are left (for example a key with no retry limit, 63 00).
const UnknownRemaining = -1

// Prompt is what a [PromptFunc] is asked to phrase.
type Prompt struct {
	Step Step
	// Label names the secret, for example "signing password".
	Label string
	// Remaining is the number of tries left, or UnknownRemaining. It is
	// only meaningful for StepCurrent.
	Remaining int
}

// LastTry reports whether the prompt is for the last try before the PIN
// blocks.
func (p Prompt) LastTry() bool { return p.Step == StepCurrent && p.Remaining == 1 }

// PromptFunc phrases a prompt for the terminal.
type PromptFunc func(Prompt) string

// DefaultPrompt phrases p in English; it is LocalizedPrompt with the
// English catalog.
func DefaultPrompt(p Prompt) string {
	return LocalizedPrompt(i18n.New(i18n.English))(p)
}

// LocalizedPrompt returns a PromptFunc that phrases prompts from the
// CLI's message catalog in p's language: the label is used as given (the
// CLI passes a localized one, such as i18n.LabelSigningPassword), the
// tries left are stated, and on the last try a warning line precedes the
// prompt.
func LocalizedPrompt(p *i18n.Printer) PromptFunc {
	colon := p.Sprintf(i18n.Colon)
	return func(pr Prompt) string {
		switch {
		case pr.Step == StepNew:
			return p.Sprintf(i18n.PromptNewPIN, pr.Label) + colon
		case pr.Step == StepConfirm:
			return p.Sprintf(i18n.PromptConfirmPIN, pr.Label) + colon
		case pr.Remaining < 0:
			return p.Sprintf(i18n.PromptPINUnknownTries, pr.Label) + colon
		}
		prompt := p.Sprintf(i18n.PromptPIN, pr.Label, pr.Remaining) + colon
		if pr.LastTry() {
			prompt = p.Sprintf(i18n.PrefixWarning) + colon + p.Sprintf(i18n.WarnLastTry, pr.Label) + "\n" + prompt
		}
		return prompt
	}
}
