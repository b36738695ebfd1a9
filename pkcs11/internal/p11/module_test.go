package p11

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// fakeBackend is one reader holding a virtual card through
// reader.Loopback.
type fakeBackend struct {
	mu      sync.Mutex
	vc      *virtual.Card
	other   reader.RawCard // when set, the card in the reader instead of vc
	present bool
	events  chan reader.Event
}

const fakeReader = "Test Reader 0"

// signCertReadable reports whether another client of the card could read
// the signing certificate now, without a PIN: whether the card's security
// state was left raised.
func (b *fakeBackend) signCertReadable(t *testing.T) bool {
	t.Helper()
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("other", b.vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = j.ReadCertificate(context.Background(), card.SignKey)
	if err != nil && !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatal(err)
	}
	return err == nil
}

func (b *fakeBackend) Readers(ctx context.Context) ([]reader.Info, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return []reader.Info{{Name: fakeReader, CardPresent: b.present, ATR: []byte{1}}}, nil
}

func (b *fakeBackend) Connect(ctx context.Context, name string) (reader.Card, error) {
	if b.other != nil {
		return reader.Loopback(name, b.other, reader.Capabilities{}), nil
	}
	return reader.Loopback(name, b.vc, reader.Capabilities{}), nil
}

func (b *fakeBackend) Watch(ctx context.Context, fn func(reader.Event) error) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-b.events:
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

func (b *fakeBackend) Close() error { return nil }

func newTestModule(t *testing.T, cfg Config, opts ...virtual.Option) (*Module, *fakeBackend) {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeBackend{vc: vc, present: true, events: make(chan reader.Event, 4)}
	cfg.CacheDir = t.TempDir()
	m := New(func() (Backend, error) { return b, nil }, func() (Config, error) { return cfg, nil })
	return m, b
}

type countingLock struct {
	sync.Mutex
	n atomic.Int32
}

func (l *countingLock) Lock() { l.n.Add(1); l.Mutex.Lock() }

func TestModuleLifecycle(t *testing.T) {
	m, b := newTestModule(t, DefaultConfig())
	if _, rv := m.GetSlotList(true); rv != CKR_CRYPTOKI_NOT_INITIALIZED {
		t.Fatalf("before C_Initialize: %#x", rv)
	}
	lock := &countingLock{}
	if rv := m.Initialize(lock); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.Initialize(nil); rv != CKR_CRYPTOKI_ALREADY_INITIALIZED {
		t.Fatalf("second C_Initialize: %#x", rv)
	}
	ids, rv := m.GetSlotList(true)
	if rv != CKR_OK || len(ids) != 2 || ids[0] != 0 || ids[1] != 1 {
		t.Fatalf("slots %v %#x", ids, rv)
	}
	if lock.n.Load() == 0 {
		t.Fatal("the application's lock was not used")
	}
	if _, rv := m.GetSlotInfo(7); rv != CKR_SLOT_ID_INVALID {
		t.Fatalf("slot 7: %#x", rv)
	}
	if _, rv := m.OpenSession(0, 0); rv != CKR_SESSION_PARALLEL_NOT_SUPPORTED {
		t.Fatalf("no CKF_SERIAL_SESSION: %#x", rv)
	}
	sh, rv := m.OpenSession(0, CKF_SERIAL_SESSION)
	if rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.Logout(sh); rv != CKR_USER_NOT_LOGGED_IN {
		t.Fatalf("logout: %#x", rv)
	}
	if rv := m.Login(sh, CKU_SO, []byte("1234")); rv != CKR_USER_TYPE_INVALID {
		t.Fatalf("SO login: %#x", rv)
	}
	// Objects before login: certificate and public key only.
	if rv := m.FindObjectsInit(sh, nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.FindObjectsInit(sh, nil); rv != CKR_OPERATION_ACTIVE {
		t.Fatalf("second FindObjectsInit: %#x", rv)
	}
	objs, _ := m.FindObjects(sh, 10)
	m.FindObjectsFinal(sh)
	if len(objs) != 2 {
		t.Fatalf("%d objects before login", len(objs))
	}
	res, rv := m.GetAttributeValue(sh, objs[0], []uint{CKA_VALUE, 0x7777})
	if rv != CKR_OK || res[1].RV != CKR_ATTRIBUTE_TYPE_INVALID {
		t.Fatalf("attributes %#x %#x", rv, res[1].RV)
	}
	cert, err := x509.ParseCertificate(res[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	privKey := objs[len(objs)-1] + 1 // the private key follows the public key
	if rv := m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, privKey); rv != CKR_USER_NOT_LOGGED_IN {
		t.Fatalf("SignInit before login: %#x", rv)
	}

	if rv := m.Login(sh, CKU_USER, []byte("12a4")); rv != CKR_PIN_INCORRECT || b.vc.TriesLeft(virtual.PINJPKIAuth) != 3 {
		t.Fatalf("malformed PIN: %#x, tries %d", rv, b.vc.TriesLeft(virtual.PINJPKIAuth))
	}
	pin := []byte("1234")
	if rv := m.Login(sh, CKU_USER, pin); rv != CKR_OK {
		t.Fatalf("login: %#x", rv)
	}
	if rv := m.Login(sh, CKU_USER, pin); rv != CKR_USER_ALREADY_LOGGED_IN {
		t.Fatalf("second login: %#x", rv)
	}
	if in, _ := m.GetSessionInfo(sh); in.State != CKS_RO_USER_FUNCTIONS {
		t.Fatalf("state %d", in.State)
	}
	if rv := m.SignInit(sh, CKM_RSA_PKCS, []byte{1}, privKey); rv != CKR_MECHANISM_PARAM_INVALID {
		t.Fatalf("parameter: %#x", rv)
	}
	if rv := m.SignInit(sh, 0x1234, nil, privKey); rv != CKR_MECHANISM_INVALID {
		t.Fatalf("mechanism: %#x", rv)
	}
	if rv := m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, objs[0]); rv != CKR_KEY_FUNCTION_NOT_PERMITTED {
		t.Fatalf("sign with a certificate: %#x", rv)
	}
	if rv := m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, privKey); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.SignUpdate(sh, []byte("hello ")); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.SignUpdate(sh, []byte("world")); rv != CKR_OK {
		t.Fatal(rv)
	}
	sig, rv := m.SignFinal(sh)
	if rv != CKR_OK {
		t.Fatal(rv)
	}
	h := sha256.Sum256([]byte("hello world"))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], sig); err != nil {
		t.Fatal(err)
	}
	if _, rv := m.Sign(sh, []byte("x")); rv != CKR_OPERATION_NOT_INITIALIZED {
		t.Fatalf("sign after the operation ended: %#x", rv)
	}
	// CKM_RSA_PKCS input longer than k-11.
	m.SignInit(sh, CKM_RSA_PKCS, nil, privKey)
	if _, rv := m.Sign(sh, make([]byte, 246)); rv != CKR_DATA_LEN_RANGE {
		t.Fatalf("246 bytes: %#x", rv)
	}

	// Closing the last session logs the token out.
	if rv := m.CloseSession(sh); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.CloseSession(sh); rv != CKR_SESSION_HANDLE_INVALID {
		t.Fatalf("closed twice: %#x", rv)
	}
	sh, _ = m.OpenSession(0, CKF_SERIAL_SESSION)
	if in, _ := m.GetSessionInfo(sh); in.State != CKS_RO_PUBLIC_SESSION {
		t.Fatalf("state after reopening: %d", in.State)
	}

	// Removal: the session's next call reports the device removed.
	b.mu.Lock()
	b.present = false
	b.mu.Unlock()
	if _, rv := m.GetTokenInfo(0); rv != CKR_TOKEN_NOT_PRESENT {
		t.Fatalf("token info after removal: %#x", rv)
	}
	if _, rv := m.GetSessionInfo(sh); rv != CKR_SESSION_HANDLE_INVALID {
		t.Fatalf("session after removal: %#x", rv)
	}
	if rv := m.Finalize(); rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.Finalize(); rv != CKR_CRYPTOKI_NOT_INITIALIZED {
		t.Fatalf("second C_Finalize: %#x", rv)
	}
}

func TestWaitForSlotEvent(t *testing.T) {
	m, b := newTestModule(t, DefaultConfig())
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	if _, rv := m.WaitForSlotEvent(true); rv != CKR_NO_EVENT {
		t.Fatalf("no event yet: %#x", rv)
	}
	got := make(chan uint, 2)
	go func() {
		id, rv := m.WaitForSlotEvent(false)
		if rv == CKR_OK {
			got <- id
		}
	}()
	time.Sleep(50 * time.Millisecond)
	b.events <- reader.Event{Kind: reader.CardRemoved, Reader: fakeReader}
	select {
	case id := <-got:
		if id != 0 {
			t.Fatalf("slot %d", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	if id, rv := m.WaitForSlotEvent(true); rv != CKR_OK || id != 1 {
		t.Fatalf("the signing slot's event: %d %#x", id, rv)
	}
	// C_Finalize releases a blocked wait.
	done := make(chan RV)
	go func() { _, rv := m.WaitForSlotEvent(false); done <- rv }()
	time.Sleep(50 * time.Millisecond)
	m.Finalize()
	select {
	case rv := <-done:
		if rv != CKR_CRYPTOKI_NOT_INITIALIZED {
			t.Fatalf("after C_Finalize: %#x", rv)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("C_Finalize did not release the wait")
	}
}

// TestSignTokenClearsState: after the signing password's login and after
// a signature with the signing key, another client cannot read the
// signing certificate: the security state was cleared each time. The
// certificate read at login is cached and offered before the password by
// the next module instance.
func TestSignTokenClearsState(t *testing.T) {
	cfg := DefaultConfig()
	m, b := newTestModule(t, cfg)
	cfg.CacheDir = t.TempDir()
	m.loadConfig = func() (Config, error) { return cfg, nil }
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	sh, rv := m.OpenSession(1, CKF_SERIAL_SESSION)
	if rv != CKR_OK {
		t.Fatal(rv)
	}
	if rv := m.FindObjectsInit(sh, nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	objs, _ := m.FindObjects(sh, 10)
	m.FindObjectsFinal(sh)
	if len(objs) != 0 {
		t.Fatalf("%d signing objects before the first login", len(objs))
	}
	if rv := m.Login(sh, CKU_USER, []byte("abc123")); rv != CKR_OK { // upper-cased, as the card stores it
		t.Fatalf("login: %#x", rv)
	}
	if b.signCertReadable(t) {
		t.Fatal("the signing certificate is readable after the login")
	}
	m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_PRIVATE_KEY)}})
	keys, _ := m.FindObjects(sh, 10)
	m.FindObjectsFinal(sh)
	if len(keys) != 1 {
		t.Fatalf("%d private keys after login", len(keys))
	}
	if rv := m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, keys[0]); rv != CKR_OK {
		t.Fatal(rv)
	}
	if _, rv := m.Sign(sh, []byte("x")); rv != CKR_OK {
		t.Fatalf("sign: %#x", rv)
	}
	if b.signCertReadable(t) {
		t.Fatal("the signing certificate is readable after the signature")
	}
	m.Finalize()

	// A new instance offers the cached certificate (and public key)
	// before any password.
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	defer m.Finalize()
	sh, _ = m.OpenSession(1, CKF_SERIAL_SESSION)
	m.FindObjectsInit(sh, nil)
	objs, _ = m.FindObjects(sh, 10)
	m.FindObjectsFinal(sh)
	if len(objs) != 2 {
		t.Fatalf("%d signing objects from the cache, want certificate and public key", len(objs))
	}
	res, _ := m.GetAttributeValue(sh, objs[0], []uint{CKA_VALUE})
	if c, err := x509.ParseCertificate(res[0].Value); err != nil || !c.Equal(jpkitest.DefaultHolder().SignCert) {
		t.Fatalf("cached certificate: %v", err)
	}
}

// TestCardVariants runs a login, the token flags and a signature with each
// key against the virtual card in every variant its unsure answers allow
// (docs/card.md), and a blocked PIN in both forms of the blocked query.
func TestCardVariants(t *testing.T) {
	variants := map[string][]virtual.Option{
		"default":             nil,
		"short-only":          {virtual.WithoutExtendedLength()},
		"get-response":        {virtual.WithGetResponseChaining(128)},
		"verified-query-9000": {virtual.WithEmptyVerifyReportsVerified()},
	}
	for _, a := range []virtual.EndOfFileAnswer{virtual.EndOfFileShort, virtual.EndOfFileWarning, virtual.EndOfFileWrongLe, virtual.EndOfFileRefused} {
		variants["eof-"+a.String()] = []virtual.Option{virtual.WithEndOfFile(a)}
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			m, _ := newTestModule(t, DefaultConfig(), opts...)
			if rv := m.Initialize(nil); rv != CKR_OK {
				t.Fatal(rv)
			}
			defer m.Finalize()
			for _, k := range []struct {
				slot uint
				pin  string
			}{{0, "1234"}, {1, "ABC123"}} {
				ti, rv := m.GetTokenInfo(k.slot)
				if rv != CKR_OK || ti.Flags&(CKF_USER_PIN_COUNT_LOW|CKF_USER_PIN_FINAL_TRY|CKF_USER_PIN_LOCKED) != 0 {
					t.Fatalf("slot %d: flags %#x %#x", k.slot, ti.Flags, rv)
				}
				sh, _ := m.OpenSession(k.slot, CKF_SERIAL_SESSION)
				if rv := m.Login(sh, CKU_USER, []byte(k.pin)); rv != CKR_OK {
					t.Fatalf("slot %d login: %#x", k.slot, rv)
				}
				m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_PRIVATE_KEY)}})
				keys, _ := m.FindObjects(sh, 2)
				m.FindObjectsFinal(sh)
				if len(keys) != 1 {
					t.Fatalf("slot %d: %d keys", k.slot, len(keys))
				}
				m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, keys[0])
				if sig, rv := m.Sign(sh, []byte("v")); rv != CKR_OK || len(sig) != SignatureLen {
					t.Fatalf("slot %d sign: %#x", k.slot, rv)
				}
			}
		})
	}
	for _, a := range virtual.BlockedQueryAnswers {
		t.Run(fmt.Sprintf("blocked-%04X", uint16(a)), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.AllowLastTry = true
			m, b := newTestModule(t, cfg, virtual.WithBlockedQuery(a))
			if rv := m.Initialize(nil); rv != CKR_OK {
				t.Fatal(rv)
			}
			defer m.Finalize()
			sh, _ := m.OpenSession(0, CKF_SERIAL_SESSION)
			for i := 0; i < 3; i++ {
				if rv := m.Login(sh, CKU_USER, []byte("9999")); rv != CKR_PIN_INCORRECT && rv != CKR_PIN_LOCKED {
					t.Fatalf("wrong PIN %d: %#x", i, rv)
				}
			}
			ti, rv := m.GetTokenInfo(0)
			if rv != CKR_OK || ti.Flags&CKF_USER_PIN_LOCKED == 0 {
				t.Fatalf("blocked: flags %#x %#x", ti.Flags, rv)
			}
			if rv := m.Login(sh, CKU_USER, []byte("1234")); rv != CKR_PIN_LOCKED {
				t.Fatalf("login on a blocked PIN: %#x", rv)
			}
			if n := b.vc.TriesLeft(virtual.PINJPKIAuth); n != 0 {
				t.Fatalf("tries %d", n)
			}
		})
	}
}

// TestEveryMechanism signs with each mechanism, single- and multi-part,
// and verifies with the certificate's key.
func TestEveryMechanism(t *testing.T) {
	m, _ := newTestModule(t, DefaultConfig())
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	defer m.Finalize()
	sh, _ := m.OpenSession(0, CKF_SERIAL_SESSION)
	if rv := m.Login(sh, CKU_USER, []byte("1234")); rv != CKR_OK {
		t.Fatal(rv)
	}
	m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_PRIVATE_KEY)}})
	keys, _ := m.FindObjects(sh, 2)
	m.FindObjectsFinal(sh)
	pub := jpkitest.DefaultHolder().AuthCert.PublicKey.(*rsa.PublicKey)
	msg := []byte("every mechanism")
	for mech, h := range hashOf {
		for _, multi := range []bool{false, true} {
			if rv := m.SignInit(sh, mech, nil, keys[0]); rv != CKR_OK {
				t.Fatal(rv)
			}
			var sig []byte
			var rv RV
			if multi {
				m.SignUpdate(sh, msg[:5])
				m.SignUpdate(sh, msg[5:])
				sig, rv = m.SignFinal(sh)
			} else {
				sig, rv = m.Sign(sh, msg)
			}
			if rv != CKR_OK {
				t.Fatalf("%v: %#x", h, rv)
			}
			d := h.New()
			d.Write(msg)
			if err := rsa.VerifyPKCS1v15(pub, h, d.Sum(nil), sig); err != nil {
				t.Fatalf("%v multi=%v: %v", h, multi, err)
			}
		}
	}
	// CKM_RSA_PKCS signs the caller's DigestInfo as given.
	d := sha256.Sum256(msg)
	m.SignInit(sh, CKM_RSA_PKCS, nil, keys[0])
	sig, rv := m.Sign(sh, append(append([]byte(nil), digestInfoPrefix[crypto.SHA256]...), d[:]...))
	if rv != CKR_OK {
		t.Fatal(rv)
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
		t.Fatal(err)
	}
}

// TestCachedSignCertRechecked: a cached signing certificate that is not
// the card's is replaced at the login (its objects' handles become
// invalid) and the cache is corrected.
func TestCachedSignCertRechecked(t *testing.T) {
	cfg := DefaultConfig()
	m, _ := newTestModule(t, cfg)
	cfg.CacheDir = t.TempDir()
	m.loadConfig = func() (Config, error) { return cfg, nil }
	h := jpkitest.DefaultHolder()
	wrong := h.SignCA.Raw // a valid certificate, but not this card's signing certificate
	path := filepath.Join(cfg.CacheDir, cardKey(h.AuthCert.Raw)+".der")
	if err := os.WriteFile(path, wrong, 0o600); err != nil {
		t.Fatal(err)
	}
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	defer m.Finalize()
	sh, _ := m.OpenSession(1, CKF_SERIAL_SESSION)
	m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_CERTIFICATE)}})
	before, _ := m.FindObjects(sh, 2)
	m.FindObjectsFinal(sh)
	if len(before) != 1 {
		t.Fatalf("%d cached certificates offered", len(before))
	}
	if rv := m.Login(sh, CKU_USER, []byte("ABC123")); rv != CKR_OK {
		t.Fatal(rv)
	}
	if _, rv := m.GetAttributeValue(sh, before[0], []uint{CKA_VALUE}); rv != CKR_OBJECT_HANDLE_INVALID {
		t.Fatalf("the contradicted certificate's handle: %#x", rv)
	}
	m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_CERTIFICATE)}})
	after, _ := m.FindObjects(sh, 2)
	m.FindObjectsFinal(sh)
	res, _ := m.GetAttributeValue(sh, after[0], []uint{CKA_VALUE})
	if !bytes.Equal(res[0].Value, h.SignCert.Raw) {
		t.Fatal("the card's signing certificate is not offered after login")
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, h.SignCert.Raw) {
		t.Fatal("the cache was not corrected")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode %v", fi.Mode())
	}
}

// unrelatedCard answers 6A82 (file or application not found) to
// everything, as a card without the JPKI application does.
type unrelatedCard struct{}

func (unrelatedCard) ATR() []byte                  { return []byte{0x3B, 0x00} }
func (unrelatedCard) Transmit(capdu []byte) []byte { return []byte{0x6A, 0x82} }

// TestNoToken: a reader holding another card has slots but no token; a
// reader outside the allowlist has no slots at all.
func TestNoToken(t *testing.T) {
	m, b := newTestModule(t, DefaultConfig())
	b.other = unrelatedCard{}
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	if ids, rv := m.GetSlotList(true); rv != CKR_OK || len(ids) != 0 {
		t.Fatalf("slots with a token: %v %#x", ids, rv)
	}
	if ids, rv := m.GetSlotList(false); rv != CKR_OK || len(ids) != 2 {
		t.Fatalf("slots: %v %#x", ids, rv)
	}
	if in, rv := m.GetSlotInfo(0); rv != CKR_OK || in.Flags&CKF_TOKEN_PRESENT != 0 || in.Flags&CKF_REMOVABLE_DEVICE == 0 {
		t.Fatalf("slot info %+v %#x", in, rv)
	}
	if _, rv := m.GetTokenInfo(0); rv != CKR_TOKEN_NOT_PRESENT {
		t.Fatalf("token info: %#x", rv)
	}
	if _, rv := m.OpenSession(1, CKF_SERIAL_SESSION); rv != CKR_TOKEN_NOT_PRESENT {
		t.Fatalf("open session: %#x", rv)
	}
	if _, rv := m.GetMechanismList(0); rv != CKR_TOKEN_NOT_PRESENT {
		t.Fatalf("mechanisms: %#x", rv)
	}
	m.Finalize()

	cfg := DefaultConfig()
	cfg.Readers = []string{"Some Other Reader"}
	m2, _ := newTestModule(t, cfg)
	if rv := m2.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	defer m2.Finalize()
	if ids, rv := m2.GetSlotList(false); rv != CKR_OK || len(ids) != 0 {
		t.Fatalf("slots outside the allowlist: %v %#x", ids, rv)
	}
	if _, rv := m2.GetSlotInfo(0); rv != CKR_SLOT_ID_INVALID {
		t.Fatalf("slot 0 outside the allowlist: %#x", rv)
	}
}
