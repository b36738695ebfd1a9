package jpki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// cardGeneration is one row of the algorithm table: a holder on an RSA-2048
// card (today's) or on a speculative ECDSA P-384 card.
type cardGeneration struct {
	name   string
	holder func(t testing.TB) *jpkitest.Holder
	alg    SignatureAlgorithm
	hash   crypto.Hash
}

var cardGenerations = []cardGeneration{
	{"RSA-2048", func(testing.TB) *jpkitest.Holder { return jpkitest.DefaultHolder() }, RS256, crypto.SHA256},
	{"ECDSA-P384", ecdsaHolder, ES384, crypto.SHA384},
}

// ecdsaHolder is the default holder renewed onto an ECDSA card.
func ecdsaHolder(t testing.TB) *jpkitest.Holder {
	t.Helper()
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration, KeySalt: "ecdsa"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mixedTestRoots trusts every generation of the test PKI, RSA and ECDSA.
func mixedTestRoots(t testing.TB) *Roots {
	t.Helper()
	p := jpkitest.Default()
	r, err := NewRoots(WithTestHierarchy(append(p.AllRoots(card.SignKey), p.AllRoots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// genSigner returns a Signer for h's key of kind on a fresh virtual card
// built for h (with the speculative ECDSA keys where h has them).
func genSigner(t testing.TB, h *jpkitest.Holder, kind card.KeyKind) (*Signer, *pinPrompt) {
	t.Helper()
	j := virtualJPKI(t, h, card.Options{SpeculativeECDSA: true}, h.VirtualOptions()...)
	xc, key, pin := h.AuthCert, card.AuthKey, h.Spec.AuthPIN
	if kind == card.SignKey {
		xc, key, pin = h.SignCert, card.SignKey, h.Spec.SignPIN
	}
	p := &pinPrompt{pin: pin}
	s, err := NewSigner(context.Background(), j, key, mustParseX(t, xc), p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

func TestAlgorithmFor(t *testing.T) {
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	tests := []struct {
		name string
		pub  crypto.PublicKey
		want SignatureAlgorithm
		hash crypto.Hash
	}{
		{"RSA-2048", jpkitest.DefaultHolder().SignCert.PublicKey, RS256, crypto.SHA256},
		{"P-384", ecdsaHolder(t).SignCert.PublicKey, ES384, crypto.SHA384},
		{"P-256", &p256.PublicKey, ES256, crypto.SHA256},
		{"RSA-1024", &rsa1024.PublicKey, "", 0},
		{"P-521", &p521.PublicKey, "", 0},
		{"nil", nil, "", 0},
	}
	for _, tt := range tests {
		a, err := AlgorithmFor(tt.pub)
		h, _ := HashFor(tt.pub)
		if a != tt.want || h != tt.hash || (tt.want == "") != errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("%s: %q %v %v, want %q %v", tt.name, a, h, err, tt.want, tt.hash)
		}
	}
}

func TestVerifyDigest(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	r := jpkitest.DefaultHolder().AuthKey
	d := crypto.SHA384.New()
	d.Write(cmsData)
	digest := d.Sum(nil)
	esig, _ := ecdsa.SignASN1(rand.Reader, k, digest)
	rsig, _ := rsa.SignPKCS1v15(nil, r, crypto.SHA384, digest)
	pss, _ := rsa.SignPSS(rand.Reader, r, crypto.SHA384, digest, nil)
	pssOpts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}
	tests := []struct {
		name string
		pub  crypto.PublicKey
		h    crypto.Hash
		d    []byte
		sig  []byte
		opts crypto.SignerOpts
		ok   bool
	}{
		{"ECDSA", &k.PublicKey, crypto.SHA384, digest, esig, crypto.SHA384, true},
		{"ECDSA over other data", &k.PublicKey, crypto.SHA384, make([]byte, 48), esig, crypto.SHA384, false},
		{"ECDSA signature with the RSA key", &r.PublicKey, crypto.SHA384, digest, esig, crypto.SHA384, false},
		{"RSA PKCS#1 v1.5", &r.PublicKey, crypto.SHA384, digest, rsig, crypto.SHA384, true},
		{"RSA signature with the ECDSA key", &k.PublicKey, crypto.SHA384, digest, rsig, crypto.SHA384, false},
		{"RSA-PSS", &r.PublicKey, crypto.SHA384, digest, pss, pssOpts, true},
		{"PSS signature as PKCS#1 v1.5", &r.PublicKey, crypto.SHA384, digest, pss, crypto.SHA384, false},
		{"digest length", &k.PublicKey, crypto.SHA256, digest, esig, crypto.SHA256, false},
		{"SHA-1", &k.PublicKey, crypto.SHA1, digest[:20], esig, crypto.SHA1, false},
	}
	for _, tt := range tests {
		err := VerifyDigest(tt.pub, tt.h, tt.d, tt.sig, tt.opts)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestSignerGenerations signs through the virtual card of each generation
// with both keys and the key's own hash, and checks the signature with the
// certificate's key, the algorithm and the TLS schemes.
func TestSignerGenerations(t *testing.T) {
	for _, g := range cardGenerations {
		h := g.holder(t)
		for _, kind := range []card.KeyKind{card.AuthKey, card.SignKey} {
			t.Run(g.name+"/"+kind.String(), func(t *testing.T) {
				s, p := genSigner(t, h, kind)
				if s.Algorithm() != g.alg {
					t.Fatalf("algorithm %s, want %s", s.Algorithm(), g.alg)
				}
				hh, err := HashFor(s.Public())
				if err != nil || hh != g.hash {
					t.Fatalf("HashFor %v %v", hh, err)
				}
				for _, hash := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
					d := hash.New()
					d.Write(cmsData)
					digest := d.Sum(nil)
					sig, err := s.Sign(rand.Reader, digest, hash)
					if err != nil {
						t.Fatalf("%v: %v", hash, err)
					}
					if err := VerifyDigest(s.Certificate().PublicKey, hash, digest, sig, hash); err != nil {
						t.Errorf("%v: %v", hash, err)
					}
					digest[0] ^= 1
					if VerifyDigest(s.Certificate().PublicKey, hash, digest, sig, hash) == nil {
						t.Errorf("%v: verifies over another digest", hash)
					}
				}
				if n := p.calls.Load(); n != 3 {
					t.Errorf("PIN asked %d times for 3 signatures", n)
				}
				tc := s.TLSCertificate()
				if len(tc.SupportedSignatureAlgorithms) == 0 {
					t.Fatal("no TLS signature schemes")
				}
				want := map[SignatureAlgorithm]tls.SignatureScheme{RS256: tls.PKCS1WithSHA256, ES384: tls.ECDSAWithP384AndSHA384}[g.alg]
				if tc.SupportedSignatureAlgorithms[0] != want {
					t.Errorf("TLS schemes %v", tc.SupportedSignatureAlgorithms)
				}
			})
		}
	}
}

func TestSignerECDSARefusals(t *testing.T) {
	h := ecdsaHolder(t)
	s, p := genSigner(t, h, card.AuthKey)
	tests := []struct {
		name   string
		digest []byte
		opts   crypto.SignerOpts
		want   error
	}{
		{"prepared input", make([]byte, 48), crypto.Hash(0), ErrUnsupportedHash},
		{"SHA-1", make([]byte, 20), crypto.SHA1, ErrUnsupportedHash},
		{"short digest", make([]byte, 47), crypto.SHA384, ErrDigestLength},
		{"PSS", make([]byte, 48), &rsa.PSSOptions{Hash: crypto.SHA384}, ErrPSSNotSupported},
	}
	for _, tt := range tests {
		if _, err := s.Sign(rand.Reader, tt.digest, tt.opts); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := p.calls.Load(); n != 0 {
		t.Errorf("PIN asked %d times for refused inputs", n)
	}
	// Without the speculative option the card layer refuses an ECDSA
	// certificate before any PIN.
	j := virtualJPKI(t, h, card.Options{}, h.VirtualOptions()...)
	if _, err := NewSigner(context.Background(), j, card.AuthKey, mustParseX(t, h.AuthCert), p.prompt); !errors.Is(err, card.ErrUnsupportedKey) {
		t.Errorf("NewSigner without SpeculativeECDSA: %v", err)
	}
	// An ECDSA certificate over an RSA card: the card's answer is not the
	// certificate's key's.
	rsaCard := virtualJPKI(t, jpkitest.DefaultHolder(), card.Options{SpeculativeECDSA: true})
	ms, err := NewSigner(context.Background(), rsaCard, card.AuthKey, mustParseX(t, h.AuthCert), (&pinPrompt{pin: jpkitest.DefaultAuthPIN}).prompt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ms.Sign(rand.Reader, make([]byte, 48), crypto.SHA384); err == nil {
		t.Error("an RSA card signed for an ECDSA certificate")
	}
}

// TestChainMixedHierarchy verifies each generation's certificates against
// a mixed set of roots, and refuses them where their generation is not
// trusted.
func TestChainMixedHierarchy(t *testing.T) {
	mixed := mixedTestRoots(t)
	rsaOnly := allTestRoots(t)
	prod, err := NewRoots()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cardGenerations {
		h := g.holder(t)
		for _, c := range []*x509.Certificate{h.SignCert, h.AuthCert} {
			cert := mustParseX(t, c)
			v, err := Verify(cert, mixed, VerifyOptions{Time: refTime(), Kind: cert.Kind})
			if err != nil {
				t.Fatalf("%s %s: %v", g.name, cert.Kind, err)
			}
			if !bytes.Equal(v.Root.Certificate.Raw, map[card.KeyKind]*x509.Certificate{card.SignKey: h.SignCA, card.AuthKey: h.AuthCA}[cert.Kind].Raw) {
				t.Errorf("%s %s: verified to another root", g.name, cert.Kind)
			}
			if _, err := Verify(cert, prod, VerifyOptions{Time: refTime(), Kind: cert.Kind}); !errors.Is(err, ErrUnknownIssuer) {
				t.Errorf("%s %s under production roots: %v", g.name, cert.Kind, err)
			}
			_, err = Verify(cert, rsaOnly, VerifyOptions{Time: refTime(), Kind: cert.Kind})
			if g.alg == RS256 && err != nil {
				t.Errorf("%s %s under RSA roots: %v", g.name, cert.Kind, err)
			}
			if g.alg != RS256 && !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s %s under RSA roots only: %v, want %v", g.name, cert.Kind, err, ErrBadSignature)
			}
		}
	}
}

func TestCMSGenerations(t *testing.T) {
	roots := mixedTestRoots(t)
	for _, g := range cardGenerations {
		h := g.holder(t)
		s, p := genSigner(t, h, card.SignKey)
		for _, detached := range []bool{false, true} {
			for _, hash := range []crypto.Hash{0, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
				sig, err := SignCMS(cmsData, s, s.Certificate().Certificate, []*x509.Certificate{h.SignCA}, CMSOptions{Detached: detached, SigningTime: refTime(), Hash: hash})
				if err != nil {
					t.Fatalf("%s: %v", g.name, err)
				}
				var data []byte
				if detached {
					data = cmsData
				}
				v, err := VerifyCMS(sig, data, roots, VerifyOptions{Time: refTime(), Kind: card.SignKey})
				if err != nil {
					t.Fatalf("%s detached %v %v: %v", g.name, detached, hash, err)
				}
				want := hash
				if want == 0 {
					want = g.hash
				}
				if v.Hash != want || !v.Signer.Equal(h.SignCert) {
					t.Errorf("%s: hash %v signer %v", g.name, v.Hash, v.Signer.Subject)
				}
				if detached {
					tampered := append([]byte("!"), cmsData[1:]...)
					if _, err := VerifyCMS(sig, tampered, roots, VerifyOptions{Time: refTime()}); !errors.Is(err, ErrCMSSignature) {
						t.Errorf("%s: tampered content: %v", g.name, err)
					}
				}
			}
		}
		if n := p.calls.Load(); n != 8 {
			t.Errorf("%s: PIN asked %d times for 8 signatures", g.name, n)
		}
	}
}

// TestCMSECDSAOpenSSL: openssl cms -verify accepts our ECDSA CMS from the
// speculative card, and we verify openssl cms -sign's ECDSA CMS made with
// the same holder's key.
func TestCMSECDSAOpenSSL(t *testing.T) {
	openssl := needOpenSSL(t)
	h := ecdsaHolder(t)
	s, _ := genSigner(t, h, card.SignKey)
	dir := t.TempDir()
	rootPEM := filepath.Join(dir, "root.pem")
	writePEM(t, rootPEM, "CERTIFICATE", h.SignCA.Raw)
	dataFile := filepath.Join(dir, "data.txt")
	writeFile(t, dataFile, cmsData)
	attime := strconv.FormatInt(refTime().Unix(), 10)
	for _, detached := range []bool{false, true} {
		sig, err := SignCMS(cmsData, s, s.Certificate().Certificate, []*x509.Certificate{h.SignCA}, CMSOptions{Detached: detached, SigningTime: refTime()})
		if err != nil {
			t.Fatal(err)
		}
		sigFile := filepath.Join(dir, "ours.der")
		writeFile(t, sigFile, sig)
		args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile, "-CAfile", rootPEM, "-purpose", "any", "-attime", attime}
		if detached {
			args = append(args, "-content", dataFile)
		}
		out, err := exec.Command(openssl, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("detached %v: openssl: %v\n%s", detached, err, ee.Stderr)
			}
			t.Fatal(err)
		}
		if !bytes.Equal(out, cmsData) {
			t.Errorf("openssl printed %q", out)
		}
		info, err := exec.Command(openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigFile).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(info, []byte("ecdsa-with-SHA384")) || !bytes.Contains(info, []byte("sha384")) {
			t.Errorf("openssl does not see ecdsa-with-SHA384 over SHA-384:\n%s", info)
		}
	}

	keyDER, err := x509.MarshalPKCS8PrivateKey(h.SignKeyECDSA)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	writePEM(t, certFile, "CERTIFICATE", h.SignCert.Raw)
	roots := mixedTestRoots(t)
	for _, md := range []string{"sha384", "sha256"} {
		for _, detached := range []bool{false, true} {
			sigFile := filepath.Join(dir, "theirs.der")
			args := []string{"cms", "-sign", "-binary", "-in", dataFile, "-signer", certFile, "-inkey", keyFile, "-md", md, "-outform", "DER", "-out", sigFile}
			if !detached {
				args = append(args, "-nodetach")
			}
			if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl cms -sign: %v\n%s", err, out)
			}
			sig, err := os.ReadFile(sigFile)
			if err != nil {
				t.Fatal(err)
			}
			var data []byte
			if detached {
				data = cmsData
			}
			v, err := VerifyCMS(sig, data, roots, VerifyOptions{Time: refTime(), Kind: card.SignKey})
			if err != nil {
				t.Fatalf("%s detached %v: %v", md, detached, err)
			}
			if !v.Signer.Equal(h.SignCert) || !bytes.Equal(v.Content, cmsData) {
				t.Errorf("signer %v content %q", v.Signer.Subject, v.Content)
			}
			if _, err := VerifyCMS(sig, data, allTestRoots(t), VerifyOptions{Time: refTime(), Kind: card.SignKey}); err == nil {
				t.Error("ECDSA CMS verified under RSA roots only")
			}
		}
	}
}
