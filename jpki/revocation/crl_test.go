package revocation

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crypto/x509"
	"encoding/pem"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// testEntries is the size of the CRLs of ordinary tests.
const testEntries = 100_000

func TestParseCRLEveryReasonAndTime(t *testing.T) {
	for _, shuffle := range []bool{false, true} {
		der := makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: testEntries, Shuffle: shuffle})
		c, err := parse(t, der)
		if err != nil {
			t.Fatal(err)
		}
		if c.Len() != testEntries {
			t.Fatalf("Len = %d", c.Len())
		}
		root, _ := signRoot(3)
		if !c.Issuer.Equal(root) {
			t.Fatal("wrong issuer chosen")
		}
		seen := map[Reason]bool{}
		for i := 0; i < testEntries; i++ {
			want := jpkitest.SyntheticCRLEntry(i)
			got, ok := c.Lookup(want.Serial)
			if !ok {
				t.Fatalf("entry %d not found", i)
			}
			if int(got.Reason) != want.Reason || !got.RevokedAt.Equal(want.RevokedAt.Truncate(time.Second)) {
				t.Fatalf("entry %d = %v %v, want %v %v", i, got.Reason, got.RevokedAt, want.Reason, want.RevokedAt)
			}
			seen[got.Reason] = true
			if _, ok := c.Lookup(new(big.Int).Add(want.Serial, big.NewInt(1))); ok {
				t.Fatalf("serial after entry %d listed", i)
			}
		}
		if len(seen) != len(jpkitest.CRLReasons()) {
			t.Fatalf("reasons seen %v", seen)
		}
	}
}

func TestParseCRLExplicitEntries(t *testing.T) {
	big20 := new(big.Int).SetBytes(bytes.Repeat([]byte{0xAB}, 20)) // 21-byte INTEGER: wide index
	entries := []jpkitest.CRLEntry{
		{Serial: big.NewInt(0x0132C4AB), RevokedAt: refTime.Add(-time.Hour), Reason: jpkitest.ReasonAffiliationChanged},
		{Serial: big.NewInt(0x80), RevokedAt: time.Date(2051, 1, 2, 3, 4, 5, 0, time.UTC), Reason: jpkitest.ReasonSuperseded}, // GeneralizedTime
		{Serial: big20, RevokedAt: time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), Reason: jpkitest.NoReason},
		{Serial: big.NewInt(1), RevokedAt: refTime.Add(-2 * time.Hour), Reason: jpkitest.ReasonKeyCompromise},
	}
	c, err := parse(t, makeCRL(t, 3, jpkitest.CRLOptions{Entries: entries, Synthetic: 50}))
	if err != nil {
		t.Fatal(err)
	}
	if c.idx.kw != maxKeyWords {
		t.Fatal("index should be wide")
	}
	for _, e := range entries {
		got, ok := c.Lookup(e.Serial)
		if !ok || int(got.Reason) != e.Reason || !got.RevokedAt.Equal(e.RevokedAt) {
			t.Errorf("serial %x: %v %v %v", e.Serial, ok, got.Reason, got.RevokedAt)
		}
	}
	for i := 0; i < 50; i++ {
		if _, ok := c.Lookup(jpkitest.SyntheticCRLEntry(i).Serial); !ok {
			t.Fatalf("synthetic %d missing after widening", i)
		}
	}
	for _, s := range []int64{0, 2, 0x7F, 0x81, -1} {
		if _, ok := c.Lookup(big.NewInt(s)); ok {
			t.Errorf("serial %d listed", s)
		}
	}
}

func TestParseCRLRejects(t *testing.T) {
	good := makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100})
	otherRoot, _ := testPKI().Root(card.AuthKey, 3)
	tests := []struct {
		name    string
		der     []byte
		issuers []*x509.Certificate
		want    error
	}{
		{"bad signature", makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, Fault: jpkitest.CRLFaultBadSignature}), nil, ErrBadSignature},
		{"truncated", makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, Fault: jpkitest.CRLFaultTruncated}), nil, ErrMalformed},
		{"unknown issuer", good, []*x509.Certificate{otherRoot}, ErrUnknownIssuer},
		{"no issuers", good, []*x509.Certificate{}, ErrUnknownIssuer},
		{"trailing data", append(append([]byte{}, good...), 0), nil, ErrMalformed},
		{"empty", nil, nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issuers := tt.issuers
			if issuers == nil {
				issuers = signRoots()
			}
			_, err := ParseCRL(bytes.NewReader(tt.der), ParseOptions{Issuers: issuers})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseCRLEveryTruncationAndBitFlip(t *testing.T) {
	der := makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 20, DistributionPoint: chiyoda()})
	for n := 0; n < len(der); n++ {
		if _, err := parse(t, der[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
	for i := 0; i < len(der); i++ {
		b := append([]byte{}, der...)
		b[i] ^= 0x04
		if _, err := parse(t, b); err == nil {
			t.Fatalf("flip at %d accepted", i)
		}
	}
}

func TestGenerationChosenBySignature(t *testing.T) {
	for gen := jpkitest.FirstGeneration; gen <= jpkitest.LatestGeneration; gen++ {
		c, err := parse(t, makeCRL(t, gen, jpkitest.CRLOptions{Synthetic: 10}))
		if err != nil {
			t.Fatal(err)
		}
		root, _ := signRoot(gen)
		if !c.Issuer.Equal(root) {
			t.Fatalf("generation %d: wrong root", gen)
		}
	}
}

func TestStatus(t *testing.T) {
	revokedSerial := jpkitest.SyntheticCRLEntry(4).Serial // reason affiliationChanged
	goodSerial := new(big.Int).Add(revokedSerial, big.NewInt(1))
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 1000, DistributionPoint: chiyoda()}))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		cert   *x509.Certificate
		status Status
		reason Reason
		err    error
	}{
		{"revoked", issueCert(t, 3, revokedSerial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity), StatusRevoked, ReasonAffiliationChanged, nil},
		{"good", issueCert(t, 3, goodSerial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity), StatusGood, ReasonNone, nil},
		{"other municipality", issueCert(t, 3, goodSerial, "Osaka-fu", "Osaka-shi"), StatusUnknown, ReasonNone, ErrNotCovered},
		{"no CRLDP", issueCert(t, 3, goodSerial, "", ""), StatusUnknown, ReasonNone, ErrNotCovered},
		{"older generation, same DN", issueCert(t, 2, revokedSerial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity), StatusUnknown, ReasonNone, ErrUnknownIssuer},
		{"auth hierarchy", authCert(t), StatusUnknown, ReasonNone, ErrNoSource},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := set.Check(context.Background(), tc.cert)
			if r.Status != tc.status || r.Reason != tc.reason || (tc.err != nil && !errors.Is(r.Err, tc.err)) || (tc.err == nil && r.Err != nil) {
				t.Fatalf("got %v %v err=%v", r.Status, r.Reason, r.Err)
			}
			if r.Status == StatusRevoked && !r.RevokedAt.Equal(jpkitest.SyntheticCRLEntry(4).RevokedAt) {
				t.Fatalf("RevokedAt = %v", r.RevokedAt)
			}
		})
	}
	// Later: the CRL goes stale. Good becomes unknown, revoked stays revoked.
	later := refTime.Add(48 * time.Hour)
	if r := set.StatusAt(cases[1].cert, later); r.Status != StatusUnknown || !errors.Is(r.Err, ErrStale) {
		t.Fatalf("stale good: %v %v", r.Status, r.Err)
	}
	if r := set.StatusAt(cases[0].cert, later); r.Status != StatusRevoked {
		t.Fatalf("stale revoked: %v", r.Status)
	}
}

func authCert(t *testing.T) *x509.Certificate {
	return jpkitest.DefaultHolder().AuthCert
}

func mustParse(t testing.TB, der []byte) *CRL {
	t.Helper()
	c, err := parse(t, der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStaleCRLIsAnError(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	err := set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 10, Fault: jpkitest.CRLFaultStale})))
	var se *StaleError
	if !errors.Is(err, ErrStale) || !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	cert := issueCert(t, 3, big.NewInt(5), "", "")
	if r := set.Check(context.Background(), cert); r.Status != StatusUnknown || !errors.Is(r.Err, ErrStale) {
		t.Fatalf("status %v %v", r.Status, r.Err)
	}
	// Not yet valid.
	err = NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow}).Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{ThisUpdate: refTime.Add(time.Hour)})))
	if !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("future CRL: %v", err)
	}
}

func TestNewerCRLReplaces(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	serial := jpkitest.SyntheticCRLEntry(0).Serial
	cert := issueCert(t, 3, serial, "", "")
	old := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{ThisUpdate: refTime.Add(-2 * time.Hour)}))
	newer := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 1, Number: big.NewInt(2)}))
	for _, c := range []*CRL{old, newer, old} {
		if err := set.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(set.CRLs()); n != 1 {
		t.Fatalf("%d CRLs held", n)
	}
	if r := set.Check(context.Background(), cert); r.Status != StatusRevoked {
		t.Fatalf("status %v", r.Status)
	}
}

func TestLoadFileDirURL(t *testing.T) {
	dir := t.TempDir()
	der := makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, DistributionPoint: chiyoda()})
	pemCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: makeCRL(t, 2, jpkitest.CRLOptions{Synthetic: 100})})
	os.WriteFile(filepath.Join(dir, "chiyoda.crl"), der, 0o600)
	os.WriteFile(filepath.Join(dir, "gen2.pem"), pemCRL, 0o600)
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a CRL"), 0o600)
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.LoadDir(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if n := len(set.CRLs()); n != 2 {
		t.Fatalf("%d CRLs", n)
	}
	serial := jpkitest.SyntheticCRLEntry(7).Serial
	if r := set.Check(context.Background(), issueCert(t, 2, serial, "", "")); r.Status != StatusRevoked {
		t.Fatalf("gen2 PEM: %v %v", r.Status, r.Err)
	}
	if r := set.Check(context.Background(), issueCert(t, 3, serial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity)); r.Status != StatusRevoked {
		t.Fatalf("gen3 DER: %v %v", r.Status, r.Err)
	}
	// A bad file in the directory is reported, the good ones still load.
	os.WriteFile(filepath.Join(dir, "zbroken.der"), der[:len(der)/2], 0o600)
	set2 := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set2.LoadDir(context.Background(), dir); !errors.Is(err, ErrMalformed) || len(set2.CRLs()) != 2 {
		t.Fatalf("err = %v, %d CRLs", err, len(set2.CRLs()))
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok.crl":
			w.Write(der)
		case "/slow.crl":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	set3 := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, Timeout: 200 * time.Millisecond})
	if err := set3.LoadURL(context.Background(), srv.URL+"/ok.crl"); err != nil {
		t.Fatal(err)
	}
	if err := set3.LoadURL(context.Background(), srv.URL+"/missing.crl"); !errors.Is(err, ErrResponder) {
		t.Fatalf("404: %v", err)
	}
	if err := set3.LoadURL(context.Background(), srv.URL+"/slow.crl"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("timeout: %v", err)
	}
	small := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, MaxBytes: 1000})
	if err := small.LoadURL(context.Background(), srv.URL+"/ok.crl"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("size limit: %v", err)
	}
}

func TestIndexCache(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "big.crl")
	os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: testEntries, Shuffle: true, DistributionPoint: chiyoda()}), 0o600)
	load := func() *CRL {
		set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, CacheDir: cacheDir})
		if err := set.LoadFile(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		return set.CRLs()[0]
	}
	first := load()
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+indexExt))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	second := load()
	if second.Len() != first.Len() || !second.ThisUpdate.Equal(first.ThisUpdate) || !sameNames(second.DistributionPoints, first.DistributionPoints) || second.Number.Cmp(first.Number) != 0 {
		t.Fatal("cached CRL differs")
	}
	for i := 0; i < testEntries; i += 997 {
		e := jpkitest.SyntheticCRLEntry(i)
		a, _ := first.Lookup(e.Serial)
		b, ok := second.Lookup(e.Serial)
		if !ok || a != b {
			t.Fatalf("entry %d differs", i)
		}
	}
	// The cached load must really come from the cache: prove it by
	// checking readCache directly.
	if _, err := openIndex(files[0], first.SHA256, signRoots()); err != nil {
		t.Fatal(err)
	}
	// Corrupt the cache: flip a byte in the middle of the index; the
	// block is found bad when first read, and the CRL parses its file.
	raw, _ := os.ReadFile(files[0])
	raw[len(raw)/2] ^= 0xFF
	os.WriteFile(files[0], raw, 0o600)
	if m, err := openIndex(files[0], first.SHA256, signRoots()); err != nil || m.idx.check.all() {
		t.Fatalf("corrupt block not found (%v)", err)
	}
	third := load()
	for i := 0; i < testEntries; i += 97 {
		e := jpkitest.SyntheticCRLEntry(i)
		a, _ := first.Lookup(e.Serial)
		if b, ok := third.Lookup(e.Serial); !ok || a != b {
			t.Fatalf("entry %d differs after the rebuild", i)
		}
	}
	if third.Len() != first.Len() || third.IndexMapped() {
		t.Fatal("rebuild failed")
	}
	if _, err := openIndex(files[0], first.SHA256, signRoots()); err != nil {
		t.Fatalf("cache not rewritten: %v", err)
	}
	// Truncated cache and a cache under a different issuer set.
	os.WriteFile(files[0], raw[:100], 0o600)
	if _, err := openIndex(files[0], first.SHA256, signRoots()); err == nil {
		t.Fatal("truncated cache accepted")
	}
	load()
	if _, err := openIndex(files[0], first.SHA256, testPKI().Roots(card.AuthKey)); err == nil {
		t.Fatal("cache accepted for an untrusted issuer")
	}
}

func TestCertDistributionPoints(t *testing.T) {
	h := jpkitest.DefaultHolder()
	dps, err := CertDistributionPoints(h.SignCert)
	if err != nil || len(dps) != 1 {
		t.Fatalf("%v %d", err, len(dps))
	}
	c := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{DistributionPoint: chiyoda()}))
	if !c.Covers(dps) {
		t.Fatal("default holder's CRLDP not covered by the Chiyoda-ku CRL")
	}
	if !strings.Contains(string(dps[0]), jpkitest.DefaultCity) {
		t.Fatal("city missing")
	}
}

func TestConcurrentStatusAndReload(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	crls := []*CRL{
		mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, ThisUpdate: refTime.Add(-3 * time.Hour)})),
		mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, ThisUpdate: refTime.Add(-2 * time.Hour)})),
	}
	set.Add(crls[0])
	cert := issueCert(t, 3, jpkitest.SyntheticCRLEntry(1).Serial, "", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			set.Add(crls[i%2])
		}
	}()
	for i := 0; i < 50; i++ {
		if r := set.Check(context.Background(), cert); r.Status != StatusRevoked {
			t.Fatalf("status %v", r.Status)
		}
	}
	<-done
}
