package pinentry

import "fmt"

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

// PromptFunc phrases a prompt for the terminal. The CLI passes one built
// on its message catalog; [DefaultPrompt] is English.
type PromptFunc func(Prompt) string

// DefaultPrompt phrases p in English, warning on the last try, following
// the CLI's output rules (lowercase warnings, prompts end in ": ").
func DefaultPrompt(p Prompt) string {
	switch p.Step {
	case StepNew:
		return fmt.Sprintf("Enter the new %s: ", p.Label)
	case StepConfirm:
		return fmt.Sprintf("Enter the new %s again: ", p.Label)
	}
	switch {
	case p.Remaining < 0:
		return fmt.Sprintf("Enter the %s: ", p.Label)
	case p.Remaining == 1:
		return fmt.Sprintf("warning: this is the last try; a wrong %s now blocks it\nEnter the %s (1 try left): ", p.Label, p.Label)
	default:
		return fmt.Sprintf("Enter the %s (%d tries left): ", p.Label, p.Remaining)
	}
}
