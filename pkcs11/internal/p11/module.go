// Package p11 is the logic of the mynacard PKCS #11 module: slots, tokens,
// sessions, objects, logins and signatures over the card layer (package
// card), in Go types, so that it is tested without cgo. Package
// pkcs11 (the c-shared library) only translates the C ABI to these calls.
//
// Each reader gives two slots, one token per PIN of the JPKI application:
// slot 2i is the authentication token (利用者証明用, the 4-digit PIN) and
// slot 2i+1 the signing token (署名用, the signing password), for the i-th
// reader the module has seen. A token is present when the reader holds an
// Individual Number Card.
//
// PIN handling: C_Login checks the PIN's format locally, reads the tries
// left, refuses the last one (CKR_PIN_LOCKED) unless the configuration
// allows it, and verifies the PIN once (never retried) by reading the
// token's certificate under it. The card layer clears the card's security
// state before it ends that transaction (and every other one that
// presented a PIN), so the PIN is held, locked in memory, until C_Logout,
// the token's last session closing, C_Finalize or the card's removal, when
// it is wiped. Each signature verifies it again in the transaction of its
// SIGN, so the card is never left unlocked between calls. The tries left
// are reported in the token flags. With a PIN helper (Config.PINHelper) no
// PIN is held at all: the helper is asked at each signature.
package p11

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mynacard/mynacard/reader"
)

// Backend is how the module reaches readers: PC/SC in the library
// (NewPCSCBackend), loopback virtual cards in tests.
type Backend interface {
	// Readers lists the readers with the presence of a card in each. With
	// no PC/SC service or no reader it returns an empty list.
	Readers(ctx context.Context) ([]reader.Info, error)
	// Connect connects to the card in the named reader.
	Connect(ctx context.Context, name string) (reader.Card, error)
	// Watch reports reader and card events until ctx ends (see
	// pcsc.Context.Watch: the current state first, then every change).
	Watch(ctx context.Context, fn func(reader.Event) error) error
	// Close releases the backend.
	Close() error
}

// Reconnecter is a reader.Card that can reconnect after another
// application reset the card (pcsc.Card does).
type Reconnecter interface {
	Reconnect(ctx context.Context) error
}

// Locker is the lock the module takes around every call: a sync.Mutex
// (the operating system's locking, CKF_OS_LOCKING_OK) or the
// application's mutex functions from CK_C_INITIALIZE_ARGS.
type Locker interface {
	Lock()
	Unlock()
}

// opTimeout bounds one card operation so that no PKCS#11 call hangs.
const opTimeout = 30 * time.Second

// Module is one instance of the PKCS#11 library. The zero value is not
// usable: call New.
type Module struct {
	newBackend func() (Backend, error)
	loadConfig func() (Config, error)

	mu sync.Mutex // guards st
	st *state
}

// New returns a module that makes its backend and reads its
// configuration at each C_Initialize.
func New(newBackend func() (Backend, error), loadConfig func() (Config, error)) *Module {
	return &Module{newBackend: newBackend, loadConfig: loadConfig}
}

// state is everything between C_Initialize and C_Finalize.
type state struct {
	lock   Locker
	closed bool
	b      Backend
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc

	readers     []*slotReader
	sessions    map[uint]*session
	nextSession uint
	objects     map[uint]*object
	nextObject  uint
	events      *watcher
	pending     []uint // slot events found but not yet returned
}

// Initialize is C_Initialize. lock is the application's mutex (nil: the
// module's own).
func (m *Module) Initialize(lock Locker) RV {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st != nil {
		return CKR_CRYPTOKI_ALREADY_INITIALIZED
	}
	cfg, err := m.loadConfig()
	if err != nil {
		logf("%v", err)
		return CKR_FUNCTION_FAILED
	}
	b, err := m.newBackend()
	if err != nil {
		logf("%v", err)
		return CKR_FUNCTION_FAILED
	}
	if lock == nil {
		lock = new(sync.Mutex)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st := &state{
		lock: lock, b: b, cfg: cfg, ctx: ctx, cancel: cancel,
		sessions: map[uint]*session{}, nextSession: 1,
		objects: map[uint]*object{}, nextObject: 1,
	}
	st.events = startWatcher(ctx, b)
	m.st = st
	return CKR_OK
}

// Finalize is C_Finalize: every session is closed, every held PIN wiped,
// and a thread blocked in C_WaitForSlotEvent returns
// CKR_CRYPTOKI_NOT_INITIALIZED.
func (m *Module) Finalize() RV {
	m.mu.Lock()
	st := m.st
	m.st = nil
	m.mu.Unlock()
	if st == nil {
		return CKR_CRYPTOKI_NOT_INITIALIZED
	}
	st.cancel()
	st.lock.Lock()
	defer st.lock.Unlock()
	st.closed = true
	for _, r := range st.readers {
		st.dropCard(r)
	}
	st.events.wait()
	if err := st.b.Close(); err != nil {
		logf("closing the reader backend: %v", err)
	}
	return CKR_OK
}

// enter returns the state locked, or an error when not initialised.
func (m *Module) enter() (*state, RV) {
	m.mu.Lock()
	st := m.st
	m.mu.Unlock()
	if st == nil {
		return nil, CKR_CRYPTOKI_NOT_INITIALIZED
	}
	st.lock.Lock()
	if st.closed {
		st.lock.Unlock()
		return nil, CKR_CRYPTOKI_NOT_INITIALIZED
	}
	return st, CKR_OK
}

// opCtx bounds one card operation.
func (st *state) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(st.ctx, opTimeout)
}

// Info is CK_INFO.
type Info struct {
	Manufacturer, Description string
	Major, Minor              byte
}

// Library version reported in CK_INFO.
const (
	LibraryMajor = 0
	LibraryMinor = 1
)

// GetInfo is C_GetInfo.
func (m *Module) GetInfo() (Info, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return Info{}, rv
	}
	defer st.lock.Unlock()
	return Info{Manufacturer: "mynacard", Description: "mynacard JPKI PKCS#11", Major: LibraryMajor, Minor: LibraryMinor}, CKR_OK
}

// logf reports what the module cannot return through a CK_RV (a bad
// configuration) on standard error. It never formats a PIN.
var logf = func(format string, args ...any) {
	fmt.Fprintf(stderr, "mynacard-pkcs11: "+format+"\n", args...)
}

// errRemoved matches errors that mean the card is gone.
func errRemoved(err error) bool {
	return errors.Is(err, reader.ErrCardRemoved) || errors.Is(err, reader.ErrNoCard) || errors.Is(err, reader.ErrReaderUnavailable)
}
