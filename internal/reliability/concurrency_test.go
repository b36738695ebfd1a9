package reliability

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// Environment of the child processes of TestTwoProcesses.
const (
	envChild  = "MYNACARD_RELIABILITY_CHILD" // "signer" or "intruder"
	envReader = "MYNACARD_RELIABILITY_READER"
	envRounds = "MYNACARD_RELIABILITY_ROUNDS"
)

// deadlockBound is how long the concurrency tests may take before they
// count as deadlocked.
const deadlockBound = 90 * time.Second

// digestInfo returns a SHA-256 DigestInfo over msg and the digest.
func digestInfo(t testing.TB, msg string) ([]byte, []byte) {
	d := sha256.Sum256([]byte(msg))
	di, err := jpki.DigestInfo(crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return di, d[:]
}

// verifyBeforeSign checks a JPKI's trace: every SIGN is preceded, since the
// previous SIGN, by a VERIFY that carried a PIN. The
// library's calls on one JPKI are serialised, so the trace is in order.
func verifyBeforeSign(ins []byte, data []bool) error {
	verified := false
	for i, b := range ins {
		switch {
		case b == insVerify && data[i]:
			verified = true
		case b == insSign:
			if !verified {
				return fmt.Errorf("SIGN at APDU %d without a VERIFY before it", i+1)
			}
			verified = false
		}
	}
	return nil
}

// TestConcurrentGoroutines: several connections to one reader through
// pcscd (as several applications would have), several goroutines on each
// connection's JPKI, signing with both keys and reading in between. Every
// signature verifies, every SIGN follows its VERIFY, no retry counter moves,
// and it all ends well within deadlockBound under -race.
func TestConcurrentGoroutines(t *testing.T) {
	const (
		conns      = 3
		goroutines = 3
		rounds     = 4
	)
	w := newWorld(t)
	vc := w.newCard(t)
	s := newPCSCSession(t, vc)
	before := tries(vc)
	ctx, cancel := context.WithTimeout(context.Background(), deadlockBound)
	defer cancel()

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		signs int
		errs  []error
	)
	report := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	recs := make([]*recorder, conns)
	start := time.Now()
	for c := range conns {
		k, err := s.pc.Connect(ctx, s.slot.Reader)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		recs[c] = &recorder{}
		j, err := card.OpenJPKI(ctx, k, card.Options{Trace: recs[c].hook})
		if err != nil {
			t.Fatal(err)
		}
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					key := card.AuthKey
					pub := &w.holder.AuthKey.PublicKey
					if (c+g+r)%2 == 1 {
						key, pub = card.SignKey, &w.holder.SignKey.PublicKey
					}
					di, d := digestInfo(t, fmt.Sprintf("conn %d goroutine %d round %d", c, g, r))
					sig, err := j.Sign(ctx, key, w.prompt, di)
					if err != nil {
						report(fmt.Errorf("conn %d goroutine %d: sign: %w", c, g, err))
						return
					}
					if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d, sig); err != nil {
						report(fmt.Errorf("conn %d goroutine %d: %v signature does not verify: %w", c, g, key, err))
					}
					mu.Lock()
					signs++
					mu.Unlock()
					if _, err := j.ReadCertificate(ctx, card.AuthKey); err != nil {
						report(fmt.Errorf("conn %d goroutine %d: read: %w", c, g, err))
					}
					if n, err := j.PINStatus(ctx, key.PIN()); err != nil || n != before[pinRef(key.PIN())] {
						report(fmt.Errorf("conn %d goroutine %d: PIN status %d, %v", c, g, n, err))
					}
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadlockBound):
		t.Fatalf("deadlock: goroutines still running after %v", deadlockBound)
	}
	for _, err := range errs {
		t.Error(err)
	}
	for c, r := range recs {
		if err := verifyBeforeSign(r.snapshot()); err != nil {
			t.Errorf("connection %d: %v", c, err)
		}
	}
	after := tries(vc)
	for p, n := range before {
		if after[p] != n {
			t.Errorf("%v tries %d -> %d", p, n, after[p])
		}
	}
	if want := conns * goroutines * rounds; signs != want {
		t.Errorf("%d signatures, want %d", signs, want)
	}
	t.Logf("%d connections x %d goroutines: %d signatures verified in %v", conns, goroutines, signs, time.Since(start).Round(time.Millisecond))
}

func pinRef(k card.PINKind) virtual.PINRef {
	if k == card.SignPIN {
		return virtual.PINJPKISign
	}
	return virtual.PINJPKIAuth
}

// rawIntrude sends SELECT EF (auth key) and SIGN in one transaction of c,
// without any VERIFY: what another application could do with the card's
// leftover security state. It returns the SIGN's error (nil if the card
// signed).
func rawIntrude(ctx context.Context, c reader.Card, di []byte) error {
	return c.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
		sel := apdu.Command{CLA: 0x00, INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x00, 0x17}}
		if _, err := reader.Do(ctx, tr, sel, false); err != nil {
			return err
		}
		sign := apdu.Command{CLA: 0x80, INS: insSign, P1: 0x00, P2: 0x80, Data: di, Ne: 256}
		_, err := reader.Do(ctx, tr, sign, false)
		return err
	})
}

// childResult is what a child process prints as its last stdout line.
type childResult struct {
	Role      string `json:"role"`
	OK        int    `json:"ok"`
	Refused   int    `json:"refused"` // intruder: SIGN answered 6982
	Signed    int    `json:"signed"`  // intruder: SIGN succeeded without VERIFY
	Errors    []string
	ElapsedMS int64 `json:"elapsed_ms"`
}

// TestTwoProcesses re-executes the test binary twice while this process
// signs too, all on one reader through pcscd: a "signer" child signs through
// the library (each signature checked against the certificate read from the
// card), an "intruder" child sends SIGN without VERIFY in transactions of its
// own. The library guarantees that its VERIFY and SIGN are never split
// (every signature verifies; nobody's SIGN lands inside another's
// transaction), and that no transaction of its own leaves the card's
// security state raised: each one that presented a PIN ends with a SELECT
// of the application that drops it, and closing a connection a PIN was
// presented on resets the card. So the intruder's SIGN is refused every
// time, whenever it comes (6982, or 6A82/6986 after a reset left no
// application selected), and a reset made by another process's Close is
// absorbed by the next transaction (reconnect, then begin again).
func TestTwoProcesses(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	const rounds = 15
	w := newWorld(t)
	vc := w.newCard(t)
	s := newPCSCSession(t, vc)
	before := tries(vc)
	ctx, cancel := context.WithTimeout(context.Background(), deadlockBound)
	defer cancel()

	type out struct {
		res childResult
		err error
	}
	results := make(chan out, 2)
	for _, role := range []string{"signer", "intruder"} {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildProcess$", "-test.v")
		cmd.Env = append(os.Environ(), envChild+"="+role, envReader+"="+s.slot.Reader, envRounds+"="+strconv.Itoa(rounds))
		go func() {
			b, err := cmd.Output()
			var res childResult
			sc := bufio.NewScanner(bytes.NewReader(b))
			for sc.Scan() {
				var r childResult
				if json.Unmarshal(sc.Bytes(), &r) == nil && r.Role != "" {
					res = r
				}
			}
			if err != nil {
				err = fmt.Errorf("%s child: %w\n%s", role, err, b)
			}
			results <- out{res, err}
		}()
	}
	// This process signs with the library meanwhile.
	j, err := card.OpenJPKI(ctx, s.card, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for r := range rounds {
		di, d := digestInfo(t, fmt.Sprintf("parent %d", r))
		sig, err := j.Sign(ctx, card.AuthKey, w.prompt, di)
		if err != nil {
			t.Fatalf("parent sign %d: %v", r, err)
		}
		if err := rsa.VerifyPKCS1v15(&w.holder.AuthKey.PublicKey, crypto.SHA256, d, sig); err != nil {
			t.Errorf("parent signature %d does not verify", r)
		}
	}
	var intruder childResult
	for range 2 {
		select {
		case o := <-results:
			if o.err != nil {
				t.Fatal(o.err)
			}
			for _, e := range o.res.Errors {
				t.Errorf("%s child: %s", o.res.Role, e)
			}
			switch o.res.Role {
			case "signer":
				if o.res.OK != rounds {
					t.Errorf("signer child: %d good signatures, want %d", o.res.OK, rounds)
				}
			case "intruder":
				intruder = o.res
				if o.res.Refused+o.res.Signed != rounds {
					t.Errorf("intruder child: %+v, want %d SIGN outcomes", o.res, rounds)
				}
			}
		case <-ctx.Done():
			t.Fatalf("deadlock: children still running after %v", deadlockBound)
		}
	}
	after := tries(vc)
	for p, n := range before {
		if after[p] != n {
			t.Errorf("%v tries %d -> %d", p, n, after[p])
		}
	}
	if intruder.Signed != 0 {
		t.Errorf("intruder without VERIFY: %d SIGN succeeded on another process's leftover security state, want 0", intruder.Signed)
	}
	t.Logf("ATTACK | second process SIGNs without VERIFY while two others sign through the library (%d rounds) | every SIGN refused | %d refused, %d signed", rounds, intruder.Refused, intruder.Signed)

	// Deterministically: right after this process's Sign (connection kept
	// open), another connection's SIGN without VERIFY is refused; after
	// Reset too.
	other, err := s.pc.Connect(ctx, s.slot.Reader)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	di, _ := digestInfo(t, "leftover")
	if _, err := j.Sign(ctx, card.AuthKey, w.prompt, di); err != nil {
		t.Fatal(err)
	}
	leftover := rawIntrude(ctx, other, di)
	if !errors.Is(leftover, apdu.ErrSecurityStatus) {
		t.Errorf("SIGN without VERIFY from another connection right after a library Sign: %v, want 6982 (the transaction dropped the PIN state)", leftover)
	}
	t.Logf("SIGN without VERIFY from another connection right after a library Sign: %v", leftover)
	if _, err := j.Sign(ctx, card.AuthKey, w.prompt, di); err != nil {
		t.Fatal(err)
	}
	if err := s.card.Reset(ctx); err != nil {
		t.Fatalf("reset: %v", err)
	}
	err = rawIntrude(ctx, other, di)
	if errors.Is(err, reader.ErrCardReset) {
		if rerr := other.Reconnect(ctx); rerr != nil {
			t.Fatal(rerr)
		}
		err = rawIntrude(ctx, other, di)
	}
	// 6982, or 6A82 because the reset also deselected the application.
	var se *apdu.StatusError
	if !errors.As(err, &se) {
		t.Errorf("SIGN without VERIFY after pcsc.Card.Reset: %v, want the card to refuse it", err)
	} else {
		t.Logf("SIGN without VERIFY after pcsc.Card.Reset: refused, %v", err)
	}
}

// TestChildProcess is the body of TestTwoProcesses's children; it does
// nothing unless run as one.
func TestChildProcess(t *testing.T) {
	role := os.Getenv(envChild)
	if role == "" {
		t.Skip("run by TestTwoProcesses")
	}
	pcsctest.Ensure(t)
	rounds, _ := strconv.Atoi(os.Getenv(envRounds))
	ctx, cancel := context.WithTimeout(context.Background(), deadlockBound)
	defer cancel()
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Release()
	k, err := pc.Connect(ctx, os.Getenv(envReader))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	res := childResult{Role: role}
	start := time.Now()
	h := jpkitest.DefaultHolder()
	switch role {
	case "signer":
		j, err := card.OpenJPKI(ctx, k, card.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := jpki.ReadAuthCertificate(ctx, j)
		if err != nil {
			t.Fatal(err)
		}
		pin := h.Contents().AuthPIN
		prompt := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(pin), nil }
		for r := range rounds {
			di, d := digestInfo(t, fmt.Sprintf("child %d", r))
			sig, err := j.Sign(ctx, card.AuthKey, prompt, di)
			if err == nil {
				err = rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, d, sig)
			}
			if err != nil {
				res.Errors = append(res.Errors, err.Error())
				continue
			}
			res.OK++
		}
	case "intruder":
		for r := range rounds {
			di, _ := digestInfo(t, fmt.Sprintf("intruder %d", r))
			err := rawIntrude(ctx, k, di)
			switch {
			case err == nil:
				res.Signed++
			case errors.Is(err, apdu.ErrSecurityStatus):
				res.Refused++
			default:
				// 6A82/6986 when no application is selected, etc.:
				// refused as well, by another status word.
				var se *apdu.StatusError
				if errors.As(err, &se) {
					res.Refused++
				} else {
					res.Errors = append(res.Errors, err.Error())
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	res.ElapsedMS = time.Since(start).Milliseconds()
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}
