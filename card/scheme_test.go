package card_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

var (
	ecHolderOnce sync.Once
	ecHolder     *jpkitest.Holder
)

// ecdsaHolder is the default holder on a speculative ECDSA P-384 card.
func ecdsaHolder(t testing.TB) *jpkitest.Holder {
	ecHolderOnce.Do(func() {
		h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration, KeySalt: "ecdsa"})
		if err != nil {
			panic(err)
		}
		ecHolder = h
	})
	return ecHolder
}

// capture keeps every command APDU sent to the card.
type capture struct {
	reader.RawCard
	mu   sync.Mutex
	cmds [][]byte
}

func (c *capture) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	c.cmds = append(c.cmds, bytes.Clone(capdu))
	c.mu.Unlock()
	return c.RawCard.Transmit(capdu)
}

func (c *capture) signs() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][]byte
	for _, cmd := range c.cmds {
		if len(cmd) > 1 && cmd[1] == insSign {
			out = append(out, cmd)
		}
	}
	return out
}

func (c *capture) reset() { c.mu.Lock(); c.cmds = nil; c.mu.Unlock() }

// openHolder opens h's virtual card (with its speculative ECDSA keys, if
// any) behind a capturing loopback reader.
func openHolder(t testing.TB, h *jpkitest.Holder, opts card.Options) (*card.JPKI, *capture) {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(h.Contents(), h.VirtualOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	cp := &capture{RawCard: vc}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", cp, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	cp.reset()
	return j, cp
}

func TestSchemeFor(t *testing.T) {
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsaPub := defaultHolder().AuthCert.PublicKey
	p384Pub := ecdsaHolder(t).AuthCert.PublicKey
	off, _ := openHolder(t, defaultHolder(), card.Options{})
	on, _ := openHolder(t, defaultHolder(), card.Options{SpeculativeECDSA: true})
	tests := []struct {
		name string
		j    *card.JPKI
		pub  crypto.PublicKey
		want card.SignatureScheme
	}{
		{"RSA-2048", off, rsaPub, card.RSAPKCS1v15{Size: 256}},
		{"RSA-2048 speculative on", on, rsaPub, card.RSAPKCS1v15{Size: 256}},
		{"P-384 speculative off", off, p384Pub, nil},
		{"P-384", on, p384Pub, card.SpeculativeECDSA{Curve: elliptic.P384()}},
		{"P-256", on, &p256.PublicKey, card.SpeculativeECDSA{Curve: elliptic.P256()}},
		{"P-521", on, &p521.PublicKey, nil},
		{"RSA-1024", on, &rsa1024.PublicKey, nil},
		{"Ed25519", on, edPub, nil},
	}
	for _, tt := range tests {
		s, err := tt.j.SchemeFor(tt.pub)
		if tt.want == nil {
			if !errors.Is(err, card.ErrUnsupportedKey) {
				t.Errorf("%s: %v, %v; want ErrUnsupportedKey", tt.name, s, err)
			}
			continue
		}
		if err != nil || s != tt.want {
			t.Errorf("%s: %#v, %v; want %#v", tt.name, s, err, tt.want)
		}
	}
}

func TestRSASchemeInputOutput(t *testing.T) {
	s := card.RSAPKCS1v15{Size: 256}
	d := make([]byte, 48)
	in, err := s.Input(crypto.SHA384, d)
	if err != nil || len(in) != 19+48 || !bytes.HasPrefix(in, []byte{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}) {
		t.Errorf("SHA-384 DigestInfo % X, %v", in, err)
	}
	for _, bad := range []struct {
		h crypto.Hash
		d []byte
	}{{crypto.SHA384, d[:47]}, {crypto.MD5, make([]byte, 16)}, {0, nil}, {0, make([]byte, 246)}} {
		if _, err := s.Input(bad.h, bad.d); !errors.Is(err, card.ErrSignInput) {
			t.Errorf("Input(%v, %d bytes): %v", bad.h, len(bad.d), err)
		}
	}
	if in, err := s.Input(0, make([]byte, 245)); err != nil || len(in) != 245 {
		t.Errorf("prepared 245 bytes: %v", err)
	}
	cmd := s.Command([]byte{1, 2, 3})
	if cmd.CLA != 0x80 || cmd.INS != 0x2A || cmd.P1 != 0x00 || cmd.P2 != 0x80 {
		t.Errorf("command %+v", cmd)
	}
	for _, n := range []int{0, 255, 257} {
		if _, err := s.Output(make([]byte, n)); !errors.Is(err, card.ErrBadSignature) {
			t.Errorf("Output of %d bytes: %v", n, err)
		}
	}
}

// TestSpeculativeECDSAOutput converts r ‖ s answers of every width the
// integers can have (leading zero bytes included) and refuses malformed
// ones.
func TestSpeculativeECDSAOutput(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		s := card.SpeculativeECDSA{Curve: curve}
		n := (curve.Params().BitSize + 7) / 8
		k, _ := ecdsa.GenerateKey(curve, rand.Reader)
		digest := sha512.Sum384([]byte("mynacard"))
		shortR := false
		for i := 0; i < 1500 && !shortR; i++ {
			der, _ := ecdsa.SignASN1(rand.Reader, k, digest[:])
			r, sv := parseSig(t, der)
			raw := make([]byte, 2*n)
			r.FillBytes(raw[:n])
			sv.FillBytes(raw[n:])
			shortR = raw[0] == 0
			out, err := s.Output(raw)
			if err != nil {
				t.Fatalf("%s: %v", curve.Params().Name, err)
			}
			if !ecdsa.VerifyASN1(&k.PublicKey, digest[:], out) {
				t.Fatalf("%s: converted signature does not verify", curve.Params().Name)
			}
		}
		order := curve.Params().N
		bad := map[string][]byte{
			"empty":       nil,
			"one short":   make([]byte, 2*n-1),
			"one long":    make([]byte, 2*n+1),
			"DER instead": append([]byte{0x30, byte(2*n - 2)}, make([]byte, 2*n-2)...),
			"zero r":      append(make([]byte, n), append(make([]byte, n-1), 1)...),
			"r = n":       append(order.FillBytes(make([]byte, n)), append(make([]byte, n-1), 1)...),
			"s > n":       append(append(make([]byte, n-1), 1), bytes.Repeat([]byte{0xFF}, n)...),
		}
		for name, b := range bad {
			if _, err := s.Output(b); !errors.Is(err, card.ErrBadSignature) {
				t.Errorf("%s %s: %v", curve.Params().Name, name, err)
			}
		}
		for _, in := range []struct {
			h crypto.Hash
			n int
		}{{crypto.SHA1, 20}, {0, 48}, {crypto.SHA384, 32}, {crypto.SHA256, 48}} {
			if _, err := s.Input(in.h, make([]byte, in.n)); !errors.Is(err, card.ErrSignInput) {
				t.Errorf("Input(%v, %d bytes): %v", in.h, in.n, err)
			}
		}
	}
}

func parseSig(t *testing.T, der []byte) (r, s *big.Int) {
	t.Helper()
	// SEQUENCE { INTEGER, INTEGER } with short lengths (P-384 at most).
	rest := der[2:]
	read := func() *big.Int {
		l := int(rest[1])
		v := new(big.Int).SetBytes(rest[2 : 2+l])
		rest = rest[2+l:]
		return v
	}
	return read(), read()
}

// TestSignDigestGenerations signs with both keys of an RSA-2048 and a
// speculative ECDSA P-384 card through SignDigest and checks what went to
// the card: one SIGN `80 2A 00 80`, a DigestInfo for RSA and the bare
// digest for ECDSA.
func TestSignDigestGenerations(t *testing.T) {
	for _, h := range []*jpkitest.Holder{defaultHolder(), ecdsaHolder(t)} {
		j, cp := openHolder(t, h, card.Options{SpeculativeECDSA: true})
		for _, k := range []struct {
			key card.KeyKind
			pin string
			pub crypto.PublicKey
		}{{card.AuthKey, h.Spec.AuthPIN, h.AuthCert.PublicKey}, {card.SignKey, h.Spec.SignPIN, h.SignCert.PublicKey}} {
			scheme, err := j.SchemeFor(k.pub)
			if err != nil {
				t.Fatal(err)
			}
			digest := sha512.Sum384([]byte("mynacard"))
			cp.reset()
			sig, err := j.SignDigest(context.Background(), k.key, pin(k.pin).prompt, scheme, crypto.SHA384, digest[:])
			if err != nil {
				t.Fatalf("%s %v: %v", scheme.Name(), k.key, err)
			}
			signs := cp.signs()
			if len(signs) != 1 || !bytes.Equal(signs[0][:4], []byte{0x80, 0x2A, 0x00, 0x80}) {
				t.Fatalf("%s: SIGN APDUs % X", scheme.Name(), signs)
			}
			data := signs[0][5 : 5+int(signs[0][4])]
			switch pub := k.pub.(type) {
			case *rsa.PublicKey:
				if len(data) != 19+48 || rsa.VerifyPKCS1v15(pub, crypto.SHA384, digest[:], sig) != nil {
					t.Errorf("RSA %v: data %d bytes, signature does not verify", k.key, len(data))
				}
			case *ecdsa.PublicKey:
				if !bytes.Equal(data, digest[:]) || !ecdsa.VerifyASN1(pub, digest[:], sig) {
					t.Errorf("ECDSA %v: data % X, signature does not verify", k.key, data)
				}
			}
		}
	}
}

func TestSignDigestRefusedBeforeCard(t *testing.T) {
	h := ecdsaHolder(t)
	j, cp := openHolder(t, h, card.Options{SpeculativeECDSA: true})
	scheme, err := j.SchemeFor(h.AuthCert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := pin(h.Spec.AuthPIN)
	if _, err := j.SignDigest(context.Background(), card.AuthKey, p.prompt, scheme, crypto.SHA1, make([]byte, 20)); !errors.Is(err, card.ErrSignInput) {
		t.Errorf("SHA-1 with ECDSA: %v", err)
	}
	if _, err := j.SignDigest(context.Background(), card.AuthKey, p.prompt, nil, crypto.SHA384, make([]byte, 48)); err == nil {
		t.Error("nil scheme accepted")
	}
	if p.calls != 0 || len(cp.cmds) != 0 {
		t.Errorf("refused input reached the card (%d APDUs) or asked the PIN (%d)", len(cp.cmds), p.calls)
	}
	// The RSA scheme against the ECDSA card: the answer is not 256 bytes.
	if _, err := j.SignDigest(context.Background(), card.AuthKey, p.prompt, card.RSAPKCS1v15{Size: 256}, crypto.SHA384, make([]byte, 48)); err == nil {
		t.Error("an ECDSA card's answer passed as an RSA signature")
	}
}

func TestSignWithSignCertificateFunc(t *testing.T) {
	for _, h := range []*jpkitest.Holder{defaultHolder(), ecdsaHolder(t)} {
		j, cp := openHolder(t, h, card.Options{SpeculativeECDSA: true})
		digest := sha512.Sum384([]byte("challenge"))
		var seen crypto.PublicKey
		der, sig, err := j.SignWithSignCertificateFunc(context.Background(), pin(h.Spec.SignPIN).prompt,
			func(_ context.Context, certDER []byte, pub crypto.PublicKey) (card.SignatureScheme, crypto.Hash, []byte, error) {
				seen = pub
				s, err := j.SchemeFor(pub)
				return s, crypto.SHA384, digest[:], err
			})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(der, h.SignCert.Raw) || seen == nil || !seen.(interface{ Equal(crypto.PublicKey) bool }).Equal(h.SignCert.PublicKey) {
			t.Fatal("input did not see the signing certificate's key")
		}
		switch pub := h.SignCert.PublicKey.(type) {
		case *rsa.PublicKey:
			if rsa.VerifyPKCS1v15(pub, crypto.SHA384, digest[:], sig) != nil {
				t.Error("RSA signature does not verify")
			}
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, digest[:], sig) {
				t.Error("ECDSA signature does not verify")
			}
		}
		// Refused by input: nothing signed.
		cp.reset()
		_, _, err = j.SignWithSignCertificateFunc(context.Background(), pin(h.Spec.SignPIN).prompt,
			func(context.Context, []byte, crypto.PublicKey) (card.SignatureScheme, crypto.Hash, []byte, error) {
				return nil, 0, nil, errors.New("declined")
			})
		if !errors.Is(err, card.ErrNotApproved) || len(cp.signs()) != 0 {
			t.Errorf("declined: %v, %d SIGN", err, len(cp.signs()))
		}
	}
}

// TestPSSScheme: the RSA card's PSS mode is used only when allowed, sends
// `80 2A 04 80` with the SHA-256 hash, and gives a PSS signature.
func TestPSSScheme(t *testing.T) {
	h := defaultHolder()
	pub := h.AuthCert.PublicKey.(*rsa.PublicKey)
	off, _ := openHolder(t, h, card.Options{})
	if _, err := off.PSSSchemeFor(pub); !errors.Is(err, card.ErrUnsupportedKey) {
		t.Errorf("PSS without Options.RSAPSS: %v", err)
	}
	j, cp := openHolder(t, h, card.Options{RSAPSS: true})
	if _, err := j.PSSSchemeFor(ecdsaHolder(t).AuthCert.PublicKey); !errors.Is(err, card.ErrUnsupportedKey) {
		t.Errorf("PSS for an ECDSA key: %v", err)
	}
	s, err := j.PSSSchemeFor(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Input(crypto.SHA384, make([]byte, 48)); !errors.Is(err, card.ErrSignInput) {
		t.Errorf("PSS SHA-384 input: %v", err)
	}
	digest := make([]byte, 32)
	digest[0] = 1
	sig, err := j.SignDigest(context.Background(), card.AuthKey, pin(h.Spec.AuthPIN).prompt, s, crypto.SHA256, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}); err != nil {
		t.Error(err)
	}
	if signs := cp.signs(); len(signs) != 1 || !bytes.Equal(signs[0][:5], []byte{0x80, 0x2A, 0x04, 0x80, 0x20}) {
		t.Errorf("SIGN % X", signs)
	}
}
