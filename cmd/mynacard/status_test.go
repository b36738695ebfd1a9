package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/jpkioid"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// statusOf runs status's reading and printing against an in-process
// virtual card with contents ct and opts, in lang.
func statusOf(t *testing.T, lang string, ct virtual.Contents, opts ...virtual.Option) (*cardStatus, string) {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(ct, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := reader.Loopback("ACS ACR39U ICC Reader 00 00", vc, reader.Capabilities{})
	j, err := card.OpenJPKI(ctx, c, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	g := &globals{p: i18n.New(lang), stdout: &out, stderr: &errOut, PINFD: -1}
	s := &session{card: c, jpki: j}
	defer s.close()
	st, err := g.readStatus(ctx, s)
	if err != nil {
		t.Fatalf("status failed: %v", err)
	}
	g.printStatus(st, true)
	return st, out.String()
}

// checkStatusJSON checks st's JSON against the schema's status.
func checkStatusJSON(t *testing.T, st *cardStatus) {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	def, err := schemaDef("status")
	if err != nil {
		t.Fatal(err)
	}
	if errs := validateJSON(def, v, "status"); len(errs) > 0 {
		t.Errorf("status JSON against the schema:\n%s\n%s", strings.Join(errs, "\n"), b)
	}
}

// TestStatusBirthDateKey: status lists the surface application's
// birth-date key with its tries, read by an empty VERIFY, and a card that
// answers the query in any other way makes the row unknown or blocked,
// never fails status, and leaves every other PIN's row as it was.
func TestStatusBirthDateKey(t *testing.T) {
	ct := jpkitest.DefaultHolder().Contents()
	for _, c := range []struct {
		name    string
		opts    []virtual.Option
		tries   int
		blocked bool
		absent  bool
		errSet  bool
		ja, en  string
	}{
		{name: "default", tries: virtual.MaxTriesBirthDateKey, ja: "10", en: "10"},
		{name: "four tries", opts: []virtual.Option{virtual.WithMaxTries(virtual.PINSurfaceBirthDate, 4)}, tries: 4, ja: "4", en: "4"},
		{name: "instruction not supported", opts: []virtual.Option{virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, 0x6D00)},
			tries: card.RemainingUnknown, errSet: true, ja: "不明", en: "unknown"},
		{name: "reference not found", opts: []virtual.Option{virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, 0x6A88)},
			tries: card.RemainingUnknown, absent: true, ja: "なし", en: "not available"},
		{name: "conditions not satisfied", opts: []virtual.Option{virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, 0x6985)},
			tries: card.RemainingUnknown, errSet: true, ja: "不明", en: "unknown"},
		{name: "no counter", opts: []virtual.Option{virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, 0x6300)},
			tries: card.RemainingUnknown, ja: "不明", en: "unknown"},
		{name: "blocked", opts: []virtual.Option{virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, 0x6984)},
			tries: 0, blocked: true, ja: "ロック中", en: "blocked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{i18n.Japanese, i18n.English} {
				st, out := statusOf(t, lang, ct, c.opts...)
				if len(st.PINs) != len(pinOrder) {
					t.Fatalf("%d PIN rows, want %d", len(st.PINs), len(pinOrder))
				}
				var got *pinStatus
				for i := range st.PINs {
					p := &st.PINs[i]
					if p.PIN == "surface_birth_date" {
						got = p
						continue
					}
					if !p.Available || p.Blocked || p.TriesLeft <= 0 || p.Error != "" {
						t.Errorf("%s: %+v, want its tries", p.PIN, *p)
					}
				}
				if got == nil {
					t.Fatalf("no surface_birth_date row in %+v", st.PINs)
				}
				if got.TriesLeft != c.tries || got.Blocked != c.blocked || got.Available == c.absent || (got.Error != "") != c.errSet {
					t.Errorf("surface_birth_date = %+v, want tries %d blocked %v error %v", *got, c.tries, c.blocked, c.errSet)
				}
				label, want := "券面事項確認AP：生年月日キー", c.ja
				if lang == i18n.English {
					label, want = "card surface application: birth-date key", c.en
				}
				found := false
				for _, line := range strings.Split(out, "\n") {
					if w := displayWidth(line); w > 80 {
						t.Errorf("%d columns: %q", w, line)
					}
					if strings.HasPrefix(line, "  "+label) {
						found = true
						if v := strings.TrimSpace(strings.TrimPrefix(line, "  "+label)); v != want {
							t.Errorf("row %q, want value %q", line, want)
						}
					}
				}
				if !found {
					t.Errorf("no %q row in:\n%s", label, out)
				}
				checkStatusJSON(t, st)
			}
		})
	}
}

// displayWidth counts a wide (CJK) character as two columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if utf8.RuneLen(r) >= 3 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// TestStatusHierarchy: the TEST CARD banner and test_card follow what the
// card's certificates chain to, whatever the reader is called; a card of
// certificates under no known root shows none and says "unknown".
func TestStatusHierarchy(t *testing.T) {
	test := jpkitest.DefaultHolder().Contents()
	st, out := statusOf(t, i18n.Japanese, test)
	if !st.TestCard || st.Hierarchy != hierarchyTest || st.Virtual {
		t.Errorf("test card on a named reader: test_card %v hierarchy %q virtual %v", st.TestCard, st.Hierarchy, st.Virtual)
	}
	if !strings.HasPrefix(out, "*** テストカード — 本物のマイナンバーカードではありません ***\n") {
		t.Errorf("no banner:\n%s", out)
	}
	checkStatusJSON(t, st)

	// The same card with every certificate replaced by ones under a
	// J-LIS-named root that is neither pinned nor a test root.
	prod := newFakeHierarchy(t, "JPKI", nil)
	other := test
	other.SignCACert, other.AuthCACert, other.AuthCert = prod.root.Raw, prod.root.Raw, prod.leaf.Raw
	st, out = statusOf(t, i18n.Japanese, other)
	if st.TestCard || st.Hierarchy != hierarchyUnknown {
		t.Errorf("unknown hierarchy: test_card %v hierarchy %q", st.TestCard, st.Hierarchy)
	}
	if strings.Contains(out, "テストカード") {
		t.Errorf("banner on a card of no test hierarchy:\n%s", out)
	}
	checkStatusJSON(t, st)

	// One test certificate among them is enough.
	other.AuthCert = test.AuthCert
	if st, _ = statusOf(t, i18n.English, other); !st.TestCard || st.Hierarchy != hierarchyTest {
		t.Errorf("one test certificate: test_card %v hierarchy %q", st.TestCard, st.Hierarchy)
	}
}

// fakeHierarchy is a root and a certificate it issued.
type fakeHierarchy struct{ root, leaf *x509.Certificate }

// newFakeHierarchy makes a root named O=org and an authentication
// certificate under it asserting policies.
func newFakeHierarchy(t *testing.T, org string, policies []asn1.ObjectIdentifier) fakeHierarchy {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	name := pkix.Name{Country: []string{"JP"}, Organization: []string{org},
		OrganizationalUnit: []string{"JPKI for user authentication", "Japan Agency for Local Authority Information Systems"}}
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: name, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	for _, p := range policies {
		ints := make([]uint64, len(p))
		for i, n := range p {
			ints[i] = uint64(n)
		}
		oid, err := x509.OIDFromInts(ints)
		if err != nil {
			t.Fatal(err)
		}
		leafTmpl.Policies = append(leafTmpl.Policies, oid)
	}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, root, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return fakeHierarchy{root, leaf}
}

// TestClassifyHierarchy: the root whose key verifies a certificate
// decides; without one, a J-LIS test policy or a non-J-LIS issuer name
// means test; a test certificate among production ones makes the card
// test.
func TestClassifyHierarchy(t *testing.T) {
	jlis := newFakeHierarchy(t, "JPKI", nil)
	jlisTestPolicy := newFakeHierarchy(t, "JPKI", []asn1.ObjectIdentifier{jpkioid.PolicyAuthTest})
	jlisSignTestPolicy := newFakeHierarchy(t, "JPKI", []asn1.ObjectIdentifier{jpkioid.PolicySignTest})
	foreign := newFakeHierarchy(t, "Example Corp", nil)
	testOrg := newFakeHierarchy(t, jpkitest.OrganizationTest, nil)
	prodRoot := &jpki.Root{Certificate: jlis.root, Production: true}
	holder := jpkitest.DefaultHolder().Contents()
	holderAuth, err := x509.ParseCertificate(holder.AuthCert)
	if err != nil {
		t.Fatal(err)
	}
	var testRoots []*jpki.Root
	for _, c := range jpkitest.Default().AllRoots(card.AuthKey) {
		testRoots = append(testRoots, &jpki.Root{Certificate: c})
	}
	// A root named like J-LIS's but reported as test (as Roots reports a
	// test root) decides by its key, not by its name.
	testNamedJLIS := &jpki.Root{Certificate: jlis.root}
	for _, c := range []struct {
		name  string
		certs []*x509.Certificate
		roots []*jpki.Root
		want  string
	}{
		{"nothing read", nil, []*jpki.Root{prodRoot}, hierarchyUnknown},
		{"production root", []*x509.Certificate{jlis.leaf, jlis.root}, []*jpki.Root{prodRoot}, hierarchyProduction},
		{"J-LIS name, no root", []*x509.Certificate{jlis.leaf, jlis.root}, nil, hierarchyUnknown},
		{"test root by key", []*x509.Certificate{jlis.leaf}, []*jpki.Root{testNamedJLIS}, hierarchyTest},
		{"jpkitest holder", []*x509.Certificate{holderAuth}, testRoots, hierarchyTest},
		{"jpkitest holder, test roots unknown here", []*x509.Certificate{holderAuth}, []*jpki.Root{prodRoot}, hierarchyTest},
		{"J-LIS test auth policy", []*x509.Certificate{jlisTestPolicy.leaf}, nil, hierarchyTest},
		{"J-LIS test sign policy", []*x509.Certificate{jlisSignTestPolicy.leaf}, nil, hierarchyTest},
		{"foreign issuer", []*x509.Certificate{foreign.leaf}, nil, hierarchyTest},
		{"JPKI-TEST issuer", []*x509.Certificate{testOrg.root}, nil, hierarchyTest},
		{"production then test", []*x509.Certificate{jlis.leaf, holderAuth}, append([]*jpki.Root{prodRoot}, testRoots...), hierarchyTest},
		{"test then production", []*x509.Certificate{holderAuth, jlis.leaf}, append([]*jpki.Root{prodRoot}, testRoots...), hierarchyTest},
	} {
		if got := classifyHierarchy(c.certs, c.roots); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
