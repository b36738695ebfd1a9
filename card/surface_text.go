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
// of both applications is cleared before the card is let go.
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
			return err
		}
		if err := s.checkLastTry(TextPIN, n); err != nil {
			return err
		}
		if sf, err = s.readSurface(ctx, k, prompt); err != nil {
			return err
		}
		if sig, err = s.signChallenge(ctx, challenge); err != nil {
			return err
		}
		txt, err = s.readText(ctx, TextPIN, TextBasicField, textPrompt)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return sf, sig, txt, nil
}
