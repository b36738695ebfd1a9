package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/csv"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
	"github.com/mynacard/mynacard/store"
)

// The CLI runs as a real subprocess in the scripts: the test binary
// re-executes itself as "mynacard".
func TestMain(m *testing.M) {
	intruder.Main()
	testscript.Main(mainM{m}, map[string]func(){
		"mynacard": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

type mainM struct{ m *testing.M }

// Run builds the CLI once, without the race detector, and puts it first
// in PATH: the scripts run it dozens of times, and an instrumented binary
// would multiply the package's test time several times over. If the build
// fails, the scripts run the test binary itself (testscript.Main).
func (w mainM) Run() int {
	if dir, err := os.MkdirTemp("", "mynacard-cli-"); err == nil {
		defer os.RemoveAll(dir)
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "mynacard"), ".")
		if out, err := build.CombinedOutput(); err == nil {
			os.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
		} else {
			fmt.Fprintf(os.Stderr, "building mynacard for the scripts failed (%v), using the test binary:\n%s", err, out)
		}
		// mynacard-seed fills a store with 10,000 enrolments for the batch
		// script (testdata/seed).
		seed := exec.Command("go", "build", "-o", filepath.Join(dir, "mynacard-seed"), "./testdata/seed")
		if out, err := seed.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building testdata/seed failed (%v):\n%s", err, out)
		}
		os.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
	}
	code := w.m.Run()
	pcsctest.Shutdown()
	return code
}

// TestScripts runs testdata/script/*.txtar against the built-in virtual
// card (--reader virtual), in parallel.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata/script",
		Setup: setupEnv,
		Cmds:  scriptCmds(nil),
	})
}

// TestScriptsPCSC runs testdata/pcsc/*.txtar through the real pcscd and
// vpcd: each script inserts virtual cards with `card insert HOLDER` into
// one vpcd slot held for the whole test; the scripts take turns.
func TestScriptsPCSC(t *testing.T) {
	slot := pcsctest.Slot(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/pcsc",
		Setup: func(env *testscript.Env) error {
			env.Setenv("READER", slot.Reader)
			return setupEnv(env)
		},
		Cmds: scriptCmds(&slotUser{slot: slot}),
	})
}

// setupEnv gives each script a fast directory for databases (tmpfs when
// there is one: SQLite syncs every transaction).
func setupEnv(env *testscript.Env) error {
	dir, err := os.MkdirTemp("/dev/shm", "mynacard-cli-")
	if err != nil {
		dir = env.WorkDir
	} else {
		env.Defer(func() { os.RemoveAll(dir) })
	}
	env.Setenv("FAST", dir)
	env.Setenv("HOME", env.WorkDir)
	return nil
}

// holders are the virtual card holders scripts can insert, built once.
var holders = sync.OnceValues(func() (map[string]*jpkitest.Holder, error) {
	pki := jpkitest.Default()
	hs := map[string]*jpkitest.Holder{"default": jpkitest.DefaultHolder()}
	specs := map[string]jpkitest.HolderSpec{
		// A holder whose name holds a substitute character (代替文字) at
		// its second character, born in 平成.
		"subst": {Name: "渡邉　花子", NameSubstitutes: []int{1}, Sex: card.SexFemale,
			BirthDate: time.Date(1990, 6, 15, 0, 0, 0, 0, time.UTC)},
		// A holder whose birth date's era the registry did not record
		// (era code 0): shown as unknown, never guessed.
		"era-unknown": {Name: "佐藤　次郎", Era: jpkitest.EraUnknownSpec,
			BirthDate: time.Date(1960, 5, 5, 0, 0, 0, 0, time.UTC)},
		// The default holder's new card after moving to Osaka: a
		// registration change (異動), new keys and serials.
		"moved": {Address: "大阪府大阪市北区試験町４丁目５番６号", Prefecture: "Osaka-fu", City: "Kita-ku",
			KeySalt: "moved", SignSerial: big.NewInt(0x7A000001), AuthSerial: big.NewInt(0x7A000002)},
	}
	for name, spec := range specs {
		h, err := pki.Issue(spec)
		if err != nil {
			return nil, fmt.Errorf("issuing holder %s: %w", name, err)
		}
		hs[name] = h
	}
	return hs, nil
})

func holder(ts *testscript.TestScript, name string) *jpkitest.Holder {
	hs, err := holders()
	ts.Check(err)
	h, ok := hs[name]
	if !ok {
		ts.Fatalf("unknown holder %q", name)
	}
	return h
}

// textVariants are cards of the default holder whose text application
// differs from the signing certificate: only in half-width digits (the
// same after safe folding), or in one kanji (a difference).
var textVariants = map[string]func(c *virtual.Contents){
	"halfwidth-text": func(c *virtual.Contents) { c.Address = "東京都千代田区試験町1丁目2番3号" },
	"kanji-text":     func(c *virtual.Contents) { c.Name = "山田　太朗" },
}

// faultCards are cards of the default holder whose signed records are
// written wrongly in one named way (docs/card-apps.md).
var faultCards = map[string]virtual.RecordFault{
	"tampered":          virtual.RecordTampered,
	"signed-by-app-key": virtual.RecordSignedByAppKey,
	"cvc-over-tlv":      virtual.CVCSignedOverTLV,
}

// cardOptions are the virtual card options of a card named by a script.
func cardOptions(name string) []virtual.Option {
	if f, ok := chipCards[name]; ok {
		var c virtual.Contents
		return f(&c)
	}
	if f, ok := faultCards[name]; ok {
		return []virtual.Option{virtual.WithRecordFault(f)}
	}
	return nil
}

// cardContents is what a virtual card named by a script holds.
func cardContents(ts *testscript.TestScript, name string) virtual.Contents {
	if c, _, ok := chipCard(ts, name); ok {
		return c
	}
	if _, ok := faultCards[name]; ok {
		return holder(ts, "default").Contents()
	}
	if change, ok := textVariants[name]; ok {
		c := holder(ts, "default").Contents()
		change(&c)
		return c
	}
	return holder(ts, name).Contents()
}

// slotUser lets one script at a time use the slot.
type slotUser struct {
	slot *pcsctest.SlotHandle
	mu   sync.Mutex
}

// scriptCmds are the scripts' own commands; card is only given for the
// PC/SC scripts.
func scriptCmds(su *slotUser) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"gencrl":     cmdGenCRL,
		"gencsv":     cmdGenCSV,
		"jsonschema": cmdJSONSchema,
		"genopkey": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: genopkey DIR")
			}
			_, err := operator.GenerateSoftwareKey(ts.MkAbs(args[0]), "counter 1")
			ts.Check(err)
		},
		"mode": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: mode FILE PERM")
			}
			fi, err := os.Stat(ts.MkAbs(args[0]))
			ts.Check(err)
			if got := fmt.Sprintf("%04o", fi.Mode().Perm()); got != args[1] {
				ts.Fatalf("%s has mode %s, want %s", args[0], got, args[1])
			}
		},
		"replace": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 3 {
				ts.Fatalf("usage: replace FILE OLD NEW")
			}
			b, err := os.ReadFile(ts.MkAbs(args[0]))
			ts.Check(err)
			if !bytes.Contains(b, []byte(args[1])) {
				ts.Fatalf("%s does not contain %q", args[0], args[1])
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), bytes.Replace(b, []byte(args[1]), []byte(args[2]), 1), 0o600))
		},
	}
	if su != nil {
		cmds["card"] = su.cmdCard
	}
	for k, v := range chipScriptCmds() {
		cmds[k] = v
	}
	for k, v := range pdfScriptCmds() {
		cmds[k] = v
	}
	return cmds
}

// cmdCard: card insert HOLDER | card remove. The first insert of a script
// takes the slot until the script ends.
func (su *slotUser) cmdCard(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: card insert HOLDER | card remove")
	}
	ctx := context.Background()
	var cur *cardState
	if v, ok := slotStates.Load(ts); ok {
		cur = v.(*cardState)
	}
	remove := func() {
		if cur == nil || cur.conn == nil {
			return
		}
		_ = cur.conn.Remove()
		select {
		case <-cur.errc:
		case <-time.After(10 * time.Second):
			ts.Fatalf("card did not stop")
		}
		cur.conn = nil
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c, err := pcsc.Establish(wctx)
		ts.Check(err)
		defer c.Release()
		ts.Check(c.WaitForRemoval(wctx, su.slot.Reader))
	}
	switch args[0] {
	case "remove":
		remove()
	case "insert":
		if len(args) < 2 {
			ts.Fatalf("usage: card insert HOLDER [VARIANT...]")
		}
		if cur == nil {
			su.mu.Lock()
			cur = &cardState{}
			ts.Defer(func() { remove(); slotStates.Delete(ts); su.mu.Unlock() })
			slotStates.Store(ts, cur)
		}
		remove()
		vc, err := virtual.NewMyNumberCard(cardContents(ts, args[1]), append(cardOptions(args[1]), cardVariants(ts, args[2:])...)...)
		ts.Check(err)
		conn, errc, err := vpcd.Attach(ctx, su.slot.Addr, vc)
		ts.Check(err)
		cur.conn, cur.errc = conn, errc
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c, err := pcsc.Establish(wctx)
		ts.Check(err)
		defer c.Release()
		_, err = c.WaitForCard(wctx, su.slot.Reader)
		ts.Check(err)
	default:
		ts.Fatalf("usage: card insert HOLDER | card remove")
	}
}

// cardState is the card a script has inserted.
type cardState struct {
	conn *vpcd.Conn
	errc <-chan error
}

// slotStates maps a running script to its card state.
var slotStates sync.Map

// cmdGenCRL: gencrl [-auth] [-stale] OUT [HOLDER:REASON ...] [batch:N]
// writes a fresh CRL (with -stale, one whose nextUpdate passed two days ago) (valid from an hour ago for a day) of the signing
// (or, with -auth, authentication) root of generation 3 listing each holder's signing certificate with
// the reason (affiliationChanged, keyCompromise, ...), and with batch:N
// the serials `seed` gave enrolments i where i%10==1 (affiliationChanged)
// and i%25==2 (keyCompromise), for i < N.
func cmdGenCRL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: gencrl [-auth] OUT [HOLDER:REASON ...]")
	}
	kind := card.SignKey
	stale := false
	for len(args) > 1 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-auth":
			kind = card.AuthKey
		case "-stale":
			stale = true
		default:
			ts.Fatalf("gencrl: unknown option %s", args[0])
		}
		args = args[1:]
	}
	reasons := map[string]int{
		"affiliationChanged": jpkitest.ReasonAffiliationChanged, "keyCompromise": jpkitest.ReasonKeyCompromise,
		"superseded": jpkitest.ReasonSuperseded, "cessationOfOperation": jpkitest.ReasonCessationOfOperation,
	}
	now := time.Now()
	opts := jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
	if stale {
		opts.ThisUpdate, opts.NextUpdate = now.Add(-72*time.Hour), now.Add(-48*time.Hour)
	}
	for _, a := range args[1:] {
		who, why, _ := strings.Cut(a, ":")
		if who == "batch" {
			n, err := strconv.Atoi(why)
			ts.Check(err)
			for i := range n {
				switch {
				case i%10 == 1:
					opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: batchSerial(ts, i), RevokedAt: now.Add(-2 * time.Hour), Reason: jpkitest.ReasonAffiliationChanged})
				case i%25 == 2:
					opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: batchSerial(ts, i), RevokedAt: now.Add(-2 * time.Hour), Reason: jpkitest.ReasonKeyCompromise})
				}
			}
			continue
		}
		r, ok := reasons[why]
		if !ok {
			ts.Fatalf("unknown reason %q", why)
		}
		opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: holder(ts, who).SignCert.SerialNumber, RevokedAt: opts.ThisUpdate.Add(-time.Hour), Reason: r})
	}
	root, key := jpkitest.Default().Root(kind, jpkitest.LatestGeneration)
	var buf bytes.Buffer
	_, err := jpkitest.WriteCRL(&buf, root, key, opts)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), buf.Bytes(), 0o644))
}

// batchCert returns the default holder's signing certificate with its
// serial's last two bytes replaced by i (i = 0 keeps the real one), as
// testdata/seed (BatchCert) enrols them. Only the first is correctly
// signed: the batch check finds the issuer of the rest by key identifier,
// as for certificates verified at enrolment.
func batchCert(ts *testscript.TestScript, i int) ([]byte, *big.Int) {
	cert := defaultSignCert()
	if i == 0 {
		return cert.Raw, cert.SerialNumber
	}
	enc, err := asn1.Marshal(cert.SerialNumber)
	ts.Check(err)
	at := bytes.Index(cert.Raw, enc)
	if at < 0 || len(enc) < 5 {
		ts.Fatalf("serial not found")
	}
	next := bytes.Clone(enc)
	next[len(next)-2], next[len(next)-1] = byte(i>>8), byte(i)
	der := bytes.Clone(cert.Raw)
	copy(der[at:], next)
	serial := new(big.Int)
	_, err = asn1.Unmarshal(next, &serial)
	ts.Check(err)
	return der, serial
}

// defaultSignCert is the default holder's signing certificate, issued
// once (DefaultHolder issues a fresh holder on every call).
var defaultSignCert = sync.OnceValue(func() *x509.Certificate { return jpkitest.DefaultHolder().SignCert })

func batchSerial(ts *testscript.TestScript, i int) *big.Int {
	_, s := batchCert(ts, i)
	return s
}

// cmdGenCSV: gencsv OUT HOLDER STATUS writes an eligibility CSV for the
// holder's authentication certificate that gives validity status STATUS
// (1–6) today, card-expired or card-today for status 1 with an insurance
// card that expired yesterday or ends today, or "bad" for a file whose
// third line is wrong.
func cmdGenCSV(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: gencsv OUT HOLDER STATUS")
	}
	h := holder(ts, args[1])
	issuer, serial := confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert)
	row := func(insurer, from, until, registered string) []string {
		return []string{issuer, serial, insurer, "記号１", "123", "01", "山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1",
			from, until, "", "30", registered}
	}
	var rows [][]string
	switch args[2] {
	case "1":
		rows = append(rows, row("06139999", "2020-04-01", "", "1"))
	case "2":
		rows = append(rows, row("06139999", "2015-04-01", "2020-03-31", "1"))
	case "3":
		rows = append(rows, row("06139999", "2015-04-01", "2020-03-31", "1"), row("06271111", "2099-04-01", "", "1"))
	case "4":
		// Only someone else's qualification.
		r := row("06139999", "2020-04-01", "", "1")
		r[1] = "01"
		rows = append(rows, r)
	case "5":
		rows = append(rows, row("06139999", "2020-04-01", "", "1"), row("06271111", "2021-04-01", "", "1"))
	case "6":
		rows = append(rows, row("06139999", "2020-04-01", "", "0"))
	case "card-expired", "card-today":
		// Status 1 with an insurance card valid until yesterday (expired)
		// or until today (its last valid day), in Japan time.
		day := time.Now().In(card.JST)
		if args[2] == "card-expired" {
			day = day.AddDate(0, 0, -1)
		}
		r := row("06139999", "2020-04-01", "", "1")
		r[12] = day.Format(time.DateOnly)
		rows = append(rows, r)
	case "bad":
		bad := row("06271111", "2020-04-01", "", "1")
		bad[9] = "x"
		rows = append(rows, row("06139999", "2020-04-01", "", "1"), bad)
	default:
		ts.Fatalf("status 1–6, card-expired, card-today or bad")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	ts.Check(w.Write(strings.Split(store.EligibilityCSVHeader, ",")))
	ts.Check(w.WriteAll(rows))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), buf.Bytes(), 0o644))
}
