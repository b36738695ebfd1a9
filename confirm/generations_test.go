package confirm_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/token"
)

// cardGeneration is one row of the algorithm table: today's RSA-2048 card,
// or a speculative ECDSA P-384 card of the same holder.
type cardGeneration struct {
	name   string
	holder func(t testing.TB) *jpkitest.Holder
	alg    string
}

var cardGenerations = []cardGeneration{
	{"RSA-2048", func(testing.TB) *jpkitest.Holder { return jpkitest.DefaultHolder() }, confirm.AlgorithmRSASHA256},
	{"ECDSA-P384", ecdsaHolder, confirm.AlgorithmECDSAP384SHA384},
}

// ecdsaHolder is the default holder (same Individual Number, name,
// address and birth date) renewed onto an ECDSA card: new keys, new
// serials, certificates from the ECDSA root generation.
func ecdsaHolder(t testing.TB) *jpkitest.Holder {
	t.Helper()
	d := jpkitest.DefaultHolder()
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration, Number: d.Spec.Number, KeySalt: "ecdsa"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// genCard is a virtual card for h opened with the speculative ECDSA
// scheme allowed (RSA cards ignore it).
func genCard(t testing.TB, h *jpkitest.Holder) *card.JPKI {
	t.Helper()
	return cardOf(t, h, card.Options{SpeculativeECDSA: true}, h.VirtualOptions()...)
}

// mixed makes e trust every test root generation, RSA and ECDSA, with
// fresh empty CRLs from the latest RSA and the ECDSA generation, written
// by jpkitest.WriteCRL.
func (e *env) mixed() *jpki.Roots {
	e.t.Helper()
	p := e.pki
	all := append(p.AllRoots(card.SignKey), p.AllRoots(card.AuthKey)...)
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(all...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.roots, e.cfg.Roots = roots, roots
	e.setMixedCRLs(nil)
	return roots
}

// setMixedCRLs makes the four CRLs, listing revoked by whichever root
// issued each certificate.
func (e *env) setMixedCRLs(revokedCerts []*x509.Certificate) {
	e.t.Helper()
	e.crls.CRLs = nil
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for _, gen := range []int{jpkitest.LatestGeneration, jpkitest.ECDSAGeneration} {
			root, key := e.pki.Root(kind, gen)
			var entries []jpkitest.CRLEntry
			for _, c := range revokedCerts {
				if bytes.Equal(c.AuthorityKeyId, root.SubjectKeyId) {
					entries = append(entries, jpkitest.CRLEntry{Serial: c.SerialNumber, RevokedAt: e.now.Add(-time.Hour), Reason: jpkitest.ReasonAffiliationChanged})
				}
			}
			var buf bytes.Buffer
			if _, err := jpkitest.WriteCRL(&buf, root, key, jpkitest.CRLOptions{ThisUpdate: e.now.Add(-time.Hour), Entries: entries}); err != nil {
				e.t.Fatal(err)
			}
			crl, err := revocation.ParseCRL(&buf, revocation.ParseOptions{Issuers: e.pki.AllRoots(kind), Source: kind.String() + "-gen" + string(rune('0'+gen)) + ".crl"})
			if err != nil {
				e.t.Fatal(err)
			}
			e.crls.CRLs = append(e.crls.CRLs, crl)
		}
	}
}

// operatorKey is a records-sealing key of the same algorithm as the row:
// RSA-2048 (a derived test key) or a fresh P-384 key.
func operatorKey(t testing.TB, g cardGeneration) (operator.Key, *x509.Certificate) {
	t.Helper()
	var signer crypto.Signer = jpkitest.DefaultHolder().TextCAKey
	if g.alg != confirm.AlgorithmRSASHA256 {
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer = k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "Clerk " + g.name},
		NotBefore:    jpkitest.ReferenceTime().AddDate(-1, 0, 0),
		NotAfter:     jpkitest.ReferenceTime().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	key, err := operator.NewKey(signer, cert)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// TestConfirmationsGenerations runs identification (both keys),
// qualification and operator-sealed records on each card generation, with
// a records key of the same algorithm.
func TestConfirmationsGenerations(t *testing.T) {
	for _, g := range cardGenerations {
		t.Run(g.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			e.mixed()
			h := g.holder(t)
			opKey, opCert := operatorKey(t, g)
			c := e.confirmer(func(c *confirm.Config) { c.Seal = operator.Sealer(opKey) })

			for _, key := range []card.KeyKind{card.SignKey, card.AuthKey} {
				p := pin(h.Spec.SignPIN)
				if key == card.AuthKey {
					p = pin(h.Spec.AuthPIN)
				}
				id, err := c.Identify(ctx, genCard(t, h), confirm.IdentifyOptions{Key: key, Prompt: p, Enroll: key == card.SignKey})
				if err != nil {
					t.Fatalf("%v: %v", key, err)
				}
				v := id.Verdict
				if !v.OK || !v.Signature.OK || v.Signature.Algorithm != g.alg || !v.Chain.OK || v.Revocation.Status != confirm.RevocationGood {
					t.Fatalf("%v: verdict %+v", key, v)
				}
				if key == card.SignKey && (id.Attributes == nil || id.Attributes.Name != jpkitest.DefaultName || id.Enrolment == nil) {
					t.Errorf("%v: attributes %+v enrolment %+v", key, id.Attributes, id.Enrolment)
				}
			}

			csv := eligibilityCSVFor(t, h.AuthCert, "06123456")
			if _, err := e.st.ImportEligibilityCSV(ctx, strings.NewReader(csv)); err != nil {
				t.Fatal(err)
			}
			q, err := c.Qualify(ctx, genCard(t, h), confirm.QualifyOptions{Prompt: pin(h.Spec.AuthPIN)})
			if err != nil {
				t.Fatal(err)
			}
			if !q.Verdict.OK || q.Verdict.Signature.Algorithm != g.alg || q.Eligibility == nil || !q.Eligibility.Eligible {
				t.Fatalf("qualify: %+v eligibility %+v", q.Verdict, q.Eligibility)
			}

			// Two identifications and a qualification, each sealed.
			rep, err := operator.VerifyStore(ctx, e.st, operator.VerifyOptions{TrustedCerts: []*x509.Certificate{opCert}})
			if err != nil || !rep.OK() || rep.Verified != 3 {
				t.Fatalf("records: %+v, %v", rep, err)
			}
		})
	}
}

// eligibilityCSVFor is one valid eligibility row for an authentication
// certificate.
func eligibilityCSVFor(t testing.TB, auth *x509.Certificate, insurer string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(strings.Split(store.EligibilityCSVHeader, ","))
	w.Write([]string{confirm.IssuerString(auth), confirm.SerialString(auth), insurer, "ABC", "1234", "01",
		"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2025-04-01", "", "", "30", "1"})
	w.Flush()
	return b.String()
}

// TestIdentifyMixedCardRefused: a card whose keys are RSA behind ECDSA
// certificates never gives an ok verdict, and an ECDSA card is refused
// before any PIN unless the speculative scheme is allowed.
func TestIdentifyMixedCardRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mixed()
	h := ecdsaHolder(t)
	ct := h.Contents()
	r := jpkitest.DefaultHolder()
	// ECDSA certificates, RSA keys.
	ct.AuthKey, ct.SignKey = r.AuthKey, r.SignKey
	j := cardOfContents(t, ct, card.Options{SpeculativeECDSA: true})
	if id, err := e.confirmer(nil).Identify(ctx, j, confirm.IdentifyOptions{Key: card.AuthKey, Prompt: pin(h.Spec.AuthPIN)}); err == nil && id.Verdict.OK {
		t.Fatalf("ECDSA certificate with an RSA key accepted: %+v", id.Verdict)
	}
	// Without the speculative option an ECDSA card is refused before any
	// PIN is asked.
	asked := 0
	count := func(context.Context, card.PINKind, int) ([]byte, error) { asked++; return []byte(h.Spec.AuthPIN), nil }
	if _, err := e.confirmer(nil).Identify(ctx, cardOf(t, h, card.Options{}, h.VirtualOptions()...), confirm.IdentifyOptions{Key: card.AuthKey, Prompt: count}); err == nil || asked != 0 {
		t.Errorf("ECDSA card without SpeculativeECDSA: %v, PIN asked %d times", err, asked)
	}
}

func cardOfContents(t testing.TB, ct virtual.Contents, opts card.Options) *card.JPKI {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(ct)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestRenewalRSAToECDSA: a holder enrolled with an RSA card renews onto an
// ECDSA card; the change links the two certificates like any renewal, and
// the batch check then follows the ECDSA enrolment.
func TestRenewalRSAToECDSA(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mixed()
	c := e.confirmer(nil)
	old := jpkitest.DefaultHolder()
	first, err := c.Identify(ctx, genCard(t, old), confirm.IdentifyOptions{Prompt: pin(old.Spec.SignPIN), Enroll: true})
	if err != nil || first.Enrolment == nil {
		t.Fatalf("enrolling the RSA card: %+v, %v", first, err)
	}
	oldID := first.Enrolment.ID
	// The holder moves and gets the new card: the old signing certificate
	// is revoked with affiliationChanged, which the batch check records.
	e.setMixedCRLs([]*x509.Certificate{old.SignCert})
	if r, err := c.CheckEnrolment(ctx, oldID); err != nil || r.Outcome != confirm.OutcomeRegistrationChanged {
		t.Fatalf("RSA enrolment after the move: %+v, %v", r, err)
	}
	nh := ecdsaHolder(t)
	sug, err := c.Identify(ctx, genCard(t, nh), confirm.IdentifyOptions{Prompt: pin(nh.Spec.SignPIN), Enroll: true})
	if err != nil || !sug.Verdict.OK || sug.NotEnrolled != confirm.NotEnrolledChangeCandidates || len(sug.ChangeCandidates) != 1 || sug.ChangeCandidates[0].ID != oldID {
		t.Fatalf("ECDSA card suggestion: %+v, %v", sug, err)
	}
	id, err := c.Identify(ctx, genCard(t, nh), confirm.IdentifyOptions{Prompt: pin(nh.Spec.SignPIN), Replaces: oldID})
	if err != nil {
		t.Fatal(err)
	}
	ch := id.Change
	if !id.Verdict.OK || id.Verdict.Signature.Algorithm != confirm.AlgorithmECDSAP384SHA384 || ch == nil || !ch.Linked || len(ch.Changes) != 0 {
		t.Fatalf("link: verdict %+v change %+v", id.Verdict, ch)
	}
	sum, err := c.CheckAll(ctx, nil, nil)
	if err != nil || sum.Checked != 1 || sum.Good != 1 {
		t.Errorf("summary after the renewal = %+v, %v", sum, err)
	}
	// The new ECDSA certificate revoked with affiliationChanged is a
	// registration change found by the batch, as for RSA.
	e.setMixedCRLs([]*x509.Certificate{old.SignCert, nh.SignCert})
	r, err := c.CheckEnrolment(ctx, ch.NewEnrolmentID)
	if err != nil || r.Outcome != confirm.OutcomeRegistrationChanged {
		t.Errorf("ECDSA enrolment after a move: %+v, %v", r, err)
	}
}

// genToken has h's card answer a fresh challenge of te for aud.
func (te *tokenEnv) genToken(t *testing.T, h *jpkitest.Holder, key card.KeyKind, aud string) (raw []byte, nonce string) {
	t.Helper()
	ctx := context.Background()
	ch, err := te.ch.Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := pin(h.Spec.AuthPIN)
	if key == card.SignKey {
		p = pin(h.Spec.SignPIN)
	}
	tok, err := confirm.MakeToken(ctx, genCard(t, h), confirm.TokenOptions{Key: key, Audience: aud, Nonce: ch.Nonce, Prompt: p, Consent: consentYes})
	if err != nil {
		t.Fatal(err)
	}
	raw, err = json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	return raw, ch.Nonce
}

// TestTokensGenerations: tokens from each generation, both keys, against
// validators for production roots, RSA test roots only, both test
// generations, and both with RequireProduction. Every RSA refusal code is
// the same for an ECDSA token.
func TestTokensGenerations(t *testing.T) {
	prod, err := jpki.NewRoots()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]map[string]token.Code{} // validator -> generation/key -> code
	for _, g := range cardGenerations {
		h := g.holder(t)
		for _, key := range []card.KeyKind{card.AuthKey, card.SignKey} {
			want := card.AuthKey
			if key == card.SignKey {
				want = card.SignKey
			}
			te := newTokenEnv(t)
			rsaOnly := te.roots
			mixed := te.mixed()
			validators := []struct {
				name  string
				roots *jpki.Roots
				prod  bool
			}{
				{"production", prod, false},
				{"production required", mixed, true},
				{"rsa test roots", rsaOnly, false},
				{"mixed test roots", mixed, false},
			}
			for _, vc := range validators {
				v := *te.v
				v.Roots, v.RequireProduction = vc.roots, vc.prod
				raw, nonce := te.genToken(t, h, key, audience)
				var tok token.Token
				if err := json.Unmarshal(raw, &tok); err != nil || tok.Algorithm != g.alg {
					t.Fatalf("%s: token algorithm %q, %v", g.name, tok.Algorithm, err)
				}
				res, err := v.Validate(context.Background(), raw, audience, nonce, want)
				code := token.CodeOf(err)
				if codes[vc.name] == nil {
					codes[vc.name] = map[string]token.Code{}
				}
				codes[vc.name][g.name+"/"+key.String()] = code
				if vc.name == "mixed test roots" {
					if err != nil || res == nil || string(res.Algorithm) != g.alg {
						t.Errorf("%s %v mixed: %+v, %v", g.name, key, res, err)
					}
				}
			}
			// Another audience: RSA names it, ECDSA cannot.
			raw, nonce := te.genToken(t, h, key, audience)
			_, err := te.v.Validate(context.Background(), raw, "https://evil.example", nonce, want)
			wantCode := token.DataMismatch
			if g.alg != confirm.AlgorithmRSASHA256 {
				wantCode = token.BadSignature
			}
			if token.CodeOf(err) != wantCode {
				t.Errorf("%s %v other audience: %v, want %s", g.name, key, err, wantCode)
			}
			// The token's algorithm label must be the key's.
			raw, nonce = te.genToken(t, h, key, audience)
			other := confirm.AlgorithmECDSAP384SHA384
			if g.alg != confirm.AlgorithmRSASHA256 {
				other = confirm.AlgorithmRSASHA256
			}
			relabelled := bytes.Replace(raw, []byte(`"algorithm":"`+g.alg+`"`), []byte(`"algorithm":"`+other+`"`), 1)
			if _, err := te.v.Validate(context.Background(), relabelled, audience, nonce, want); token.CodeOf(err) != token.UnsupportedAlgorithm {
				t.Errorf("%s %v relabelled %s: %v", g.name, key, other, err)
			}
			// A tampered signature.
			raw, nonce = te.genToken(t, h, key, audience)
			var tok token.Token
			json.Unmarshal(raw, &tok)
			tok.Signature[len(tok.Signature)/2] ^= 1
			if _, err := te.v.ValidateToken(context.Background(), &tok, audience, nonce, want); token.CodeOf(err) != token.BadSignature {
				t.Errorf("%s %v tampered: %v", g.name, key, err)
			}
		}
	}
	for vname, byRow := range codes {
		for _, key := range []string{"auth", "sign"} {
			r, e := byRow["RSA-2048/"+card.AuthKey.String()], byRow["ECDSA-P384/"+card.AuthKey.String()]
			if key == "sign" {
				r, e = byRow["RSA-2048/"+card.SignKey.String()], byRow["ECDSA-P384/"+card.SignKey.String()]
			}
			switch vname {
			case "production":
				if r != token.Untrusted || e != r {
					t.Errorf("%s %s: RSA %q ECDSA %q, want both %q", vname, key, r, e, token.Untrusted)
				}
			case "production required":
				if r != token.TestHierarchy || e != r {
					t.Errorf("%s %s: RSA %q ECDSA %q, want both %q", vname, key, r, e, token.TestHierarchy)
				}
			case "rsa test roots":
				if r != "" || e != token.Untrusted {
					t.Errorf("%s %s: RSA %q ECDSA %q, want accepted and %q", vname, key, r, e, token.Untrusted)
				}
			case "mixed test roots":
				if r != "" || e != "" {
					t.Errorf("%s %s: RSA %q ECDSA %q, want both accepted", vname, key, r, e)
				}
			}
		}
	}
	if len(codes) != 4 {
		t.Errorf("codes for %d validators", len(codes))
	}
}
