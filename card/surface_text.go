package card

import (
	"context"
	"fmt"
)

// ReadSurfaceProvingText is ReadSurfaceProving that also reads, in the
// same transaction, the holder's name, address, birth date and sex as
// text: the text application's basic four (EF 0002) with the holder's
// 4-digit text PIN (TextPIN), its integrity record (EF 0003) and its
// card-verifiable certificate (EF 0004). The Individual Number (text
// EF 0001) is not read, so the record's Fields is TextBasicField only;
// verify it with TextRecord.Verify.
//
// The text PIN's tries are read before anything else, so that a blocked
// PIN, or a last try the options do not allow, refuses before k is asked
// for; they are read again, as for every PIN, right before textPrompt is
// called. Everything comes from one card session, and the security state
// of both applications is cleared before the card is let go. Every error
// of the text part is a *PINKindError with Kind TextPIN, so that a caller
// can tell which of the two PINs a blocked PIN or a refused last try is.
func (a *SurfaceApp) ReadSurfaceProvingText(ctx context.Context, k PINKind, prompt PINPrompt, challenge []byte, textPrompt PINPrompt) (*Surface, []byte, *TextRecord, error) {
	if k != SurfacePINA && k != SurfacePINB {
		return nil, nil, nil, fmt.Errorf("reading card surface: the %s does not open it", k)
	}
	if err := checkChallenge(challenge); err != nil {
		return nil, nil, nil, err
	}
	if textPrompt == nil {
		return nil, nil, nil, fmt.Errorf("reading card surface and text: no prompt for the %s", TextPIN)
	}
	var (
		sf  *Surface
		sig []byte
		txt *TextRecord
	)
	err := a.c.transact(ctx, "reading card surface and text", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidText); err != nil {
			return err
		}
		n, err := s.triesLeft(ctx, TextPIN)
		if err != nil {
			return &PINKindError{Kind: TextPIN, Err: err}
		}
		if err := s.checkLastTry(TextPIN, n); err != nil {
			return &PINKindError{Kind: TextPIN, Err: err}
		}
		if sf, err = s.readSurface(ctx, k, prompt); err != nil {
			return err
		}
		if sig, err = s.signChallenge(ctx, challenge); err != nil {
			return err
		}
		if txt, err = s.readText(ctx, TextPIN, TextBasicField, textPrompt); err != nil {
			return &PINKindError{Kind: TextPIN, Err: err}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return sf, sig, txt, nil
}

// PINKindError says which PIN an error is about, where an operation asks
// for two and the error does not say it itself (ErrPINBlocked and
// ErrLastTry name no PIN; a *PINError does). errors.Is and errors.As see
// through it.
type PINKindError struct {
	Kind PINKind
	Err  error
}

// Error returns Err's message.
func (e *PINKindError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *PINKindError) Unwrap() error { return e.Err }
