package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
)

// TestLastTryGuard spends two tries of the authentication PIN with wrong
// PINs through the module, watches the token flags follow, and then checks
// that the login on the last try is refused with CKR_PIN_LOCKED before
// any VERIFY: the card's counter and its VERIFY count are unchanged.
func TestLastTryGuard(t *testing.T) {
	e := newEnv(t, "keys = auth\n")
	flags := func() string {
		return strings.TrimSpace(e.must("", harnessPath, modulePath, "flags"))
	}
	login := func(pin string) string {
		return strings.TrimSpace(e.must(pin+"\n", harnessPath, modulePath, "login", "0"))
	}
	const base = "0x40c" // CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED
	if got := flags(); got != `0 "JPKI 利用者証明用" `+base {
		t.Fatalf("fresh card flags: %s", got)
	}
	if got := login("9999"); got != "CKR_PIN_INCORRECT" {
		t.Fatalf("wrong PIN: %s", got)
	}
	if got := flags(); got != `0 "JPKI 利用者証明用" 0x1040c` { // + CKF_USER_PIN_COUNT_LOW
		t.Fatalf("after one wrong PIN: %s", got)
	}
	// A PIN of the wrong format is refused without touching the card.
	before := e.vc.verifies.Load()
	if got := login("12345"); got != "CKR_PIN_INCORRECT" {
		t.Fatalf("5-digit PIN: %s", got)
	}
	if e.vc.verifies.Load() != before || e.vc.TriesLeft(virtual.PINJPKIAuth) != 2 {
		t.Fatalf("a malformed PIN reached the card")
	}
	if got := login("9999"); got != "CKR_PIN_INCORRECT" {
		t.Fatalf("second wrong PIN: %s", got)
	}
	if got := flags(); got != `0 "JPKI 利用者証明用" 0x3040c` { // + CKF_USER_PIN_FINAL_TRY
		t.Fatalf("one try left: %s", got)
	}
	before = e.vc.verifies.Load()
	if got := login(authPIN); got != "CKR_PIN_LOCKED" {
		t.Fatalf("login on the last try: %s, want CKR_PIN_LOCKED", got)
	}
	if n := e.vc.verifies.Load() - before; n != 0 {
		t.Fatalf("%d VERIFY sent on the last try", n)
	}
	if n := e.vc.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Fatalf("tries left %d, want 1 (unchanged)", n)
	}
	if got := flags(); got != `0 "JPKI 利用者証明用" 0x3040c` {
		t.Fatalf("flags after the refusal: %s", got)
	}

	// The configuration can allow the last try; the right PIN then
	// restores the counter.
	e.writeConf("keys = auth\nallow-last-try = yes\n")
	if got := login(authPIN); got != "CKR_OK" {
		t.Fatalf("allowed last try: %s", got)
	}
	if n := e.vc.TriesLeft(virtual.PINJPKIAuth); n != 3 {
		t.Fatalf("tries left %d after the right PIN, want 3", n)
	}
	if got := flags(); got != `0 "JPKI 利用者証明用" `+base {
		t.Fatalf("flags after the right PIN: %s", got)
	}
}

// TestBlockedPIN: a blocked PIN shows CKF_USER_PIN_LOCKED and the login
// is refused without a VERIFY.
func TestBlockedPIN(t *testing.T) {
	e := newEnv(t, "keys = sign\nallow-last-try = yes\n")
	for i := 0; i < 5; i++ {
		if got := strings.TrimSpace(e.must("WRONG0\n", harnessPath, modulePath, "login", "1")); got != "CKR_PIN_INCORRECT" && !(i == 4 && got == "CKR_PIN_LOCKED") {
			t.Fatalf("wrong password %d: %s", i, got)
		}
	}
	if got := strings.TrimSpace(e.must("", harnessPath, modulePath, "flags")); got != `1 "JPKI 署名用" 0x4040c` {
		t.Fatalf("blocked flags: %s", got)
	}
	before := e.vc.verifies.Load()
	if got := strings.TrimSpace(e.must(signPIN+"\n", harnessPath, modulePath, "login", "1")); got != "CKR_PIN_LOCKED" {
		t.Fatalf("login on a blocked PIN: %s", got)
	}
	if e.vc.verifies.Load() != before {
		t.Fatal("VERIFY sent to a blocked PIN")
	}
}

// TestStress runs the harness's threads: eight signers (token info,
// searches and signatures with both keys, every signature verified) and
// two threads listing slots and mechanisms and opening, querying and
// closing sessions meanwhile, all on one module instance.
func TestStress(t *testing.T) {
	e := newEnv(t, "")
	out := e.must(authPIN+"\n"+signPIN+"\n", harnessPath, modulePath, "stress", "8", "6")
	if strings.TrimSpace(out) != "signed 48 verified" {
		t.Fatalf("stress: %s", out)
	}
	if n := e.vc.TriesLeft(virtual.PINJPKIAuth); n != 3 {
		t.Fatalf("auth tries %d after the stress", n)
	}
}

// TestSlotEvent: a consumer blocked in C_WaitForSlotEvent learns the
// card's removal, for the slot of the reader the module was allowed.
func TestSlotEvent(t *testing.T) {
	e := newEnv(t, "keys = auth\n")
	cmd := exec.Command(harnessPath, modulePath, "wait")
	cmd.Env = append(os.Environ(), "MYNACARD_PKCS11_CONF="+e.conf)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(30 * time.Second):
			t.Fatal("harness said nothing")
		}
		return ""
	}
	if l := next(); l != "waiting" {
		t.Fatalf("harness: %q", l)
	}
	time.Sleep(300 * time.Millisecond) // let it block in C_WaitForSlotEvent
	e.cards.Remove(t)
	if l := next(); l != "0" {
		t.Fatalf("slot event: %q, want slot 0", l)
	}
}
