package reliability

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
)

// Fuzz targets for parsers of outside bytes that have none in their own
// package, and one that generalises the fault matrix: any response, at any
// APDU index of any operation.

// substituting answers like the virtual card except the at-th APDU (1-based),
// whose response is replaced by resp.
type substituting struct {
	vc   *virtual.Card
	mu   sync.Mutex
	n    int
	at   int
	resp []byte
}

func (s *substituting) ATR() []byte { return s.vc.ATR() }

func (s *substituting) Transmit(capdu []byte) []byte {
	r := s.vc.Transmit(capdu)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.at {
		return append([]byte(nil), s.resp...)
	}
	return r
}

// FuzzResponseSubstitution replaces the response to one APDU of one
// operation (detect, certificates, PIN status, VERIFY, SIGN, CMS, text, face,
// identify, qualify) by arbitrary bytes. Whatever the bytes, the operation
// returns a typed error or the card's true answer, spends no PIN try, sends
// no extra VERIFY and writes a record only when it completes.
func FuzzResponseSubstitution(f *testing.F) {
	f.Add(uint8(1), uint8(1), []byte{0x90, 0x00})
	f.Add(uint8(8), uint8(6), []byte{0x90, 0x00})
	f.Add(uint8(13), uint8(5), []byte{0x63, 0xC2})
	f.Add(uint8(14), uint8(12), append(bytes.Repeat([]byte{0xAB}, 256), 0x90, 0x00))
	f.Add(uint8(4), uint8(4), []byte{0x30, 0x82, 0x06, 0x00, 0x90, 0x00})
	ops := operations()
	// One world per fuzzing process (this part runs in each worker): the
	// store's records are counted per input, so it can be shared.
	w := newWorld(f)
	f.Fuzz(func(t *testing.T, opIndex, at uint8, resp []byte) {
		op := ops[int(opIndex)%len(ops)]
		vc, err := virtual.NewMyNumberCard(w.contents)
		if err != nil {
			t.Fatal(err)
		}
		sub := &substituting{vc: vc, resp: resp}
		rc := reader.Loopback("fuzz", sub, reader.Capabilities{})
		var rec recorder
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		j, err := card.OpenJPKI(ctx, rc, card.Options{Trace: rec.hook})
		if err != nil {
			t.Fatal(err)
		}
		_, seq, err := recordsAfter(ctx, w.st, 0)
		if err != nil {
			t.Fatal(err)
		}
		before := tries(vc)
		sub.mu.Lock()
		sub.at = sub.n + 1 + int(at)%40
		sub.mu.Unlock()
		rec.reset()
		err = runOp(ctx, op, &opEnv{rc: rc, j: j, w: w})
		if cls := classify(err); strings.HasPrefix(cls, "FAIL") {
			t.Fatalf("%s with response %X at APDU %d: %s: %v", op.name, resp, at, cls, err)
		}
		after := tries(vc)
		for _, p := range allPINs {
			if after[p] < before[p] {
				t.Fatalf("%s: %v tries %d -> %d", op.name, p, before[p], after[p])
			}
		}
		n, _, rerr := recordsAfter(ctx, w.st, seq)
		if rerr != nil {
			t.Fatal(rerr)
		}
		completed := err == nil || errors.Is(err, errRefused)
		if (!completed && n != 0) || (completed && op.records && n != 1) {
			t.Fatalf("%s: %d records written, operation error %v", op.name, n, err)
		}
	})
}

// FuzzValidatePIN: whatever the user types, the format check never panics,
// never puts the PIN into its error, never modifies the input, and what it
// accepts follows the kind's rule.
func FuzzValidatePIN(f *testing.F) {
	for _, s := range []string{"1234", "abc123", "ABC123", "123", "12345", "ＡＢＣ１２３", "123456789018", "60040120341234", "1234\n"} {
		f.Add(uint8(0), []byte(s))
	}
	kinds := []card.PINKind{card.AuthPIN, card.SignPIN, card.TextPIN, card.TextPINA, card.TextPINB, card.SurfacePINA, card.SurfacePINB}
	f.Fuzz(func(t *testing.T, k uint8, pin []byte) {
		kind := kinds[int(k)%len(kinds)]
		orig := append([]byte(nil), pin...)
		norm, err := card.ValidatePIN(kind, pin)
		if !bytes.Equal(pin, orig) {
			t.Fatalf("ValidatePIN modified its input")
		}
		if err != nil {
			if !errors.Is(err, card.ErrPINFormat) {
				t.Fatalf("error %v does not match ErrPINFormat", err)
			}
			if len(pin) >= 4 && strings.Contains(err.Error(), string(pin)) {
				t.Fatalf("error %q contains the PIN", err)
			}
			return
		}
		for _, c := range norm {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				t.Fatalf("accepted %q (normalised %q) for %v", pin, norm, kind)
			}
		}
		if kind != card.SignPIN && len(norm) != map[card.PINKind]int{card.AuthPIN: 4, card.TextPIN: 4, card.TextPINA: 12, card.SurfacePINA: 12, card.TextPINB: 14, card.SurfacePINB: 14}[kind] {
			t.Fatalf("accepted %d characters for %v", len(norm), kind)
		}
	})
}

// FuzzReadPairs: the batch-status input file (issuer key ID, serial per
// line) from an operator.
func FuzzReadPairs(f *testing.F) {
	f.Add([]byte("# comment\n0a1b2c,01f3\n\nzz,1\n"))
	f.Add([]byte("00,00\r\n,\n" + strings.Repeat("a", 5000)))
	f.Fuzz(func(t *testing.T, b []byte) {
		for p, err := range revocation.ReadPairs(bytes.NewReader(b)) {
			if err != nil {
				if !errors.Is(err, revocation.ErrMalformed) && !errors.Is(err, revocation.ErrTooLarge) {
					t.Fatalf("line %d: %v does not match ErrMalformed or ErrTooLarge", p.Line, err)
				}
				continue
			}
			if len(p.IssuerKeyID) == 0 || len(p.Serial) == 0 || p.Line < 1 {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}

// FuzzCanonicalSerial: serials come from CSV files and the command line.
func FuzzCanonicalSerial(f *testing.F) {
	for _, s := range []string{"01", "0x1F", "00ff", "DEADBEEF", "", "-1", "１２", strings.Repeat("f", 41)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := store.CanonicalSerial(s)
		if err != nil {
			return
		}
		c2, err := store.CanonicalSerial(c)
		if err != nil || c2 != c {
			t.Fatalf("CanonicalSerial(%q) = %q, not a fixed point (%q, %v)", s, c, c2, err)
		}
	})
}

// FuzzRootsAndDistributionPoints: root files come from operators, and the
// CRL distribution point of a certificate from a card.
func FuzzRootsAndDistributionPoints(f *testing.F) {
	h := jpkitest.DefaultHolder()
	f.Add(h.SignCert.Raw)
	f.Add(h.AuthCA.Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		roots, err := jpki.NewRoots()
		if err != nil {
			t.Fatal(err)
		}
		if r, err := roots.AddCertificate(b, jpki.SourceOperator); err == nil && r != nil {
			t.Fatalf("accepted unpinned bytes as a production root")
		}
		path := filepath.Join(dir, "roots.pem")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if rs, err := roots.AddFile(path); err == nil && len(rs) > 0 {
			t.Fatalf("accepted an unpinned root from a file")
		}
		if _, err := operator.LoadCertificates(path); err != nil && bytes.Contains(b, []byte("PRIVATE KEY")) {
			_ = err // only checking it returns
		}
		if c, err := x509.ParseCertificate(b); err == nil {
			_, _ = revocation.CertDistributionPoints(c)
		}
	})
}
