package revocation

import (
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func TestPolicy(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Policy
	}{{"", PolicyHard}, {"hard", PolicyHard}, {"SOFT", PolicySoft}, {"off", PolicyOff}} {
		p, err := ParsePolicy(tt.in)
		if err != nil || p != tt.want {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v", tt.in, p, err, tt.want)
		}
	}
	if _, err := ParsePolicy("lenient"); err == nil {
		t.Error("ParsePolicy(lenient) accepted")
	}
	good, revoked, unknown := Result{Status: StatusGood}, Result{Status: StatusRevoked}, Result{Status: StatusUnknown, Err: ErrStale}
	for _, tt := range []struct {
		p                   Policy
		good, revoked, unkn bool
	}{
		{PolicyHard, true, false, false},
		{PolicySoft, true, false, true},
		{PolicyOff, true, true, true},
	} {
		if tt.p.Accepts(good) != tt.good || tt.p.Accepts(revoked) != tt.revoked || tt.p.Accepts(unknown) != tt.unkn {
			t.Errorf("%v accepts good/revoked/unknown = %v/%v/%v", tt.p, tt.p.Accepts(good), tt.p.Accepts(revoked), tt.p.Accepts(unknown))
		}
	}
	// The zero Result (nobody filled it in) is never acceptable to hard.
	if PolicyHard.Accepts(Result{}) {
		t.Error("hard accepts the zero Result")
	}
}

func TestConfigJSON(t *testing.T) {
	in := `{"crls":["/var/lib/jpki/sign.crl","https://crl.example/auth.crl"],"ocsp":"http://ocsp.example","mode":"ocsp+crl","policy":"soft","cache_dir":"/tmp/x"}`
	var c Config
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	want := Config{CRLs: []string{"/var/lib/jpki/sign.crl", "https://crl.example/auth.crl"}, OCSP: "http://ocsp.example",
		Mode: ModeOCSPThenCRL, Policy: PolicySoft, CacheDir: "/tmp/x"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v, want %+v", c, want)
	}
	out, err := json.Marshal(c)
	if err != nil || string(out) != in {
		t.Fatalf("Marshal = %s, %v; want %s", out, err, in)
	}
	// The zero Config: no source, hard policy.
	out, _ = json.Marshal(Config{})
	if string(out) != `{"policy":"hard"}` {
		t.Errorf("zero Config = %s", out)
	}
	for _, bad := range []string{`{"policy":"lenient"}`, `{"mode":"crl-first"}`} {
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestConfigLoad(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.crl")
	stale := filepath.Join(dir, "stale.crl")
	if err := os.WriteFile(fresh, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, Fault: jpkitest.CRLFaultStale}), 0o600); err != nil {
		t.Fatal(err)
	}
	revokedCert := issueCert(t, 3, jpkitest.SyntheticCRLEntry(5).Serial, "", "")
	goodCert := issueCert(t, 3, new(big.Int).Add(jpkitest.SyntheticCRLEntry(4).Serial, big.NewInt(1)), "", "")
	opts := CRLSetOptions{Now: fixedNow}

	// Nothing configured, or off: NoSource, no error; it answers unknown
	// with ErrNoSource, never good.
	for _, c := range []Config{{}, {CRLs: []string{fresh}, Policy: PolicyOff}} {
		chk, warns, err := c.Load(ctx, signRoots())
		if chk == nil || HasSource(chk) || warns != nil || err != nil {
			t.Errorf("Load(%+v) = %v, %v, %v; want NoSource", c, chk, warns, err)
		}
		if r := chk.Check(ctx, goodCert); r.Status != StatusUnknown || !errors.Is(r.Err, ErrNoSource) {
			t.Errorf("Load(%+v).Check = %+v, want unknown, ErrNoSource", c, r)
		}
	}

	// CRLs only: the CRL set itself answers.
	chk, warns, err := Config{CRLs: []string{fresh}, CRLOptions: opts}.Load(ctx, signRoots())
	if err != nil || len(warns) != 0 {
		t.Fatalf("Load = %v, %v", warns, err)
	}
	if _, ok := chk.(*CRLSet); !ok {
		t.Errorf("CRLs only gave %T, want *CRLSet", chk)
	}
	if r := chk.Check(ctx, revokedCert); r.Status != StatusRevoked {
		t.Errorf("revoked certificate: %v (%v)", r.Status, r.Err)
	}
	if r := chk.Check(ctx, goodCert); r.Status != StatusGood {
		t.Errorf("good certificate: %v (%v)", r.Status, r.Err)
	}

	// A stale CRL is a warning naming it; its listings still count, and
	// nothing else is good.
	chk, warns, err = Config{CRLs: []string{stale}, CRLOptions: opts}.Load(ctx, signRoots())
	var se *SourceError
	if err != nil || len(warns) != 1 || !errors.As(warns[0], &se) || se.Source != stale || !errors.Is(warns[0], ErrStale) {
		t.Fatalf("stale: warnings %v, err %v", warns, err)
	}
	if r := chk.Check(ctx, revokedCert); r.Status != StatusRevoked {
		t.Errorf("stale, listed: %v", r.Status)
	}
	if r := chk.Check(ctx, goodCert); r.Status != StatusUnknown || !errors.Is(r.Err, ErrStale) {
		t.Errorf("stale, unlisted: %v (%v)", r.Status, r.Err)
	}

	// A missing source is an error naming it, before anything is built.
	missing := filepath.Join(dir, "missing.crl")
	if chk, _, err := (Config{CRLs: []string{fresh, missing}}).Load(ctx, signRoots()); HasSource(chk) || !errors.As(err, &se) || se.Source != missing {
		t.Errorf("missing source: %v, %v", chk, err)
	}
	if err := (Config{CRLs: []string{missing}}).CheckSources(); !errors.As(err, &se) {
		t.Errorf("CheckSources(missing) = %v", err)
	}
	if err := (Config{OCSP: "ftp://ocsp.example"}).CheckSources(); !errors.Is(err, ErrBadOCSPURL) {
		t.Errorf("CheckSources(ftp OCSP) = %v", err)
	}
	if _, _, err := (Config{OCSP: "ocsp.example"}).Load(ctx, signRoots()); !errors.Is(err, ErrBadOCSPURL) {
		t.Errorf("Load(bad OCSP) = %v", err)
	}

	// Parsed CRLs are added as if loaded.
	chk, _, err = Config{Parsed: []*CRL{mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100}))}, CRLOptions: opts}.Load(ctx, signRoots())
	if err != nil || chk.Check(ctx, revokedCert).Status != StatusRevoked || chk.Check(ctx, goodCert).Status != StatusGood {
		t.Errorf("parsed: %v", err)
	}

	// OCSP and CRLs: the responder first, then the CRLs (a dead responder
	// falls back to the CRL's answer, and says so when unknown).
	dead := closedURL(t)
	chk, _, err = Config{CRLs: []string{stale}, OCSP: dead, CRLOptions: opts}.Load(ctx, signRoots())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := chk.(*Combined); !ok {
		t.Errorf("OCSP and CRLs gave %T, want *Combined", chk)
	}
	if r := chk.Check(ctx, revokedCert); r.Status != StatusRevoked {
		t.Errorf("dead OCSP, listed in the CRL: %v", r.Status)
	}
	if r := chk.Check(ctx, goodCert); r.Status != StatusUnknown || !errors.Is(r.Err, ErrUnreachable) || !errors.Is(r.Err, ErrStale) {
		t.Errorf("dead OCSP, stale CRL: %v (%v)", r.Status, r.Err)
	}
	// An explicit mode is kept even if it leaves a source out: CRL only
	// never asks the responder.
	chk, _, err = Config{CRLs: []string{fresh}, OCSP: dead, Mode: ModeCRLOnly, CRLOptions: opts}.Load(ctx, signRoots())
	if err != nil || chk.Check(ctx, goodCert).Status != StatusGood {
		t.Errorf("crl mode: %v", err)
	}
	// OCSP mode without a responder answers unknown: no source.
	chk, _, err = Config{CRLs: []string{fresh}, Mode: ModeOCSPOnly, CRLOptions: opts}.Load(ctx, signRoots())
	if r := chk.Check(ctx, goodCert); err != nil || r.Status != StatusUnknown || !errors.Is(r.Err, ErrNoSource) {
		t.Errorf("ocsp mode without responder: %v (%v), %v", r.Status, r.Err, err)
	}
}
