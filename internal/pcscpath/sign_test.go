package pcscpath

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// keyTable pairs each card key with its PIN, its certificate file and the
// virtual card's PIN.
var keyTable = []struct {
	key  card.KeyKind
	pin  string
	ref  virtual.PINRef
	full int
}{
	{card.AuthKey, jpkitest.DefaultAuthPIN, virtual.PINJPKIAuth, virtual.MaxTriesJPKIAuth},
	{card.SignKey, jpkitest.DefaultSignPIN, virtual.PINJPKISign, virtual.MaxTriesJPKISign},
}

// readCert reads the certificate that goes with key through the card.
func readCert(ctx context.Context, t *testing.T, r *rig, key card.KeyKind) *jpki.Certificate {
	t.Helper()
	var c *jpki.Certificate
	var err error
	if key == card.AuthKey {
		c, err = jpki.ReadAuthCertificate(ctx, r.j)
	} else {
		c, err = jpki.ReadSignCertificate(ctx, r.j, answer(jpkitest.DefaultSignPIN).ask)
	}
	if err != nil {
		t.Fatalf("reading the certificate of %v: %v", key, err)
	}
	return c
}

// TestSignBothKeys signs through pcscd with both keys, with card.JPKI.Sign
// over a prepared DigestInfo and with jpki.Signer for every hash, and
// verifies each signature with crypto/rsa against the certificate read
// from the card. A correct PIN leaves the counter full.
func TestSignBothKeys(t *testing.T) {
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	for _, k := range keyTable {
		t.Run(k.key.String(), func(t *testing.T) {
			cert := readCert(ctx, t, r, k.key)
			pub := cert.PublicKey.(*rsa.PublicKey)

			digest, info := sha256Info(t, "signed through pcscd by "+k.key.String())
			p := answer(k.pin)
			sig, err := r.j.Sign(ctx, k.key, p.ask, info)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig); err != nil {
				t.Fatalf("card signature does not verify with the certificate: %v", err)
			}
			if p.count() != 1 || p.seen[0] != k.full {
				t.Errorf("prompt asked %d times, told %v; want once, told %d", p.count(), p.seen, k.full)
			}
			if !p.wiped() {
				t.Error("the PIN the prompt returned was not wiped after use")
			}

			s, err := jpki.NewSigner(ctx, r.j, k.key, cert, answer(k.pin).ask)
			if err != nil {
				t.Fatal(err)
			}
			r.vc.resetLog()
			hashes := []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512}
			for _, h := range hashes {
				hh := h.New()
				hh.Write([]byte("jpki.Signer through pcscd"))
				d := hh.Sum(nil)
				sig, err := s.Sign(rand.Reader, d, h)
				if err != nil {
					t.Fatalf("Signer.Sign(%v): %v", h, err)
				}
				if err := rsa.VerifyPKCS1v15(pub, h, d, sig); err != nil {
					t.Errorf("Signer.Sign(%v) does not verify: %v", h, err)
				}
			}
			if cmds := r.vc.commands(); countINS(cmds, insReadBinary) != 0 || countINS(cmds, insSign) != len(hashes) {
				t.Errorf("the Signer sent INS % X, want %d SIGN and no READ BINARY", insOf(cmds), len(hashes))
			}
			if n := r.vc.TriesLeft(k.ref); n != k.full {
				t.Errorf("counter = %d after correct PINs, want %d", n, k.full)
			}
		})
	}
}

// TestConcurrentSignersOneCard signs from several goroutines on one card:
// every signature verifies, because each VERIFY+SIGN runs in one
// transaction and the library serialises them.
func TestConcurrentSignersOneCard(t *testing.T) {
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	cert := readCert(ctx, t, r, card.AuthKey)
	s, err := jpki.NewSigner(ctx, r.j, card.AuthKey, cert, answer(jpkitest.DefaultAuthPIN).ask)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			digest, _ := sha256Info(t, "worker "+strconv.Itoa(i))
			sig, err := s.SignContext(ctx, nil, digest, crypto.SHA256)
			if err == nil {
				err = rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest, sig)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := countINS(r.vc.commands(), insSign); n != workers {
		t.Errorf("%d SIGN commands reached the card, want %d", n, workers)
	}
}

// TestCMSThroughPCSCVerifiedByOpenSSL makes CMS signatures (attached and
// detached) with the card's signing key through pcscd and checks them with
// VerifyCMS and with `openssl cms -verify` against the test root.
func TestCMSThroughPCSCVerifiedByOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (scripts/test.sh installs it)")
	}
	h := jpkitest.DefaultHolder()
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	cert := readCert(ctx, t, r, card.SignKey)
	s, err := jpki.NewSigner(ctx, r.j, card.SignKey, cert, answer(jpkitest.DefaultSignPIN).ask)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(h.SignCA))
	if err != nil {
		t.Fatal(err)
	}
	r.vc.resetLog()
	dir := t.TempDir()
	rootFile, dataFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "data.txt")
	writeFile(t, rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.SignCA.Raw}))
	data := []byte("契約書 — signed with the card through pcscd\n")
	writeFile(t, dataFile, data)
	at := jpkitest.ReferenceTime()

	for _, detached := range []bool{false, true} {
		sig, err := jpki.SignCMS(data, s, cert.Certificate, []*x509.Certificate{h.SignCA}, jpki.CMSOptions{Detached: detached, SigningTime: at})
		if err != nil {
			t.Fatalf("SignCMS(detached %v): %v", detached, err)
		}
		v, err := jpki.VerifyCMS(sig, data, roots, jpki.VerifyOptions{Time: at, Kind: card.SignKey})
		if err != nil || !bytes.Equal(v.Content, data) {
			t.Fatalf("VerifyCMS(detached %v): %v", detached, err)
		}
		sigFile := filepath.Join(dir, "sig.der")
		writeFile(t, sigFile, sig)
		args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile, "-CAfile", rootFile,
			"-purpose", "any", "-attime", strconv.FormatInt(at.Unix(), 10)}
		if detached {
			args = append(args, "-content", dataFile)
		}
		out, err := exec.CommandContext(ctx, openssl, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("openssl cms -verify (detached %v): %v\n%s", detached, err, ee.Stderr)
			}
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("openssl cms -verify printed %q, want the content", out)
		}

		// The certificate was read once, before: signing reads nothing
		// again and asks the card for exactly one signature.
		cmds := r.vc.commands()
		if countINS(cmds, insReadBinary) != 0 || countINS(cmds, insSign) != 1 {
			t.Errorf("SignCMS sent INS % X to the card, want one SIGN and no READ BINARY", insOf(cmds))
		}
		r.vc.resetLog()

		// A changed byte of content must fail both verifiers.
		if detached {
			bad := bytes.Clone(data)
			bad[0] ^= 1
			if _, err := jpki.VerifyCMS(sig, bad, roots, jpki.VerifyOptions{Time: at}); err == nil {
				t.Error("VerifyCMS accepted changed content")
			}
			badFile := filepath.Join(dir, "bad.txt")
			writeFile(t, badFile, bad)
			args[len(args)-1] = badFile
			if err := exec.CommandContext(ctx, openssl, args...).Run(); err == nil {
				t.Error("openssl cms -verify accepted changed content")
			}
		}
	}
}

// TestChangePINAndBack changes each user PIN through pcscd, uses the new
// one, shows the old one is now wrong (and costs a try), and changes it
// back, which restores the full counter. No PIN appears in the trace.
func TestChangePINAndBack(t *testing.T) {
	var mu sync.Mutex
	var traced [][]byte
	trace := func(e reader.TraceEvent) {
		mu.Lock()
		traced = append(traced, bytes.Clone(e.Command))
		mu.Unlock()
	}
	r := newRig(t, rigConfig{opts: card.Options{Trace: trace}})
	ctx := ctxT(t)
	tests := []struct {
		k        card.PINKind
		ref      virtual.PINRef
		from, to string
		full     int
		change   func(old, new card.PINPrompt) error
		use      func(p card.PINPrompt) error
	}{
		{card.AuthPIN, virtual.PINJPKIAuth, jpkitest.DefaultAuthPIN, "5678", virtual.MaxTriesJPKIAuth,
			func(o, n card.PINPrompt) error { return r.j.ChangePIN(ctx, card.AuthPIN, o, n) },
			func(p card.PINPrompt) error {
				_, info := sha256Info(t, "after change")
				_, err := r.j.Sign(ctx, card.AuthKey, p, info)
				return err
			}},
		{card.SignPIN, virtual.PINJPKISign, jpkitest.DefaultSignPIN, "NEWPASS99", virtual.MaxTriesJPKISign,
			func(o, n card.PINPrompt) error { return r.j.ChangePIN(ctx, card.SignPIN, o, n) },
			func(p card.PINPrompt) error { _, err := r.j.ReadSignCertificate(ctx, p); return err }},
		{card.TextPIN, virtual.PINText, jpkitest.DefaultAuthPIN, "9012", virtual.MaxTriesText,
			func(o, n card.PINPrompt) error { return r.j.Text().ChangePIN(ctx, o, n) },
			func(p card.PINPrompt) error { _, err := r.j.Text().ReadBasic(ctx, p); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.k.String(), func(t *testing.T) {
			oldP, newP := answer(tt.from), answer(tt.to)
			if err := tt.change(oldP.ask, newP.ask); err != nil {
				t.Fatalf("ChangePIN: %v", err)
			}
			if !oldP.wiped() || !newP.wiped() {
				t.Error("ChangePIN did not wipe both PINs")
			}
			if err := tt.use(answer(tt.to).ask); err != nil {
				t.Fatalf("using the new PIN: %v", err)
			}
			var pe *card.PINError
			if err := tt.use(answer(tt.from).ask); !errors.As(err, &pe) || pe.Remaining != tt.full-1 {
				t.Fatalf("old PIN after the change = %v, want *card.PINError{Remaining %d}", err, tt.full-1)
			}
			if err := tt.change(answer(tt.to).ask, answer(tt.from).ask); err != nil {
				t.Fatalf("changing back: %v", err)
			}
			if err := tt.use(answer(tt.from).ask); err != nil {
				t.Fatalf("using the original PIN again: %v", err)
			}
			if n := r.vc.TriesLeft(tt.ref); n != tt.full {
				t.Errorf("counter = %d, want %d", n, tt.full)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range traced {
		for _, pin := range []string{jpkitest.DefaultAuthPIN, jpkitest.DefaultSignPIN, "5678", "NEWPASS99", "9012"} {
			if bytes.Contains(c, []byte(pin)) {
				t.Errorf("a traced command contains a PIN: %d bytes, INS %02X", len(c), c[1])
			}
		}
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
