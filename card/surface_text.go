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
	if textPrompt == nil {
		return nil, nil, nil, fmt.Errorf("reading card surface and text: no prompt for the %s", TextPIN)
	}
	p, err := a.readChip(ctx, k, prompt, challenge, textPrompt, false)
	if err != nil {
		return nil, nil, nil, err
	}
	return p.Surface, p.Signature, p.Text, nil
}

// ChipProof is what ReadChipProving reads in one card transaction.
type ChipProof struct {
	// Surface is the card face and Signature the chip's answer to the
	// challenge (see ReadSurfaceProving).
	Surface   *Surface
	Signature []byte
	// Text is the basic four read with the text PIN (see
	// ReadSurfaceProvingText), nil when no text prompt was given.
	Text *TextRecord
	// AuthCert is the JPKI user-authentication certificate (DER), nil
	// when it could not be read; AuthCertErr then says why.
	AuthCert    []byte
	AuthCertErr error
}

// ReadChipProving reads, in one card transaction, the JPKI
// user-authentication certificate (free to read) first, then what
// ReadSurfaceProving reads, and, when textPrompt is not nil, what
// ReadSurfaceProvingText adds: the certificate whose revocation the
// caller checks, the card face, the chip's answer and the text all come
// from the same card. A certificate that cannot be read does not fail the
// read (ChipProof.AuthCertErr): the caller refuses what it cannot check.
func (a *SurfaceApp) ReadChipProving(ctx context.Context, k PINKind, prompt PINPrompt, challenge []byte, textPrompt PINPrompt) (*ChipProof, error) {
	return a.readChip(ctx, k, prompt, challenge, textPrompt, true)
}

func (a *SurfaceApp) readChip(ctx context.Context, k PINKind, prompt PINPrompt, challenge []byte, textPrompt PINPrompt, withCert bool) (*ChipProof, error) {
	if k != SurfacePINA && k != SurfacePINB {
		return nil, fmt.Errorf("reading card surface: the %s does not open it", k)
	}
	if err := checkChallenge(challenge); err != nil {
		return nil, err
	}
	p := &ChipProof{}
	err := a.c.transact(ctx, "reading card surface", func(ctx context.Context, s *session) error {
		if withCert {
			if err := s.selectApp(ctx, aidJPKI); err != nil {
				return err
			}
			if p.AuthCert, p.AuthCertErr = s.readCert(ctx, authCert); p.AuthCertErr != nil && ctx.Err() != nil {
				return p.AuthCertErr
			}
		}
		if textPrompt != nil {
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
		}
		var err error
		if p.Surface, err = s.readSurface(ctx, k, prompt); err != nil {
			return err
		}
		if p.Signature, err = s.signChallenge(ctx, challenge); err != nil {
			return err
		}
		if textPrompt != nil {
			if p.Text, err = s.readText(ctx, TextPIN, TextBasicField, textPrompt); err != nil {
				return &PINKindError{Kind: TextPIN, Err: err}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
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

// AgeProof is what ReadAgeProvingAuthCert reads in one card transaction.
type AgeProof struct {
	// Record is the age record (surface EF 0001) and Signature the
	// chip's answer to the challenge (see ReadAgeProving).
	Record    *AgeRecord
	Signature []byte
	// AuthCert is the JPKI user-authentication certificate (DER), nil
	// when it could not be read; AuthCertErr then says why.
	AuthCert    []byte
	AuthCertErr error
}

// ReadAgeProvingAuthCert is ReadAgeProving that also reads, first and in
// the same transaction, the JPKI user-authentication certificate (EF 000A,
// free to read): the certificate whose revocation the caller checks is
// then the same card's as the age record. A certificate that cannot be
// read does not fail the read (AgeProof.AuthCertErr): the caller refuses
// what it cannot check.
func (a *SurfaceApp) ReadAgeProvingAuthCert(ctx context.Context, prompt PINPrompt, challenge []byte) (*AgeProof, error) {
	if err := checkChallenge(challenge); err != nil {
		return nil, err
	}
	p := &AgeProof{}
	err := a.c.transact(ctx, "reading age record", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		p.AuthCert, p.AuthCertErr = s.readCert(ctx, authCert)
		if p.AuthCertErr != nil && ctx.Err() != nil {
			return p.AuthCertErr
		}
		var err error
		if p.Record, err = s.readAge(ctx, prompt); err != nil {
			return err
		}
		p.Signature, err = s.signChallenge(ctx, challenge)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
