package pcscpath

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
	"encoding/pem"
	"errors"
	"math/big"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
	"github.com/mynacard/mynacard/token"
)

// generation is one row of the card-generation table: today's RSA-2048
// card, or a speculative ECDSA P-384 card of the same holder.
type generation struct {
	name   string
	holder func(t testing.TB) *jpkitest.Holder
	alg    jpki.SignatureAlgorithm
}

var generations = []generation{
	{"RSA-2048", func(testing.TB) *jpkitest.Holder { return jpkitest.DefaultHolder() }, jpki.RS256},
	{"ECDSA-P384", func(t testing.TB) *jpkitest.Holder {
		t.Helper()
		h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration, Number: jpkitest.DefaultHolder().Spec.Number, KeySalt: "ecdsa"})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}, jpki.ES384},
}

// mixedRoots trusts both test generations, RSA and ECDSA.
func mixedRoots(t testing.TB) *jpki.Roots {
	t.Helper()
	p := jpkitest.Default()
	r, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.AllRoots(card.SignKey), p.AllRoots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mixedCRLs is a fresh empty CRL from each root that issued h's
// certificates, written by jpkitest.WriteCRL (RSA- or ECDSA-signed).
func mixedCRLs(t testing.TB, h *jpkitest.Holder, now time.Time) *revocation.CRLSet {
	t.Helper()
	p := jpkitest.Default()
	chk := revocation.NewCRLSet(append(p.AllRoots(card.SignKey), p.AllRoots(card.AuthKey)...), revocation.CRLSetOptions{Now: func() time.Time { return now }})
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		ca := h.SignCA
		if kind == card.AuthKey {
			ca = h.AuthCA
		}
		for gen := jpkitest.FirstGeneration; gen <= jpkitest.ECDSAGeneration; gen++ {
			root, key := p.Root(kind, gen)
			if !root.Equal(ca) {
				continue
			}
			var buf bytes.Buffer
			if _, err := jpkitest.WriteCRL(&buf, root, key, jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
			crl, err := revocation.ParseCRL(&buf, revocation.ParseOptions{Issuers: p.AllRoots(kind), Source: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := chk.Add(crl); err != nil {
				t.Fatal(err)
			}
		}
	}
	return chk
}

// TestSigningPathsGenerations runs every signing path through pcscd and
// vpcd on each card generation: the crypto.Signer with both keys (and the
// SIGN answer's size on the wire), CMS verified by us and by openssl cms,
// identification with both keys, qualification, tokens with both keys
// through a validator, and operator-sealed records with a key of the same
// algorithm.
func TestSigningPathsGenerations(t *testing.T) {
	for _, g := range generations {
		t.Run(g.name, func(t *testing.T) {
			h := g.holder(t)
			r := newRig(t, rigConfig{holder: h, opts: card.Options{SpeculativeECDSA: true}})
			ctx := ctxT(t)
			now := jpkitest.ReferenceTime()
			roots := mixedRoots(t)

			// The signer, both keys.
			for _, key := range []card.KeyKind{card.AuthKey, card.SignKey} {
				pin := h.Spec.AuthPIN
				var cert *jpki.Certificate
				var err error
				if key == card.SignKey {
					pin = h.Spec.SignPIN
					cert, err = jpki.ReadSignCertificate(ctx, r.j, answer(pin).ask)
				} else {
					cert, err = jpki.ReadAuthCertificate(ctx, r.j)
				}
				if err != nil {
					t.Fatal(err)
				}
				s, err := jpki.NewSigner(ctx, r.j, key, cert, answer(pin).ask)
				if err != nil {
					t.Fatal(err)
				}
				if s.Algorithm() != g.alg {
					t.Fatalf("%v: algorithm %s", key, s.Algorithm())
				}
				hash := g.alg.Hash()
				digest := hashBytes(hash, []byte("mynacard through pcscd"))
				r.vc.resetLog()
				sig, err := s.SignContext(ctx, nil, digest, hash)
				if err != nil {
					t.Fatalf("%v: %v", key, err)
				}
				if err := jpki.VerifyDigest(cert.PublicKey, hash, digest, sig, hash); err != nil {
					t.Errorf("%v: %v", key, err)
				}
				if countINS(r.vc.commands(), insSign) != 1 {
					t.Errorf("%v: INS % X, want one SIGN", key, insOf(r.vc.commands()))
				}
				if key == card.SignKey {
					checkCMS(t, ctx, s, cert, h, roots, now)
				}
			}

			// Identification, qualification and records.
			dir := t.TempDir()
			st, err := storeopen.Open(ctx, filepath.Join(dir, "store.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			opKey, opCert := sealingKey(t, g.alg)
			c, err := confirm.New(confirm.Config{Roots: roots, Revocation: mixedCRLs(t, h, now), Enrolments: st, Records: st, Eligibility: st, Operator: "clerk",
				Now: func() time.Time { return now }, Seal: operator.Sealer(opKey)})
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []card.KeyKind{card.SignKey, card.AuthKey} {
				pin := h.Spec.SignPIN
				if key == card.AuthKey {
					pin = h.Spec.AuthPIN
				}
				id, err := c.Identify(ctx, r.j, confirm.IdentifyOptions{Key: key, Prompt: answer(pin).ask, Enroll: key == card.SignKey})
				if err != nil {
					t.Fatalf("identify %v: %v", key, err)
				}
				if !id.Verdict.OK || id.Verdict.Signature.Algorithm != string(g.alg) {
					t.Fatalf("identify %v: %+v", key, id.Verdict)
				}
			}
			if _, err := st.ImportEligibilityCSV(ctx, strings.NewReader(eligibilityRow(h.AuthCert))); err != nil {
				t.Fatal(err)
			}
			q, err := c.Qualify(ctx, r.j, confirm.QualifyOptions{Prompt: answer(h.Spec.AuthPIN).ask})
			if err != nil || !q.Verdict.OK || q.Eligibility == nil || !q.Eligibility.Eligible || q.Verdict.Signature.Algorithm != string(g.alg) {
				t.Fatalf("qualify: %+v, %v", q, err)
			}
			rep, err := operator.VerifyStore(ctx, st, operator.VerifyOptions{TrustedCerts: []*x509.Certificate{opCert}})
			if err != nil || !rep.OK() || rep.Verified != 3 {
				t.Fatalf("records: %+v, %v", rep, err)
			}

			// Tokens, both keys.
			nonces := &token.MemoryNonces{Now: func() time.Time { return now }}
			chs := &token.Challenges{Nonces: nonces, Now: func() time.Time { return now }}
			v := &token.Validator{Roots: roots, Nonces: nonces, Revocation: mixedCRLs(t, h, now), Now: func() time.Time { return now }}
			for _, key := range []card.KeyKind{card.AuthKey, card.SignKey} {
				pin, want := h.Spec.AuthPIN, card.AuthKey
				if key == card.SignKey {
					pin, want = h.Spec.SignPIN, card.SignKey
				}
				ch, err := chs.Issue(ctx)
				if err != nil {
					t.Fatal(err)
				}
				tok, err := confirm.MakeToken(ctx, r.j, confirm.TokenOptions{Key: key, Audience: "https://bank.example", Nonce: ch.Nonce, Prompt: answer(pin).ask,
					Consent: func(context.Context, confirm.ConsentRequest) error { return nil }})
				if err != nil {
					t.Fatalf("token %v: %v", key, err)
				}
				raw, _ := json.Marshal(tok)
				res, err := v.Validate(ctx, raw, "https://bank.example", ch.Nonce, want)
				if err != nil || tok.Algorithm != string(g.alg) || res.Algorithm != g.alg {
					t.Fatalf("token %v: %s %+v, %v", key, tok.Algorithm, res, err)
				}
			}
		})
	}
}

func hashBytes(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// checkCMS signs CMS with s through pcscd and verifies it with VerifyCMS
// and, when installed, openssl cms -verify.
func checkCMS(t *testing.T, ctx context.Context, s *jpki.Signer, cert *jpki.Certificate, h *jpkitest.Holder, roots *jpki.Roots, at time.Time) {
	t.Helper()
	data := []byte("契約書 — signed through pcscd\n")
	sig, err := jpki.SignCMS(data, s, cert.Certificate, []*x509.Certificate{h.SignCA}, jpki.CMSOptions{Detached: true, SigningTime: at})
	if err != nil {
		t.Fatal(err)
	}
	v, err := jpki.VerifyCMS(sig, data, roots, jpki.VerifyOptions{Time: at, Kind: card.SignKey})
	if err != nil || !v.Signer.Equal(h.SignCert) {
		t.Fatalf("VerifyCMS: %v", err)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Log("openssl not installed: CMS checked by VerifyCMS only")
		return
	}
	dir := t.TempDir()
	rootFile, dataFile, sigFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "data.txt"), filepath.Join(dir, "sig.der")
	writeFile(t, rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.SignCA.Raw}))
	writeFile(t, dataFile, data)
	writeFile(t, sigFile, sig)
	out, err := exec.CommandContext(ctx, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile, "-content", dataFile,
		"-CAfile", rootFile, "-purpose", "any", "-attime", strconv.FormatInt(at.Unix(), 10)).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openssl cms -verify: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Errorf("openssl printed %q", out)
	}
}

// sealingKey is an operator key of the row's algorithm family: a derived
// RSA-2048 test key, or a fresh P-384 key.
func sealingKey(t testing.TB, alg jpki.SignatureAlgorithm) (operator.Key, *x509.Certificate) {
	t.Helper()
	var signer crypto.Signer = jpkitest.DefaultHolder().TextCAKey
	if alg != jpki.RS256 {
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer = k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Clerk " + string(alg)},
		NotBefore: jpkitest.ReferenceTime().AddDate(-1, 0, 0), NotAfter: jpkitest.ReferenceTime().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
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

// eligibilityRow is one valid eligibility CSV row for auth.
func eligibilityRow(auth *x509.Certificate) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(strings.Split(store.EligibilityCSVHeader, ","))
	w.Write([]string{confirm.IssuerString(auth), confirm.SerialString(auth), "06123456", "ABC", "1234", "01",
		"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2025-04-01", "", "", "30", "1"})
	w.Flush()
	return b.String()
}
