package pcscpath

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// envChildReader, when set, makes TestChildPINStatus the second process of
// TestTransactionKeepsVerifyAndSignTogether: it names the reader to use.
const envChildReader = "MYNACARD_PCSCPATH_CHILD_READER"

// Lines of the child protocol, one per line on stdout; the parent answers
// childGo on the child's stdin.
const (
	childReady = "ready"  // connected and detected the card
	childGo    = "go"     // parent: ask the PIN status now
	childStart = "start"  // child: calling PINStatus
	childDone  = "status" // child: "status <remaining> <milliseconds>"
	holdAfter  = 400 * time.Millisecond
)

// TestChildPINStatus is the second process: it connects to the reader,
// opens the JPKI application, says it is ready, waits for the go, then asks
// the authentication PIN's status and reports it with how long it waited.
// It does nothing in a normal run.
func TestChildPINStatus(t *testing.T) {
	name := os.Getenv(envChildReader)
	if name == "" {
		t.Skip("the second process of TestTransactionKeepsVerifyAndSignTogether")
	}
	ctx := ctxT(t)
	pc := pcsctest.Context(t)
	k, err := pc.Connect(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	j, err := card.OpenJPKI(ctx, k, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(childReady)
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != childGo {
		t.Fatalf("child: no %q from the parent", childGo)
	}
	fmt.Println(childStart)
	start := time.Now()
	n, err := j.PINStatus(ctx, card.AuthPIN)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(childDone, n, time.Since(start).Milliseconds())
}

// TestTransactionKeepsVerifyAndSignTogether runs a second process (this
// test binary again) that asks for a PIN status while this one holds the
// card between reading the tries and signing (its PIN prompt is waiting).
// The PC/SC transaction must keep the other process out: the card sees
// this process's whole VERIFY+SIGN sequence without a foreign APDU in it,
// the other process's APDUs only afterwards, and the other process waited.
func TestTransactionKeepsVerifyAndSignTogether(t *testing.T) {
	var mu sync.Mutex
	var mine [][]byte
	trace := func(e reader.TraceEvent) {
		mu.Lock()
		mine = append(mine, bytes.Clone(e.Command))
		mu.Unlock()
	}
	r := newRig(t, rigConfig{opts: card.Options{Trace: trace}})
	ctx := ctxT(t)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildPINStatus$", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), envChildReader+"="+r.slot.Reader)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func(prefix string) string {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child ended before %q; stderr:\n%s", prefix, stderr.String())
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-ctx.Done():
				t.Fatalf("no %q from the child: %v", prefix, ctx.Err())
			}
		}
	}
	t0 := time.Now()
	next(childReady)
	t.Logf("child ready after %v", time.Since(t0))
	r.vc.resetLog()
	mu.Lock()
	mine = nil
	mu.Unlock()

	p := answer(jpkitest.DefaultAuthPIN)
	p.during = func(context.Context) {
		io.WriteString(stdin, childGo+"\n")
		next(childStart)
		time.Sleep(holdAfter) // the child is now waiting for the card
	}
	_, info := sha256Info(t, "held together")
	if _, err := r.j.Sign(ctx, card.AuthKey, p.ask, info); err != nil {
		t.Fatalf("Sign while another process wants the card: %v", err)
	}
	done := strings.Fields(next(childDone))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	if len(done) != 3 {
		t.Fatalf("child said %q", done)
	}
	if done[1] != strconv.Itoa(3) {
		t.Errorf("child's PIN status = %s, want 3", done[1])
	}
	if waited, _ := strconv.Atoi(done[2]); time.Duration(waited)*time.Millisecond < holdAfter/2 {
		t.Errorf("child's PIN status took %d ms: it did not wait for this process's transaction", waited)
	}

	mu.Lock()
	defer mu.Unlock()
	got := r.vc.commands()
	if len(got) <= len(mine) {
		t.Fatalf("card saw %d commands, this process sent %d: the child's are missing", len(got), len(mine))
	}
	for i, c := range mine {
		if !bytes.Equal(got[i], c) {
			t.Fatalf("card command %d is % X, this process sent % X: another process's APDU came inside the transaction\ncard INS: % X\nmine INS: % X", i, got[i], c, insOf(got), insOf(mine))
		}
	}
	if n := len(mine); n < 2 || mine[n-2][1] != insSign || mine[n-1][1] != insSelect || mine[n-1][2] != 0x04 {
		t.Fatalf("this process's sequence ends with INS % X, want SIGN then the SELECT of the application that clears the PIN state", insOf(mine[max(0, n-2):]))
	}
	theirs := got[len(mine):]
	if countINS(theirs, insVerify) != 1 || countINS(theirs, insSign) != 0 {
		t.Errorf("after the SIGN the card saw INS % X, want the child's status (one empty VERIFY)", insOf(theirs))
	}
	t.Logf("card INS order: this process % X | child % X; child waited %s ms", insOf(mine), insOf(theirs), done[2])
}
