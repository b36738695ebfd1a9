package pcscpath

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// readerKinds are the reader paths every certificate test runs on: a
// short-APDU reader (the library told so, and a card that refuses extended
// length), an extended-length one, and a reader declared extended in front
// of a card that refuses it (the fallback to short APDUs).
var readerKinds = []struct {
	name     string
	extended bool
	opts     card.Options
	cardOpts []virtual.Option
	// refused: the reader is declared extended but the card refuses it.
	refused bool
}{
	{"short", false, card.Options{Extended: card.ExtendedNever}, []virtual.Option{virtual.WithoutExtendedLength()}, false},
	{"extended", true, card.Options{}, nil, false},
	{"extended-refused", true, card.Options{}, []virtual.Option{virtual.WithoutExtendedLength()}, true},
}

// TestReadCertificates reads all four certificates through pcscd and
// compares them byte for byte with the holder's, on every reader kind. The
// signing certificate is unreadable before the signing password (security
// status not satisfied, no try spent) and readable with it.
func TestReadCertificates(t *testing.T) {
	h := jpkitest.DefaultHolder()
	free := []struct {
		f    certEF
		want []byte
	}{
		{authCertEF, h.AuthCert.Raw},
		{authCACertEF, h.AuthCA.Raw},
		{signCACertEF, h.SignCA.Raw},
	}
	for _, rk := range readerKinds {
		t.Run(rk.name, func(t *testing.T) {
			r := newRig(t, rigConfig{extended: rk.extended, opts: rk.opts, cardOpts: rk.cardOpts})
			ctx := ctxT(t)
			for _, c := range free {
				der, err := readCertEF(ctx, r.j, c.f)
				if err != nil {
					t.Fatalf("ReadCertificate(%v): %v", c.f, err)
				}
				if !bytes.Equal(der, c.want) {
					t.Errorf("ReadCertificate(%v): %d bytes that differ from the holder's %d", c.f, len(der), len(c.want))
				}
			}

			// Before the signing password: refused by the card, no try spent.
			der, err := r.j.ReadCertificate(ctx, card.SignKey)
			if !errors.Is(err, apdu.ErrSecurityStatus) || der != nil {
				t.Fatalf("ReadCertificate(SignCert) without the password = %d bytes, %v; want apdu.ErrSecurityStatus", len(der), err)
			}
			if n := r.vc.TriesLeft(virtual.PINJPKISign); n != virtual.MaxTriesJPKISign {
				t.Fatalf("signing password tries = %d after the refused read, want %d", n, virtual.MaxTriesJPKISign)
			}

			p := answer(jpkitest.DefaultSignPIN)
			der, err = r.j.ReadSignCertificate(ctx, p.ask)
			if err != nil {
				t.Fatalf("ReadSignCertificate: %v", err)
			}
			if !bytes.Equal(der, h.SignCert.Raw) {
				t.Errorf("ReadSignCertificate: %d bytes that differ from the holder's %d", len(der), len(h.SignCert.Raw))
			}
			if p.count() != 1 || p.seen[0] != virtual.MaxTriesJPKISign {
				t.Errorf("prompt called %d times with %v, want once with %d", p.count(), p.seen, virtual.MaxTriesJPKISign)
			}

			// The jpki layer reads and classifies by profile.
			auth, err := jpki.ReadAuthCertificate(ctx, r.j)
			if err != nil || auth.Kind != card.AuthKey {
				t.Fatalf("jpki.ReadAuthCertificate = %v, %v; want an authentication certificate", auth, err)
			}
			sign, err := jpki.ReadSignCertificate(ctx, r.j, answer(jpkitest.DefaultSignPIN).ask)
			if err != nil || sign.Kind != card.SignKey || sign.Attributes == nil || sign.Attributes.Name != jpkitest.DefaultName {
				t.Fatalf("jpki.ReadSignCertificate = %+v, %v; want the signing certificate of %s", sign, err, jpkitest.DefaultName)
			}
		})
	}
}

// certEF names one certificate file: the certificate of key, or the CA
// certificate that issued it.
type certEF struct {
	key card.KeyKind
	ca  bool
}

var (
	authCertEF   = certEF{card.AuthKey, false}
	authCACertEF = certEF{card.AuthKey, true}
	signCACertEF = certEF{card.SignKey, true}
)

func (c certEF) String() string {
	if c.ca {
		return c.key.String() + " CA certificate"
	}
	return c.key.String() + " certificate"
}

// readCertEF reads c with ReadCertificate or ReadCACertificate.
func readCertEF(ctx context.Context, j *card.JPKI, c certEF) ([]byte, error) {
	if c.ca {
		return j.ReadCACertificate(ctx, c.key)
	}
	return j.ReadCertificate(ctx, c.key)
}
