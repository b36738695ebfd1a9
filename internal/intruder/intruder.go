// Package intruder is a test harness: a second process that opens a reader
// through pcscd in shared mode, as any local program can, and tries to
// sign with a JPKI key without presenting its PIN. It shows whether an
// operation left the card's security state raised.
//
// A test package calls Main first in its TestMain; Attack re-executes the
// test binary as the intruder and returns what the card answered.
package intruder

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/reader/pcsc"
)

// envAttack carries the attack to the re-executed test binary.
const envAttack = "MYNACARD_INTRUDER_ATTACK"

// Key is one of the JPKI private-key EFs.
type Key struct {
	Name string
	FID  uint16
}

// The two JPKI keys (EF 0017 user authentication, EF 001A signing).
var (
	AuthKey = Key{Name: "auth key 0017", FID: 0x0017}
	SignKey = Key{Name: "sign key 001A", FID: 0x001A}
	Keys    = []Key{AuthKey, SignKey}
)

// aidJPKI is the JPKI application's name (SELECT by DF name).
var aidJPKI = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}

// Status words the intruder may meet (ISO/IEC 7816-4 §5.6).
const (
	SWOK                = 0x9000
	SWSecurityStatus    = 0x6982 // the key's PIN is not verified
	SWFileNotFound      = 0x6A82 // no application selected: the key EF is not there
	SWNoCurrentEF       = 0x6986 // command not allowed: no current EF
	SWIncompatibleFile  = 0x6981
	SWConditionsNotMet  = 0x6985
	SWWrongP1P2         = 0x6A86
	SWInsNotSupported   = 0x6D00
	SWClassNotSupported = 0x6E00
)

// Result is what the card answered the intruder.
type Result struct {
	// SelectApp is the status word of SELECT JPKI (0 when not sent).
	SelectApp uint16 `json:"select_app"`
	// SelectEF is the status word of SELECT of the key EF.
	SelectEF uint16 `json:"select_ef"`
	// Sign is the status word of SIGN, SigLen the bytes it returned.
	Sign   uint16 `json:"sign"`
	SigLen int    `json:"sig_len"`
	// Err is a transport error, if any.
	Err string `json:"err,omitempty"`
}

// Signed reports whether the intruder obtained a signature.
func (r Result) Signed() bool { return r.Sign == SWOK || r.SigLen > 0 }

// String is the result as the attack table shows it.
func (r Result) String() string {
	if r.Err != "" {
		return "error: " + r.Err
	}
	var b strings.Builder
	if r.SelectApp != 0 {
		fmt.Fprintf(&b, "SELECT JPKI %04X, ", r.SelectApp)
	}
	fmt.Fprintf(&b, "SELECT EF %04X, SIGN %04X", r.SelectEF, r.Sign)
	if r.SigLen > 0 {
		fmt.Fprintf(&b, " with a %d-byte signature", r.SigLen)
	}
	return b.String()
}

// Refused reports whether the card refused the SIGN with one of the
// answers a card with no verified PIN gives: 6982, or, with no application
// selected (after a reset), 6A82 or 6986 because there is no key EF.
func (r Result) Refused() bool {
	if r.Signed() || r.Err != "" {
		return false
	}
	switch r.Sign {
	case SWSecurityStatus, SWFileNotFound, SWNoCurrentEF:
		return true
	}
	return false
}

type attack struct {
	Reader    string `json:"reader"`
	FID       uint16 `json:"fid"`
	SelectApp bool   `json:"select_app"`
}

// Main runs the intruder and exits when this process was started by
// Attack; otherwise it returns at once.
func Main() {
	spec := os.Getenv(envAttack)
	if spec == "" {
		return
	}
	var a attack
	var res Result
	if err := json.Unmarshal([]byte(spec), &a); err != nil {
		res.Err = err.Error()
	} else {
		res = run(a)
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	os.Exit(0)
}

func run(a attack) Result {
	var res Result
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	defer pc.Release()
	k, err := pc.Connect(ctx, a.Reader)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	defer k.Close()
	send := func(capdu []byte) (uint16, int, error) {
		out, err := k.Transmit(ctx, capdu)
		if err != nil {
			return 0, 0, err
		}
		n := len(out)
		return uint16(out[n-2])<<8 | uint16(out[n-1]), n - 2, nil
	}
	if a.SelectApp {
		if res.SelectApp, _, err = send(append([]byte{0x00, 0xA4, 0x04, 0x0C, byte(len(aidJPKI))}, aidJPKI...)); err != nil {
			res.Err = err.Error()
			return res
		}
	}
	if res.SelectEF, _, err = send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, byte(a.FID >> 8), byte(a.FID)}); err != nil {
		res.Err = err.Error()
		return res
	}
	// SIGN (80 2A 00 80 Lc DigestInfo 00) over attacker data.
	sum := sha256.Sum256([]byte("attacker data"))
	di := append([]byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, sum[:]...)
	cmd := append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...)
	cmd = append(cmd, 0x00)
	if res.Sign, res.SigLen, err = send(cmd); err != nil {
		res.Err = err.Error()
	}
	return res
}

// Attack runs the intruder in a new process against the card in
// readerName: optionally SELECT of the JPKI application, then SELECT of
// key's EF and SIGN, with no VERIFY.
func Attack(t testing.TB, readerName string, key Key, selectApp bool) Result {
	t.Helper()
	spec, _ := json.Marshal(attack{Reader: readerName, FID: key.FID, SelectApp: selectApp})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envAttack+"="+string(spec))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("intruder process: %v\n%s", err, out)
	}
	var res Result
	line := out
	if i := strings.LastIndexByte(strings.TrimSpace(string(out)), '\n'); i >= 0 {
		line = out[i+1:]
	}
	if err := json.Unmarshal(line, &res); err != nil {
		t.Fatalf("intruder output %q: %v", out, err)
	}
	return res
}

// Name names an attack for the table: the key and whether the
// application was selected first.
func Name(after string, key Key, selectApp bool) string {
	how := "no SELECT of the application"
	if selectApp {
		how = "SELECT JPKI first"
	}
	return fmt.Sprintf("after %s: second process SIGNs with the %s without VERIFY (%s)", after, key.Name, how)
}

// Expected is the refusal the attack table states.
const Expected = "no signature: 6982, or 6A82/6986 when a reset left no application selected"

// Check runs every intruder variant (both keys, with and without SELECT of
// the application) after an operation and fails t unless each was
// refused, logging one ATTACK line per variant.
func Check(t testing.TB, readerName, after string) {
	t.Helper()
	for _, key := range Keys {
		for _, sel := range []bool{false, true} {
			r := Attack(t, readerName, key, sel)
			name := Name(after, key, sel)
			verdict := "refused: " + r.String()
			if !r.Refused() {
				verdict = "NOT REFUSED: " + r.String()
				t.Errorf("%s: %s", name, r)
			}
			t.Logf("ATTACK | %s | %s | %s", name, Expected, verdict)
		}
	}
}

// ResettableCard is the card an attack test inserts: what vpcd drives,
// with the Reset a power cycle or reset calls (card/virtual.Card).
type ResettableCard interface {
	ATR() []byte
	Transmit(capdu []byte) []byte
	Reset()
}

// VerifyCounter passes every APDU to its card and counts the VERIFYs that
// carry data (a PIN presented), so that an attack test knows the operation
// before it really raised the security state.
type VerifyCounter struct {
	ResettableCard
	mu       sync.Mutex
	verifies int
}

// Transmit counts a VERIFY with data and passes capdu on.
func (c *VerifyCounter) Transmit(capdu []byte) []byte {
	if len(capdu) > 5 && capdu[1] == 0x20 {
		c.mu.Lock()
		c.verifies++
		c.mu.Unlock()
	}
	return c.ResettableCard.Transmit(capdu)
}

// Verifies returns how many PINs were presented so far.
func (c *VerifyCounter) Verifies() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.verifies
}
