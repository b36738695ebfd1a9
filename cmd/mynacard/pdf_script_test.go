package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pdftest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// pdfScriptCmds are the scripts' PDF commands:
//
//	genpdf PRODUCER FILE   a PDF from internal/pdftest's producers
//	ocsp                   start an OCSP responder answering good for the default holder's root: $OCSP_URL
//	tsa                    start a test time-stamping authority: $TSA_URL, tsa-root.pem
//	pdfsig FILE N          poppler's pdfsig reports N valid signatures by trusted signers
//	qpdfcheck FILE         qpdf --check passes
func pdfScriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"genpdf": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: genpdf PRODUCER FILE")
			}
			needTools(ts)
			p, err := pdftest.Producers()
			ts.Check(err)
			b, ok := p[args[0]]
			if !ok {
				ts.Fatalf("no producer %q", args[0])
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
		},
		"tsa": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 0 {
				ts.Fatalf("usage: tsa")
			}
			needTools(ts)
			srv, err := pdftest.StartTSA()
			ts.Check(err)
			ts.Defer(srv.Close)
			ts.Setenv("TSA_URL", srv.URL)
			ts.Check(os.WriteFile(ts.MkAbs("tsa-root.pem"), srv.RootPEM(), 0o644))
		},
		"ocsp": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 0 {
				ts.Fatalf("usage: ocsp")
			}
			h := jpkitest.DefaultHolder()
			_, key := jpkitest.Default().Root(card.SignKey, h.Spec.Generation)
			r := jpkitest.NewOCSPResponder(h.SignCA, key)
			r.SetDefault(jpkitest.OCSPStatus{Status: ocsp.Good})
			r.SetClock(time.Now)
			srv := httptest.NewServer(r)
			ts.Defer(srv.Close)
			ts.Setenv("OCSP_URL", srv.URL)
		},
		"pdfsig": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: pdfsig FILE N")
			}
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			dir, err := scriptNSS()
			ts.Check(err)
			out, valid, trusted := pdftest.Pdfsig(dir, ts.MkAbs(args[0]))
			if valid != n || trusted != n {
				ts.Fatalf("pdfsig: %d valid, %d trusted, want %d:\n%s", valid, trusted, n, out)
			}
		},
		"qpdfcheck": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: qpdfcheck FILE")
			}
			ts.Check(pdftest.QPDFCheck(ts.MkAbs(args[0])))
		},
	}
}

// needTools skips the script when a PDF tool is missing, unless the
// harness requires everything (make test installs them).
func needTools(ts *testscript.TestScript) {
	if m := pdftest.Missing(); len(m) > 0 {
		if os.Getenv("MYNACARD_PCSCTEST_REQUIRE") == "1" {
			ts.Fatalf("missing PDF tools: %v", m)
		}
		ts.Logf("missing PDF tools: %v", m)
		ts.Fatalf("skipping: PDF tools missing")
	}
}

// scriptNSS is one NSS database trusting the test signing roots, shared
// by the scripts. It also holds the default holder's certificate: poppler
// 22.12 reports the second of two signatures by the same certificate as
// "Unknown issue with Certificate" when that certificate is not in the
// database (its own doubly signed PDFs too).
var scriptNSS = sync.OnceValues(func() (string, error) {
	if _, err := exec.LookPath("certutil"); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "mynacard-cli-nss-")
	if err != nil {
		return "", err
	}
	h := jpkitest.DefaultHolder()
	return dir, pdftest.NSS(dir, jpkitest.Default().Roots(card.SignKey), h.SignKey, h.SignCert)
})
