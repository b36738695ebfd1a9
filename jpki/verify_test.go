package jpki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func TestParseKindFromProfile(t *testing.T) {
	h := jpkitest.DefaultHolder()
	sign := mustParseX(t, h.SignCert)
	auth := mustParseX(t, h.AuthCert)
	if sign.Kind != card.SignKey || auth.Kind != card.AuthKey {
		t.Fatalf("kinds %v %v", sign.Kind, auth.Kind)
	}
	if auth.Attributes != nil {
		t.Errorf("auth certificate has attributes %+v", auth.Attributes)
	}
	a := sign.Attributes
	if a == nil {
		t.Fatal("signing certificate without attributes")
	}
	if a.Name != jpkitest.DefaultName || a.Address != jpkitest.DefaultAddress || a.Sex != card.SexMale ||
		a.BirthEra != card.EraShowa || !a.BirthDate.Equal(day(1985, 4, 1)) {
		t.Errorf("attributes %+v", a)
	}
	if got := a.FormatBirthDate(); got != "昭和60年4月1日" {
		t.Errorf("FormatBirthDate = %q", got)
	}
	// A CA certificate is neither kind.
	if c := mustParseX(t, h.SignCA); c.Kind != card.KeyKind(0) {
		t.Errorf("root parsed as %v", c.Kind)
	}
}

func TestParseOctetStringSAN(t *testing.T) {
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{OctetStringSAN: true, NameSubstitutes: []int{1},
		Era: jpkitest.EraUnknownSpec})
	if err != nil {
		t.Fatal(err)
	}
	c := mustParseX(t, h.SignCert)
	if c.Attributes == nil || c.Attributes.Name != jpkitest.DefaultName || c.Attributes.BirthEra != card.EraUnknown ||
		len(c.Attributes.NameSubstitutes) != 1 || c.Attributes.NameSubstitutes[0] != 1 {
		t.Errorf("attributes %+v", c.Attributes)
	}
}

func TestParseKindDecidedByProfileNotFile(t *testing.T) {
	// The same key usage with the other kind's policy: the policy decides.
	c := issueCustom(t, card.AuthKey, 3, func(tmpl *x509.Certificate) { setPolicies(tmpl, jpkioid.PolicySign) })
	if c.Kind != card.SignKey {
		t.Errorf("kind %v, want sign (policy decides)", c.Kind)
	}
	both := issueCustom(t, card.AuthKey, 3, func(tmpl *x509.Certificate) { setPolicies(tmpl, jpkioid.PolicySign, jpkioid.PolicyAuth) })
	if both.Kind != card.KeyKind(0) {
		t.Errorf("kind %v for both policies, want unknown", both.Kind)
	}
	noPolicy := issueCustom(t, card.SignKey, 3, func(tmpl *x509.Certificate) { setPolicies(tmpl) })
	if noPolicy.Kind != card.SignKey {
		t.Errorf("kind %v from nonRepudiation alone, want sign", noPolicy.Kind)
	}
}

func TestVerifyEveryGeneration(t *testing.T) {
	p := jpkitest.Default()
	roots := allTestRoots(t)
	for gen := jpkitest.FirstGeneration; gen <= jpkitest.LatestGeneration; gen++ {
		spec := jpkitest.HolderSpec{Generation: gen}
		at := refTime()
		if gen == 1 {
			at = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // generation 1 ends in 2025
		}
		h, err := p.Issue(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, kc := range []struct {
			kind card.KeyKind
			cert *x509.Certificate
		}{{card.SignKey, h.SignCert}, {card.AuthKey, h.AuthCert}} {
			v, err := Verify(mustParseX(t, kc.cert), roots, VerifyOptions{Time: at, Kind: kc.kind})
			if err != nil {
				t.Fatalf("gen %d %v: %v", gen, kc.kind, err)
			}
			root, _ := p.Root(kc.kind, gen)
			if v.Generation != gen || v.Production || v.Kind != kc.kind || v.Fingerprint() != FingerprintOf(root.Raw) ||
				v.Root.Source != SourceTest {
				t.Errorf("gen %d %v: verification %+v", gen, kc.kind, v)
			}
		}
	}
}

func TestVerifyFailures(t *testing.T) {
	h := jpkitest.DefaultHolder()
	p := jpkitest.Default()
	sign, auth := mustParseX(t, h.SignCert), mustParseX(t, h.AuthCert)
	roots := allTestRoots(t)
	gen3Only, err := NewRoots(WithTestHierarchy(p.Roots(card.AuthKey)[2], p.Roots(card.SignKey)[2]))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := p.Issue(jpkitest.HolderSpec{Generation: 2})
	if err != nil {
		t.Fatal(err)
	}
	gen1, err := p.Issue(jpkitest.HolderSpec{Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	signOnly, _ := NewRoots(WithTestHierarchy(p.Roots(card.SignKey)...))

	noCASign := func() *Roots {
		// A root with a CA's name and basic constraints but no keyCertSign.
		rc, rk := p.Root(card.AuthKey, 3)
		tmpl := *rc
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, rc.PublicKey, rk)
		if err != nil {
			t.Fatal(err)
		}
		xc, _ := x509.ParseCertificate(der)
		r, err := NewRoots(WithTestHierarchy(xc))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}()

	tests := []struct {
		name  string
		cert  *Certificate
		roots *Roots
		opts  VerifyOptions
		want  Reason
	}{
		{"auth as sign", auth, roots, VerifyOptions{Time: refTime(), Kind: card.SignKey}, ReasonWrongKind},
		{"sign as auth", sign, roots, VerifyOptions{Time: refTime(), Kind: card.AuthKey}, ReasonWrongKind},
		{"expired", auth, roots, VerifyOptions{Time: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, ReasonExpired},
		{"not yet valid", auth, roots, VerifyOptions{Time: jpkitest.DefaultIssueTime().Add(-time.Hour)}, ReasonNotYetValid},
		{"other generation, same DN", mustParseX(t, h2.AuthCert), gen3Only, VerifyOptions{Time: refTime()}, ReasonBadSignature},
		{"no root of that kind", auth, signOnly, VerifyOptions{Time: refTime()}, ReasonUnknownIssuer},
		{"root expired", mustParseX(t, gen1.AuthCert), roots, VerifyOptions{Time: refTime()}, ReasonRootNotValid},
		{"test root, production required", auth, roots, VerifyOptions{Time: refTime(), RequireProduction: true}, ReasonTestRoot},
		{"root without keyCertSign", auth, noCASign, VerifyOptions{Time: refTime()}, ReasonRootConstraints},
		{"sign policy, no nonRepudiation", issueCustom(t, card.SignKey, 3, func(c *x509.Certificate) {
			c.KeyUsage = x509.KeyUsageDigitalSignature
		}), roots, VerifyOptions{Time: refTime()}, ReasonKeyUsage},
		{"auth with nonRepudiation", issueCustom(t, card.AuthKey, 3, func(c *x509.Certificate) {
			c.KeyUsage |= x509.KeyUsageContentCommitment
		}), roots, VerifyOptions{Time: refTime()}, ReasonKeyUsage},
		{"no policy", issueCustom(t, card.SignKey, 3, func(c *x509.Certificate) { setPolicies(c) }), roots,
			VerifyOptions{Time: refTime()}, ReasonPolicy},
		{"both policies", issueCustom(t, card.AuthKey, 3, func(c *x509.Certificate) { setPolicies(c, jpkioid.PolicySign, jpkioid.PolicyAuth) }), roots,
			VerifyOptions{Time: refTime()}, ReasonWrongKind},
		{"unknown critical extension", issueCustom(t, card.AuthKey, 3, func(c *x509.Certificate) {
			c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}})
		}), roots, VerifyOptions{Time: refTime()}, ReasonCriticalExtension},
		{"no roots", auth, nil, VerifyOptions{Time: refTime()}, ReasonUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Verify(tt.cert, tt.roots, tt.opts)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("got %+v, %v; want *VerifyError", v, err)
			}
			if ve.Reason != tt.want {
				t.Fatalf("reason %v (%v), want %v", ve.Reason, err, tt.want)
			}
			if !errors.Is(err, ve.Unwrap()) || ve.Unwrap() == nil {
				t.Errorf("sentinel not matched")
			}
		})
	}
}

func TestVerifyTestPolicyOnlyUnderTestRoot(t *testing.T) {
	c := issueCustom(t, card.SignKey, 3, func(c *x509.Certificate) { setPolicies(c, jpkioid.PolicySignTest) })
	v, err := Verify(c, allTestRoots(t), VerifyOptions{Time: refTime(), Kind: card.SignKey})
	if err != nil || v.Production {
		t.Fatalf("test policy under test root: %+v, %v", v, err)
	}
	// Under a production root it would fail with ReasonPolicy; the check
	// itself:
	if policyAccepted(c, &Root{Production: true}) {
		t.Error("test policy accepted under a production root")
	}
}

// TestTestPKINeverProduction shows that a chain built by the test PKI never
// verifies as production: test roots cannot enter production Roots, and a
// certificate whose issuer name is a real J-LIS root's but signed by a test
// key fails on the signature.
func TestTestPKINeverProduction(t *testing.T) {
	p := jpkitest.Default()
	h := jpkitest.DefaultHolder()
	prod, _ := NewRoots()
	for _, k := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for _, rc := range p.Roots(k) {
			if _, err := prod.AddTest(rc); !errors.Is(err, ErrTestHierarchyDisabled) {
				t.Errorf("AddTest without opt-in: %v", err)
			}
			if _, err := prod.AddCertificate(rc.Raw, SourceCard); !errors.Is(err, ErrNotPinned) {
				t.Errorf("test root accepted as pinned: %v", err)
			}
		}
	}
	for _, xc := range []*x509.Certificate{h.SignCert, h.AuthCert} {
		_, err := Verify(mustParseX(t, xc), prod, VerifyOptions{Time: refTime()})
		if !errors.Is(err, ErrUnknownIssuer) {
			t.Errorf("test certificate against empty production roots: %v", err)
		}
	}

	skipWithoutRealRoots(t)
	for _, rr := range realRoots {
		if _, err := prod.AddFile(filepath.Join(realRootsDir, rr.file)); err != nil {
			t.Fatal(err)
		}
	}
	for _, xc := range []*x509.Certificate{h.SignCert, h.AuthCert} {
		_, err := Verify(mustParseX(t, xc), prod, VerifyOptions{Time: refTime()})
		if !errors.Is(err, ErrUnknownIssuer) {
			t.Errorf("test certificate against real roots: %v, want ErrUnknownIssuer", err)
		}
	}
	// Forge the production issuer name over a test key: same DN, wrong key.
	mixed, _ := NewRoots(WithTestHierarchy(p.Roots(card.AuthKey)...))
	for _, rr := range realRoots {
		if _, err := mixed.AddFile(filepath.Join(realRootsDir, rr.file)); err != nil {
			t.Fatal(err)
		}
	}
	var realAuth *Root
	for _, r := range mixed.List() {
		if r.Production && r.Kind == card.AuthKey && r.Generation == 3 {
			realAuth = r
		}
	}
	testKey := h.AuthKey
	forgedRoot := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: realAuth.Certificate.RawSubject,
		NotBefore: realAuth.Certificate.NotBefore, NotAfter: realAuth.Certificate.NotAfter,
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	_, caKey := p.Root(card.AuthKey, 3)
	tmpl := *h.AuthCert
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, forgedRoot, &testKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []VerifyOptions{{Time: refTime()}, {Time: refTime(), RequireProduction: true}} {
		v, err := Verify(forged, mixed, opts)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("forged production issuer: %+v, %v; want ErrBadSignature", v, err)
		}
	}
}

func TestOperatorAuthGen2(t *testing.T) {
	// A test root is refused as the operator's generation-2 auth root: its
	// name and serial are not J-LIS's.
	rc, _ := jpkitest.Default().Root(card.AuthKey, 2)
	path := filepath.Join(t.TempDir(), "auth2.der")
	writeFile(t, path, rc.Raw)
	roots, _ := NewRoots()
	if _, err := roots.AddOperatorAuthGen2File(path); !errors.Is(err, ErrNotARoot) {
		t.Errorf("got %v, want ErrNotARoot", err)
	}
	// A self-signed root with J-LIS's name and serial is accepted, marked
	// unpinned and operator-supplied.
	key := jpkitest.DefaultHolder().AuthKey
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(authGen2Serial),
		Subject: pkix.Name{Country: []string{"JP"}, Organization: []string{orgProduction},
			OrganizationalUnit: []string{ouAuth, ouJLIS}},
		NotBefore: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, der)
	r, err := roots.AddOperatorAuthGen2File(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pinned || !r.Production || r.Source != SourceOperator || r.Generation != 2 || r.Kind != card.AuthKey {
		t.Errorf("operator root %+v", r)
	}
	// The same bytes are still not accepted as pinned (from a card).
	if _, err := roots.AddCertificate(der, SourceCard); !errors.Is(err, ErrNotPinned) {
		t.Errorf("operator root accepted by pin: %v", err)
	}
}

func TestReasonStrings(t *testing.T) {
	for r := ReasonUnknownIssuer; r <= ReasonTestRoot; r++ {
		if s := r.String(); s == "" || s[0] == 'R' {
			t.Errorf("reason %d has no name: %q", int(r), s)
		}
		if r.sentinel() == nil {
			t.Errorf("reason %v has no sentinel", r)
		}
		e := &VerifyError{Reason: r, Detail: "d"}
		if !errors.Is(e, r.sentinel()) || e.Error() == "" {
			t.Errorf("reason %v: %v", r, e)
		}
	}
	if !errors.Is(&VerifyError{Reason: 99}, ErrVerification) {
		t.Error("unknown reason does not unwrap to ErrVerification")
	}
}
