// Package pivkey is the operator key held in a PIV token's slot (a
// YubiKey or any PIV card), through github.com/go-piv/piv-go/v2 over PC/SC.
// It implements operator.Key and operator.ContextSigner.
//
// It lives apart from package operator because piv-go and PC/SC need cgo:
// verification, export and software keys build without it.
//
// A signature asks for the PIN through the caller's operator.PINFunc when
// the token needs it (slot 9c, the default, needs it before every
// signature): the remaining tries are read first, a blocked PIN and, unless
// AllowLastPINTry, the last try are refused before the callback is asked,
// the PIN's form (6–8 printable ASCII characters) is checked before
// VERIFY, the slice is wiped, and a refused PIN is never retried. A
// PIN-once slot (9a) stays verified until the token is reset or removed.
package pivkey

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-piv/piv-go/v2/piv"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// DefaultSlot returns the slot an operator key is read from unless told
// otherwise: 9c, Digital Signature (NIST SP 800-73-4 Part 1 §3.3.2), whose
// key is meant for signing documents and, on a YubiKey, asks for the PIN
// before every signature.
func DefaultSlot() piv.Slot { return piv.SlotSignature }

// PIV PIN format (SP 800-73-4 Part 2 §2.4.3 allows 6–8 bytes; YubiKeys
// take any printable ASCII, not only digits), checked before VERIFY.
const (
	minPIVPINLen = 6
	maxPIVPINLen = 8
)

// fallbackPINPolicy is the PIN policy assumed when the token cannot tell
// (no YubiKey GET METADATA, firmware before 5.3): ask for the PIN before
// every signature, which works with every policy.
const fallbackPINPolicy = piv.PINPolicyAlways

// Sentinel errors of the PIV path, matched with errors.Is.
var (
	// ErrNoReader means no PC/SC reader matched, or none held a PIV token.
	ErrNoReader = errors.New("pivkey: no PIV token found")
	// ErrAmbiguousReader means several readers matched the given name.
	ErrAmbiguousReader = errors.New("pivkey: several readers match")
	// ErrNoCertificate means the slot holds no certificate.
	ErrNoCertificate = errors.New("pivkey: no certificate in the PIV slot")
	// ErrWrongPIN means the token refused the PIN (see PINError).
	ErrWrongPIN = errors.New("pivkey: wrong PIN")
	// ErrPINBlocked means the token's PIN is blocked: no tries are left.
	ErrPINBlocked = errors.New("pivkey: PIN blocked")
	// ErrLastTry means one try is left and it was not allowed
	// (AllowLastPINTry); nothing was sent to the token.
	ErrLastTry = errors.New("pivkey: only one PIN try left")
	// ErrPINFormat means the PIN is not 6–8 printable ASCII characters;
	// nothing was sent to the token.
	ErrPINFormat = errors.New("pivkey: PIN must be 6 to 8 printable ASCII characters")
	// ErrClosed means the PIV key was closed.
	ErrClosed = errors.New("pivkey: PIV key closed")
)

// PINError reports a PIN the token refused or a try the package refused to
// spend. Remaining is the tries left as the token reported them (-1 when
// unknown). It matches its Reason (ErrWrongPIN, ErrPINBlocked, ErrLastTry)
// with errors.Is. Its message never contains the PIN.
type PINError struct {
	Remaining int
	Reason    error
}

// Error formats the reason and the tries left.
func (e *PINError) Error() string {
	switch {
	case e.Remaining < 0:
		return e.Reason.Error()
	case e.Remaining == 1:
		return fmt.Sprintf("%v (1 try left)", e.Reason)
	}
	return fmt.Sprintf("%v (%d tries left)", e.Reason, e.Remaining)
}

// Unwrap returns the reason.
func (e *PINError) Unwrap() error { return e.Reason }

// Option adjusts Open.
type Option func(*config)

type config struct {
	allowLastTry bool
	policy       piv.PINPolicy
}

// AllowLastPINTry lets a signature spend the PIN's last try. Without it a
// signature that would need a PIN with one try left fails with ErrLastTry
// before anything is sent, so a typo cannot block the token.
func AllowLastPINTry() Option { return func(c *config) { c.allowLastTry = true } }

// WithPINPolicy sets the slot's PIN policy instead of asking the token
// (for tokens without the YubiKey metadata command).
func WithPINPolicy(p piv.PINPolicy) Option { return func(c *config) { c.policy = p } }

// Key is an operator key in a PIV token's slot. It holds the token open
// (exclusively, as piv-go does) until Close. It is safe for concurrent
// use; signatures are serialised.
type Key struct {
	mu     sync.Mutex
	yk     *piv.YubiKey
	slot   piv.Slot
	cert   *x509.Certificate
	policy piv.PINPolicy
	serial uint32
	reader string
	pin    operator.PINFunc
	cfg    config
}

// ParseSlot parses a slot name as PIV tools write it: "9a", "9c", "9d" or
// "9e" (any case); empty is DefaultSlot.
func ParseSlot(s string) (piv.Slot, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return DefaultSlot(), nil
	case "9a":
		return piv.SlotAuthentication, nil
	case "9c":
		return piv.SlotSignature, nil
	case "9d":
		return piv.SlotKeyManagement, nil
	case "9e":
		return piv.SlotCardAuthentication, nil
	}
	return piv.Slot{}, fmt.Errorf("parsing PIV slot %q: want 9a, 9c, 9d or 9e", s)
}

// Open opens the PIV token in the PC/SC reader whose name is reader or
// contains it (empty: the first reader holding a PIV token), reads the
// slot's certificate and learns its PIN policy. Signing prompts for the PIN
// through pin when the token needs it: the remaining tries are read first,
// a blocked PIN or a last try (unless AllowLastPINTry) is refused before
// pin is called, the PIN's format is checked before VERIFY, and the slice
// pin returns is wiped. A refused PIN is never retried.
//
// piv-go takes the PIN as a Go string, which cannot be wiped: the package
// keeps no reference to it, but the copy lives until garbage collection.
func Open(ctx context.Context, reader string, slot piv.Slot, pin operator.PINFunc, opts ...Option) (*Key, error) {
	if pin == nil {
		return nil, errors.New("opening PIV token: no PIN callback")
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	name, yk, err := openReader(ctx, reader)
	if err != nil {
		return nil, err
	}
	k := &Key{yk: yk, slot: slot, reader: name, pin: pin, cfg: cfg}
	if err := k.load(ctx); err != nil {
		yk.Close()
		return nil, err
	}
	return k, nil
}

// openReader finds and opens the reader. Each candidate is first asked,
// in shared mode, whether it holds a PIV application: piv.Open connects
// exclusively and, when SELECT fails, does not release the connection
// (piv-go v2.6.0), which would lock another application's card (the
// Individual Number Card in the next reader) until the process exits.
func openReader(ctx context.Context, want string) (string, *piv.YubiKey, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, fmt.Errorf("opening PIV token: %w", err)
	}
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("opening PIV token: %w", err)
	}
	defer pc.Release()
	infos, err := pc.Readers(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("listing PC/SC readers: %w", err)
	}
	present := make(map[string]reader.Info, len(infos))
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
		present[in.Name] = in
	}
	candidates := matchReaders(names, want)
	if len(candidates) == 0 {
		return "", nil, fmt.Errorf("opening PIV token: %w: no reader matches %q (readers: %q)", ErrNoReader, want, names)
	}
	if want != "" && len(candidates) > 1 {
		return "", nil, fmt.Errorf("opening PIV token: %w %q: %q", ErrAmbiguousReader, want, candidates)
	}
	var errs []error
	for _, name := range candidates {
		switch in := present[name]; {
		case !in.CardPresent:
			errs = append(errs, fmt.Errorf("%s: no card", name))
			continue
		case in.InUse:
			errs = append(errs, fmt.Errorf("%s: in use by another application", name))
			continue
		}
		isPIV, err := holdsPIV(ctx, pc, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if !isPIV {
			errs = append(errs, fmt.Errorf("%s: no PIV application", name))
			continue
		}
		yk, err := piv.Open(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		return name, yk, nil
	}
	return "", nil, fmt.Errorf("opening PIV token: %w: %w", ErrNoReader, errors.Join(errs...))
}

// aidPIVPrefix is the PIV application identifier's RID and PIX prefix
// (NIST SP 800-73-4 Part 1 §2.2), which piv-go selects by.
const aidPIVPrefix = "\xA0\x00\x00\x03\x08"

// p1SelectByDFName is SELECT's P1 for a DF name (ISO/IEC 7816-4 §11.2.2).
const p1SelectByDFName = 0x04

// holdsPIV asks the card in the reader, in shared mode and inside one
// transaction, whether it has a PIV application. A card without one
// answers 6A82 and keeps its current selection (ISO/IEC 7816-4 §11.2.2).
func holdsPIV(ctx context.Context, pc *pcsc.Context, name string) (bool, error) {
	c, err := pc.Connect(ctx, name)
	if err != nil {
		return false, err
	}
	defer c.Close()
	sel, err := apdu.Command{INS: apdu.InsSelect, P1: p1SelectByDFName, Data: []byte(aidPIVPrefix)}.Bytes()
	if err != nil {
		return false, err
	}
	var isPIV bool
	err = c.Transaction(ctx, func(ctx context.Context, t reader.Transport) error {
		raw, err := t.Transmit(ctx, sel)
		if err != nil {
			return err
		}
		r, err := apdu.ParseResponse(raw)
		if err != nil {
			return err
		}
		isPIV = r.OK() || r.SW1() == swBytesRemainingSW1
		return nil
	})
	return isPIV, err
}

// swBytesRemainingSW1 is SW1 of 61xx: success, more data to GET RESPONSE.
const swBytesRemainingSW1 = 0x61

// matchReaders returns the reader named exactly want, else those whose
// name contains it; every reader for an empty want.
func matchReaders(readers []string, want string) []string {
	if want == "" {
		return readers
	}
	var out []string
	for _, r := range readers {
		if r == want {
			return []string{r}
		}
		if strings.Contains(r, want) {
			out = append(out, r)
		}
	}
	return out
}

// load reads the certificate, the PIN policy and the serial.
func (k *Key) load(ctx context.Context) error {
	cert, err := k.yk.Certificate(k.slot)
	if err != nil {
		if errors.Is(err, piv.ErrNotFound) {
			return fmt.Errorf("reading PIV slot %s certificate: %w", k.slot, ErrNoCertificate)
		}
		return fmt.Errorf("reading PIV slot %s certificate: %w", k.slot, err)
	}
	if err := operator.CheckPublicKey(cert.PublicKey); err != nil {
		return fmt.Errorf("reading PIV slot %s certificate: %w", k.slot, err)
	}
	k.cert = cert
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("opening PIV token: %w", err)
	}
	k.policy = k.cfg.policy
	if k.policy == 0 {
		k.policy = fallbackPINPolicy
		if info, err := k.yk.KeyInfo(k.slot); err == nil {
			if info.PublicKey != nil {
				if eq, ok := info.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && !eq.Equal(cert.PublicKey) {
					return fmt.Errorf("reading PIV slot %s: %w", k.slot, operator.ErrKeyMismatch)
				}
			}
			if info.PINPolicy != 0 {
				k.policy = info.PINPolicy
			}
		}
	}
	if s, err := k.yk.Serial(); err == nil {
		k.serial = s
	}
	return nil
}

// Public returns the slot's public key (from its certificate).
func (k *Key) Public() crypto.PublicKey { return k.cert.PublicKey }

// Certificate returns the slot's certificate.
func (k *Key) Certificate() *x509.Certificate { return k.cert }

// Serial returns the token's serial number (0 when it did not say).
func (k *Key) Serial() uint32 { return k.serial }

// Reader returns the PC/SC reader the token is in.
func (k *Key) Reader() string { return k.reader }

// Sign is SignContext with context.Background().
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), rand, digest, opts)
}

// SignContext signs digest with the slot's key, asking for the PIN (with
// ctx) when the token needs it. A refused PIN gives a *PINError.
func (k *Key) SignContext(ctx context.Context, rnd io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.yk == nil {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("signing with PIV slot %s: %w", k.slot, err)
	}
	var promptErr error
	auth := piv.KeyAuth{
		PINPolicy: k.policy,
		PINPrompt: func() (string, error) {
			pin, err := k.promptPIN(ctx)
			promptErr = err
			return pin, err
		},
	}
	priv, err := k.yk.PrivateKey(k.slot, k.cert.PublicKey, auth)
	if err != nil {
		return nil, fmt.Errorf("signing with PIV slot %s: %w", k.slot, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing with PIV slot %s: %w: %T", k.slot, operator.ErrUnsupportedKey, priv)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	sig, err := signer.Sign(rnd, digest, opts)
	if err != nil {
		if promptErr != nil {
			return nil, promptErr
		}
		var ae piv.AuthErr
		if errors.As(err, &ae) {
			reason := ErrWrongPIN
			if ae.Retries == 0 {
				reason = ErrPINBlocked
			}
			return nil, &PINError{Remaining: ae.Retries, Reason: reason}
		}
		return nil, fmt.Errorf("signing with PIV slot %s: %w", k.slot, err)
	}
	return sig, nil
}

// promptPIN is piv-go's PINPrompt: remaining tries first, then the PIN,
// checked for format, the caller's slice wiped.
func (k *Key) promptPIN(ctx context.Context) (string, error) {
	remaining, err := k.triesLeft()
	if err != nil {
		return "", err
	}
	switch {
	case remaining == 0:
		return "", &PINError{Remaining: 0, Reason: ErrPINBlocked}
	case remaining == 1 && !k.cfg.allowLastTry:
		return "", &PINError{Remaining: 1, Reason: ErrLastTry}
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("reading operator PIN: %w", err)
	}
	pin, err := k.pin(ctx)
	defer wipe(pin)
	if err != nil {
		return "", fmt.Errorf("reading operator PIN: %w", err)
	}
	if !validPIVPIN(pin) {
		return "", ErrPINFormat
	}
	return string(pin), nil
}

// triesLeft reads the PIN retry counter with an empty VERIFY (SP 800-73-4
// Part 2 §3.2.1). -1 means the PIN is verified right now, so the counter
// is full but its value unknown.
func (k *Key) triesLeft() (int, error) {
	// piv-go answers 63Cx with x and a blocked PIN (6983) with 0.
	n, err := k.yk.Retries()
	if err == nil {
		return n, nil
	}
	// piv-go reports an empty VERIFY answered 9000 (already verified) as a
	// bare error wrapping nothing; card and transport errors wrap a cause.
	if errors.Unwrap(err) == nil {
		return -1, nil
	}
	return 0, fmt.Errorf("reading PIN tries left: %w", err)
}

func validPIVPIN(pin []byte) bool {
	if len(pin) < minPIVPINLen || len(pin) > maxPIVPINLen {
		return false
	}
	for _, c := range pin {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}

// Close releases the token. Signing afterwards fails with ErrClosed.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.yk == nil {
		return nil
	}
	err := k.yk.Close()
	k.yk = nil
	if err != nil {
		return fmt.Errorf("closing PIV token: %w", err)
	}
	return nil
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Interfaces Key implements.
var (
	_ operator.Key           = (*Key)(nil)
	_ operator.ContextSigner = (*Key)(nil)
)
