package pivkey_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	vpiv "github.com/mynacard/mynacard/card/virtual/piv"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/operator/internal/chaintest"
	"github.com/mynacard/mynacard/operator/pivkey"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/store"

	"github.com/go-piv/piv-go/v2/piv"
)

func TestMain(m *testing.M) { pcsctest.Main(m) }

// testPIN is the virtual token's PIN in these tests (not the factory one).
const testPIN = "470815"

// pinFrom returns a PIN callback handing out pin and counting its calls.
// It returns a fresh slice each time; checkWiped (registered as a cleanup)
// checks that the package wiped every one of them.
func pinFrom(t *testing.T, pin string, calls *int) operator.PINFunc {
	var given [][]byte
	t.Cleanup(func() {
		for i, b := range given {
			if !bytes.Equal(b, make([]byte, len(b))) {
				t.Errorf("PIN slice %d was not wiped: %q", i, b)
			}
		}
	})
	return func(ctx context.Context) ([]byte, error) {
		*calls++
		b := []byte(pin)
		given = append(given, b)
		return b, nil
	}
}

// pivCard makes a virtual PIV token with an operator key in 9c (PIN
// always) and another in 9a (PIN once).
func pivCard(t *testing.T) (*vpiv.Card, *x509.Certificate) {
	t.Helper()
	sigKey, sigCert := chaintest.NewECKey(t, "Clerk Hanako (PIV 9c)")
	authKey, authCert := chaintest.NewECKey(t, "Clerk Hanako (PIV 9a)")
	c, err := vpiv.NewCard(
		vpiv.WithPIN([]byte(testPIN)),
		vpiv.WithKey(vpiv.SlotSignature, sigKey, sigCert.Raw, vpiv.PINPolicyAlways),
		vpiv.WithKey(vpiv.SlotAuthentication, authKey, authCert.Raw, vpiv.PINPolicyOnce),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c, sigCert
}

// TestPIVOverPCSC is the main case over the real PC/SC stack: the
// virtual PIV token sits in one vpcd slot and the virtual Individual
// Number Card in the other; piv-go opens the token through pcscd, an
// identification read from the Number card is sealed with the token's
// slot 9c key into a SQLite store, the chain verifies, and records edited,
// deleted or reordered in the database are named.
func TestPIVOverPCSC(t *testing.T) {
	// The Number card goes in first, so that it sits in the first reader
	// and Open with no reader name has to pass it by.
	mnc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	// Both slots at once (SlotPair): two Slot calls would hold one slot
	// while waiting for the other, which deadlocks against another process
	// doing the same.
	mncSlot, pivSlot := pcsctest.SlotPair(t)
	pcsctest.Insert(t, mncSlot, mnc)
	token, sigCert := pivCard(t)
	pcsctest.Insert(t, pivSlot, token)
	// The clock starts once both slots are ours: taking them may wait for
	// other packages' tests.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var calls int
	if _, err := pivkey.Open(ctx, mncSlot.Reader, pivkey.DefaultSlot(), pinFrom(t, testPIN, &calls)); !errors.Is(err, pivkey.ErrNoReader) {
		t.Fatalf("Open of the Number card's reader = %v, want ErrNoReader", err)
	}
	key, err := pivkey.Open(ctx, "", pivkey.DefaultSlot(), pinFrom(t, testPIN, &calls))
	if err != nil {
		t.Fatalf("Open with no reader name: %v", err)
	}
	defer key.Close()
	t.Logf("Number card in %q, token found in %q", mncSlot.Reader, key.Reader())
	if !key.Certificate().Equal(sigCert) {
		t.Fatal("Open read another certificate than slot 9c's")
	}
	if key.Serial() != vpiv.DefaultSerial || key.Reader() != pivSlot.Reader {
		t.Errorf("serial %d reader %q, want %d %q", key.Serial(), key.Reader(), vpiv.DefaultSerial, pivSlot.Reader)
	}

	// Read the authentication certificate from the Number card in the
	// other reader while the token is held open (the probing above left it
	// free), and seal an identification of it.
	mc, err := pcsc.Open(ctx, mncSlot.Reader)
	if err != nil {
		t.Fatalf("opening the Number card beside the token: %v", err)
	}
	defer mc.Close()
	j, err := card.OpenJPKI(ctx, mc, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	der, err := j.ReadCertificate(ctx, card.AuthKey)
	if err != nil {
		t.Fatal(err)
	}
	authCert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := store.SerialFromBytes(authCert.SerialNumber.Bytes())
	if err != nil {
		t.Fatal(err)
	}

	st, _ := chaintest.ChainStore(t, key, 0)
	rec, err := st.AppendRecord(ctx, store.Record{
		Kind: store.RecordIdentify, Operator: "clerk hanako", CertKind: card.AuthKey,
		Issuer: authCert.Issuer.String(), Serial: serial,
		Verdict: store.Verdict{SignatureOK: true, ChainOK: true, Revocation: store.RevocationGood},
	}, operator.SealerContext(ctx, key))
	if err != nil {
		t.Fatalf("sealing an identification with the PIV token: %v", err)
	}
	if calls != 1 {
		t.Errorf("PIN asked %d times for one signature, want 1 (slot 9c is PIN-always)", calls)
	}
	if !bytes.Equal(rec.SignerCert, sigCert.Raw) || len(rec.PrevHash) != 0 || len(rec.RecordHash) != sha256.Size {
		t.Errorf("sealed record: signer %x prev %x hash %x", rec.SignerCert, rec.PrevHash, rec.RecordHash)
	}
	rep, err := operator.VerifyStore(ctx, st, operator.VerifyOptions{TrustedCerts: []*x509.Certificate{sigCert}})
	if err != nil || rep.Verified != 1 {
		t.Fatalf("VerifyStore = %+v, %v", rep, err)
	}

	chaintest.RunTamperDetection(t, key)
	if got := token.PINTriesLeft(); got != 3 {
		t.Errorf("PIN tries left %d after good PINs, want 3", got)
	}
}

// TestPIVWrongPIN checks a refused PIN over PC/SC: a *PINError with the
// tries left, no PIN byte in the message, no automatic retry, and the last
// try refused before the callback is even asked.
func TestPIVWrongPIN(t *testing.T) {
	token, _ := pivCard(t)
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, token)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const wrong = "135799"
	var calls int
	// A unique part of the reader name is enough.
	key, err := pivkey.Open(ctx, strings.TrimPrefix(slot.Reader, "Virtual "), pivkey.DefaultSlot(), pinFrom(t, wrong, &calls))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	digest := sha256.Sum256([]byte("record"))

	for want := 2; want >= 1; want-- {
		_, err = key.SignContext(ctx, rand.Reader, digest[:], sha256Opts)
		var pe *pivkey.PINError
		if !errors.As(err, &pe) || pe.Remaining != want || !errors.Is(err, pivkey.ErrWrongPIN) {
			t.Fatalf("Sign with a wrong PIN = %v, want a *PINError with %d tries left", err, want)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Fatalf("error %q contains the PIN", err)
		}
		t.Logf("wrong PIN: %v", err)
	}
	if calls != 2 || token.PINTriesLeft() != 1 {
		t.Fatalf("PIN asked %d times, token has %d tries left; want 2 and 1 (no automatic retry)", calls, token.PINTriesLeft())
	}
	_, err = key.SignContext(ctx, rand.Reader, digest[:], sha256Opts)
	if !errors.Is(err, pivkey.ErrLastTry) || calls != 2 || token.PINTriesLeft() != 1 {
		t.Fatalf("Sign with one try left = %v (PIN asked %d times), want ErrLastTry without asking", err, calls)
	}

	// A PIN callback that fails (no terminal, cancelled) sends nothing.
	key.Close()
	noTerminal := errors.New("no terminal")
	failing, err := pivkey.Open(ctx, slot.Reader, pivkey.DefaultSlot(), func(context.Context) ([]byte, error) {
		return nil, noTerminal
	}, pivkey.AllowLastPINTry())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := failing.SignContext(ctx, rand.Reader, digest[:], sha256Opts); !errors.Is(err, noTerminal) || token.PINTriesLeft() != 1 {
		t.Fatalf("Sign with a failing PIN callback = %v (tries left %d), want its error and no try spent", err, token.PINTriesLeft())
	}
	cctx, cancelSign := context.WithCancel(ctx)
	cancelSign()
	if _, err := failing.SignContext(cctx, rand.Reader, digest[:], sha256Opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sign with a cancelled context = %v", err)
	}
	failing.Close()

	// A badly formed PIN is refused before VERIFY, even with the last try
	// allowed.
	short, err := pivkey.Open(ctx, slot.Reader, piv.SlotAuthentication, pinFrom(t, "12", &calls), pivkey.AllowLastPINTry())
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	if _, err := short.SignContext(ctx, rand.Reader, digest[:], sha256Opts); !errors.Is(err, pivkey.ErrPINFormat) {
		t.Fatalf("Sign with a 2-digit PIN = %v, want ErrPINFormat", err)
	}
	if token.PINTriesLeft() != 1 {
		t.Fatalf("a badly formed PIN spent a try")
	}
}

// TestPIVPINOnceSlot signs twice with slot 9a (PIN once): one prompt.
func TestPIVPINOnceSlot(t *testing.T) {
	token, _ := pivCard(t)
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, token)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var calls int
	key, err := pivkey.Open(ctx, slot.Reader, piv.SlotAuthentication, pinFrom(t, testPIN, &calls))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	st, _ := chaintest.ChainStore(t, key, 3)
	if calls != 1 {
		t.Errorf("PIN asked %d times for three signatures with a PIN-once slot, want 1", calls)
	}
	// Concurrent appends share the token: signatures are serialised.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.AppendRecord(ctx, chaintest.SampleRecord(3+i), operator.SealerContext(ctx, key))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := operator.VerifyStore(ctx, st, operator.VerifyOptions{TrustedCerts: []*x509.Certificate{key.Certificate()}}); err != nil {
		t.Fatal(err)
	}
	key.Close()
	if _, err := key.Sign(rand.Reader, make([]byte, sha256.Size), sha256Opts); !errors.Is(err, pivkey.ErrClosed) {
		t.Errorf("Sign after Close = %v, want ErrClosed", err)
	}
	if _, err := pivkey.Open(ctx, slot.Reader, piv.SlotKeyManagement, pinFrom(t, testPIN, &calls)); !errors.Is(err, pivkey.ErrNoCertificate) {
		t.Fatalf("Open of an empty slot = %v, want ErrNoCertificate", err)
	}
	if _, err := pivkey.Open(ctx, "no such reader", piv.SlotSignature, pinFrom(t, testPIN, &calls)); !errors.Is(err, pivkey.ErrNoReader) {
		t.Fatalf("Open of a missing reader = %v, want ErrNoReader", err)
	}
}

var sha256Opts = crypto.SHA256

// TestPIVKeyTypesOverPCSC signs with an RSA-2048 key (whose 256-byte
// block piv-go sends as a chained command) and a P-384 key, each read with
// its metadata and certificate by piv-go over pcscd.
func TestPIVKeyTypesOverPCSC(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert, p384Cert := chaintest.SelfSigned(t, rsaKey, "Clerk RSA"), chaintest.SelfSigned(t, p384, "Clerk P-384")
	token, err := vpiv.NewCard(vpiv.WithPIN([]byte(testPIN)),
		vpiv.WithKey(vpiv.SlotSignature, rsaKey, rsaCert.Raw, vpiv.PINPolicyAlways),
		vpiv.WithKey(vpiv.SlotKeyManagement, p384, p384Cert.Raw, vpiv.PINPolicyOnce))
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, token)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	for _, tc := range []struct {
		slot  piv.Slot
		cert  *x509.Certificate
		calls int
	}{
		// PIN once first: the PIN stays verified until the token is
		// reset, also across Close.
		{piv.SlotKeyManagement, p384Cert, 1},
		{piv.SlotSignature, rsaCert, 2},
	} {
		t.Run(tc.cert.Subject.CommonName, func(t *testing.T) {
			var calls int
			key, err := pivkey.Open(ctx, slot.Reader, tc.slot, pinFrom(t, testPIN, &calls))
			if err != nil {
				t.Fatal(err)
			}
			defer key.Close()
			st, _ := chaintest.ChainStore(t, key, 2)
			if calls != tc.calls {
				t.Errorf("PIN asked %d times for two signatures, want %d", calls, tc.calls)
			}
			rep, err := operator.VerifyStore(ctx, st, operator.VerifyOptions{TrustedCerts: []*x509.Certificate{tc.cert}})
			if err != nil || rep.Verified != 2 {
				t.Fatalf("VerifyStore = %+v, %v", rep, err)
			}
		})
	}
}

// TestPIVBlockedPIN spends a token's only try (explicitly allowed) with a
// wrong PIN: the error says blocked, and the next signature is refused
// without asking for the PIN.
func TestPIVBlockedPIN(t *testing.T) {
	sigKey, sigCert := chaintest.NewECKey(t, "Clerk")
	token, err := vpiv.NewCard(vpiv.WithPIN([]byte(testPIN)), vpiv.WithPINTries(1),
		vpiv.WithKey(vpiv.SlotSignature, sigKey, sigCert.Raw, vpiv.PINPolicyAlways))
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, token)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var calls int
	key, err := pivkey.Open(ctx, slot.Reader, pivkey.DefaultSlot(), pinFrom(t, "000000", &calls), pivkey.AllowLastPINTry())
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	digest := sha256.Sum256([]byte("record"))
	_, err = key.SignContext(ctx, rand.Reader, digest[:], sha256Opts)
	var pe *pivkey.PINError
	if !errors.As(err, &pe) || pe.Remaining != 0 || !errors.Is(err, pivkey.ErrPINBlocked) {
		t.Fatalf("Sign spending the last try wrongly = %v, want blocked", err)
	}
	_, err = key.SignContext(ctx, rand.Reader, digest[:], sha256Opts)
	if !errors.Is(err, pivkey.ErrPINBlocked) || calls != 1 {
		t.Fatalf("Sign with a blocked PIN = %v (PIN asked %d times), want ErrPINBlocked without asking", err, calls)
	}
}
