package jpki

import (
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
)

// ReadAuthCertificate reads and parses the user-authentication certificate
// (EF 000A, free to read on the card).
func ReadAuthCertificate(ctx context.Context, j *card.JPKI) (*Certificate, error) {
	der, err := j.ReadCertificate(ctx, card.AuthKey)
	if err != nil {
		return nil, fmt.Errorf("reading authentication certificate: %w", err)
	}
	return Parse(der)
}

// ReadSignCertificate reads and parses the signing certificate (EF 0001),
// which the card releases only after the signing password: prompt is asked
// for it, under card.JPKI's PIN rules.
func ReadSignCertificate(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (*Certificate, error) {
	der, err := j.ReadSignCertificate(ctx, prompt)
	if err != nil {
		return nil, fmt.Errorf("reading signing certificate: %w", err)
	}
	return Parse(der)
}

// AddFromCard reads the card's two CA certificates (EF 0002 signing CA,
// EF 000B authentication CA) and accepts each that matches a pin, as
// SourceCard. A CA certificate matching no pin (a test card, or the
// unpinned generation-2 authentication root) is not added, and the error
// (wrapping ErrNotPinned) says so; the ones that matched are added even
// so.
func (r *Roots) AddFromCard(ctx context.Context, j *card.JPKI) ([]*Root, error) {
	var added []*Root
	var errs []error
	for _, k := range []card.KeyKind{card.SignKey, card.AuthKey} {
		f := "authentication CA certificate"
		if k == card.SignKey {
			f = "signing CA certificate"
		}
		der, err := j.ReadCACertificate(ctx, k)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading %v: %w", f, err))
			continue
		}
		root, err := r.AddCertificate(der, SourceCard)
		if err != nil {
			errs = append(errs, fmt.Errorf("%v: %w", f, err))
			continue
		}
		added = append(added, root)
	}
	if err := errors.Join(errs...); err != nil {
		return added, fmt.Errorf("adding roots from the card: %w", err)
	}
	return added, nil
}
