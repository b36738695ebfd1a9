// Command harness drives libmynacard-pkcs11.so from the consumer's side
// through github.com/miekg/pkcs11 (built against the OASIS headers), for
// the module's end-to-end tests. It runs in its own process: a c-shared Go
// library cannot be loaded into another Go program's test binary.
//
//	harness MODULE stress THREADS SIGNATURES   concurrent sessions, logins, searches and signatures
//	harness MODULE flags                       print "slot label flags tries" per token
//	harness MODULE login SLOT                  C_Login with the PIN on stdin; print the CK_RV name
//	harness MODULE wait                        block in C_WaitForSlotEvent; print the slot
//
// PINs come on standard input, never in argv.
package main

import (
	"bufio"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage: harness MODULE MODE ...")
	}
	p := pkcs11.New(os.Args[1])
	if p == nil {
		fail("cannot load " + os.Args[1])
	}
	if err := p.Initialize(); err != nil {
		fail("C_Initialize: " + err.Error())
	}
	defer p.Destroy()
	defer p.Finalize()
	switch os.Args[2] {
	case "stress":
		threads, _ := strconv.Atoi(os.Args[3])
		n, _ := strconv.Atoi(os.Args[4])
		stress(p, threads, n, readPINs())
	case "flags":
		slots, err := p.GetSlotList(true)
		check("C_GetSlotList", err)
		for _, s := range slots {
			ti, err := p.GetTokenInfo(s)
			check("C_GetTokenInfo", err)
			fmt.Printf("%d %q %#x\n", s, strings.TrimSpace(ti.Label), ti.Flags)
		}
	case "login":
		slot, _ := strconv.Atoi(os.Args[3])
		pins := readPINs()
		sh, err := p.OpenSession(uint(slot), pkcs11.CKF_SERIAL_SESSION)
		check("C_OpenSession", err)
		err = p.Login(sh, pkcs11.CKU_USER, pins[0])
		fmt.Println(rvName(err))
	case "wait":
		// Tell the test that the wait has begun, then block.
		fmt.Println("waiting")
		ev := <-p.WaitForSlotEvent(0)
		fmt.Println(ev.SlotID)
	default:
		fail("unknown mode " + os.Args[2])
	}
}

func readPINs() []string {
	var pins []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		pins = append(pins, sc.Text())
	}
	return pins
}

func rvName(err error) string {
	if err == nil {
		return "CKR_OK"
	}
	var e pkcs11.Error
	if errors.As(err, &e) {
		// "pkcs11: 0xA0: CKR_PIN_INCORRECT" → "CKR_PIN_INCORRECT"
		s := e.Error()
		return s[strings.LastIndex(s, " ")+1:]
	}
	return err.Error()
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "harness:", msg)
	os.Exit(1)
}

func check(what string, err error) {
	if err != nil {
		fail(what + ": " + err.Error())
	}
}

// stress logs in to every token (PINs on stdin, one per token in slot
// order), then runs threads goroutines — cgo calls on as many OS threads —
// each opening its own session and, n times, reading the token info,
// searching the objects and signing with each key; every signature is
// verified with the certificate's key.
func stress(p *pkcs11.Ctx, threads, n int, pins []string) {
	slots, err := p.GetSlotList(true)
	check("C_GetSlotList", err)
	if len(slots) == 0 || len(pins) < len(slots) {
		fail(fmt.Sprintf("%d tokens, %d PINs", len(slots), len(pins)))
	}
	type key struct {
		slot uint
		pub  *rsa.PublicKey
	}
	var keys []key
	for i, s := range slots {
		sh, err := p.OpenSession(s, pkcs11.CKF_SERIAL_SESSION)
		check("C_OpenSession", err)
		check("C_Login", p.Login(sh, pkcs11.CKU_USER, pins[i]))
		cert := findCert(p, sh)
		keys = append(keys, key{s, cert.PublicKey.(*rsa.PublicKey)})
		// This session stays open, so the token stays logged in.
	}
	var wg sync.WaitGroup
	errs := make(chan error, threads+2)
	var mu sync.Mutex
	signed := 0
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			k := keys[t%len(keys)]
			sh, err := p.OpenSession(k.slot, pkcs11.CKF_SERIAL_SESSION)
			if err != nil {
				errs <- fmt.Errorf("thread %d: C_OpenSession: %w", t, err)
				return
			}
			defer p.CloseSession(sh)
			for i := 0; i < n; i++ {
				if _, err := p.GetTokenInfo(k.slot); err != nil {
					errs <- fmt.Errorf("thread %d: C_GetTokenInfo: %w", t, err)
					return
				}
				check("C_FindObjectsInit", p.FindObjectsInit(sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY)}))
				objs, _, err := p.FindObjects(sh, 10)
				check("C_FindObjectsFinal", p.FindObjectsFinal(sh))
				if err != nil || len(objs) != 1 {
					errs <- fmt.Errorf("thread %d: private keys %d: %v", t, len(objs), err)
					return
				}
				msg := []byte(fmt.Sprintf("thread %d message %d", t, i))
				if err := p.SignInit(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_SHA256_RSA_PKCS, nil)}, objs[0]); err != nil {
					errs <- fmt.Errorf("thread %d: C_SignInit: %w", t, err)
					return
				}
				sig, err := p.Sign(sh, msg)
				if err != nil {
					errs <- fmt.Errorf("thread %d: C_Sign: %w", t, err)
					return
				}
				h := sha256.Sum256(msg)
				if err := rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, h[:], sig); err != nil {
					errs <- fmt.Errorf("thread %d: signature %d does not verify: %w", t, i, err)
					return
				}
				mu.Lock()
				signed++
				mu.Unlock()
			}
		}(t)
	}
	// Alongside the signers: threads that list slots, poll for slot events,
	// and open, query and close sessions of their own (never the last one
	// of a token, so the logins stay).
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churned := 0
	for t := 0; t < 2; t++ {
		churn.Add(1)
		go func(t int) {
			defer churn.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := p.GetSlotList(true); err != nil {
					errs <- fmt.Errorf("churn %d: C_GetSlotList: %w", t, err)
					return
				}
				if _, err := p.GetMechanismList(keys[i%len(keys)].slot); err != nil {
					errs <- fmt.Errorf("churn %d: C_GetMechanismList: %w", t, err)
					return
				}
				sh, err := p.OpenSession(keys[i%len(keys)].slot, pkcs11.CKF_SERIAL_SESSION)
				if err != nil {
					errs <- fmt.Errorf("churn %d: C_OpenSession: %w", t, err)
					return
				}
				if si, err := p.GetSessionInfo(sh); err != nil || si.State != pkcs11.CKS_RO_USER_FUNCTIONS {
					errs <- fmt.Errorf("churn %d: C_GetSessionInfo: state %d, %v", t, si.State, err)
					return
				}
				_ = findCertChecked(p, sh, errs)
				if err := p.CloseSession(sh); err != nil {
					errs <- fmt.Errorf("churn %d: C_CloseSession: %w", t, err)
					return
				}
				mu.Lock()
				churned++
				mu.Unlock()
			}
		}(t)
	}
	wg.Wait()
	close(stop)
	churn.Wait()
	close(errs)
	bad := false
	for err := range errs {
		fmt.Fprintln(os.Stderr, err)
		bad = true
	}
	if bad {
		os.Exit(1)
	}
	if churned == 0 {
		fmt.Fprintln(os.Stderr, "the session threads made no round")
		os.Exit(1)
	}
	fmt.Printf("signed %d verified\n", signed)
}

func findCert(p *pkcs11.Ctx, sh pkcs11.SessionHandle) *x509.Certificate {
	check("C_FindObjectsInit", p.FindObjectsInit(sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE)}))
	objs, _, err := p.FindObjects(sh, 10)
	check("C_FindObjects", err)
	check("C_FindObjectsFinal", p.FindObjectsFinal(sh))
	if len(objs) != 1 {
		fail(fmt.Sprintf("%d certificates on a token", len(objs)))
	}
	attrs, err := p.GetAttributeValue(sh, objs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	check("C_GetAttributeValue", err)
	c, err := x509.ParseCertificate(attrs[0].Value)
	check("parsing the certificate", err)
	return c
}

// findCertChecked reads the token's certificate in session sh, reporting
// a failure on errs instead of exiting.
func findCertChecked(p *pkcs11.Ctx, sh pkcs11.SessionHandle, errs chan<- error) bool {
	if err := p.FindObjectsInit(sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE)}); err != nil {
		errs <- fmt.Errorf("C_FindObjectsInit: %w", err)
		return false
	}
	objs, _, err := p.FindObjects(sh, 10)
	if ferr := p.FindObjectsFinal(sh); err == nil {
		err = ferr
	}
	if err != nil || len(objs) != 1 {
		errs <- fmt.Errorf("certificates %d: %v", len(objs), err)
		return false
	}
	if _, err := p.GetAttributeValue(sh, objs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)}); err != nil {
		errs <- fmt.Errorf("C_GetAttributeValue: %w", err)
		return false
	}
	return true
}
