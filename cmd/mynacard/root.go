package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pinentry"
	"github.com/mynacard/mynacard/reader"
)

// defaultTimeout is how long a card command waits for a card to be
// placed on the reader when none is there (--timeout).
const defaultTimeout = 30 * time.Second

// globals holds the root command's persistent flags and the output
// streams every command writes to.
type globals struct {
	// Reader selects the reader: exact name, index or substring
	// (reader.Choose); empty picks the only reader; "virtual" the
	// built-in virtual card.
	Reader string
	// JSON makes commands print machine-readable JSON on stdout.
	JSON bool
	// Trace logs every APDU to stderr, PIN data redacted.
	Trace bool
	// Lang is "ja" or "en"; empty follows the locale.
	Lang string
	// Timeout bounds the wait for a card.
	Timeout time.Duration
	// AllowLastTry lets a command spend the last try of a PIN.
	AllowLastTry bool
	// PINStdin reads PINs from standard input, one line each.
	PINStdin bool
	// PINFD reads PINs from this file descriptor (-1: not set).
	PINFD int
	// DB is the store's DSN; empty is the per-user SQLite file.
	DB string
	// Checkpoint is the records' checkpoint file; empty is next to the
	// SQLite file (or, for PostgreSQL, in the per-user data directory).
	Checkpoint string
	// CRL lists CRL sources (files, directories, URLs).
	CRL []string
	// CRLCache is the index cache directory ("off": none; empty: the
	// default under the user's cache directory).
	CRLCache string
	// OCSP is an OCSP responder URL.
	OCSP string
	// Revocation is the revocation policy: hard, soft or off.
	Revocation string
	// Roots lists files of production root certificates (checked
	// against the pins).
	Roots []string
	// TestHierarchy trusts the jpkitest roots (virtual test cards) even
	// on a real reader.
	TestHierarchy bool
	// SpeculativeECDSA uses card.SpeculativeECDSA for ECDSA card keys and
	// makes the built-in virtual card an ECDSA P-384 one.
	SpeculativeECDSA bool
	// Operator names the clerk or kiosk in records.
	Operator string
	// OperatorKey and OperatorCert are a software operator key sealing
	// records; OperatorPIV names the reader of a PIV token instead.
	OperatorKey, OperatorCert, OperatorPIV string

	// cmdName is the subcommand being run ("pin change"), for hints.
	cmdName string
	// mayCreateStore lets openStore create a missing store: set by the
	// commands that write the first data (identify --enroll, eligibility
	// import).
	mayCreateStore bool
	// src is the process's PIN source, made on first use.
	src *pinentry.Source
	// virtualCard is set once the built-in virtual card is in use: it
	// then also gets the test hierarchy's own revocation source.
	virtualCard bool
	// started is set once PersistentPreRunE ran: errors before it are
	// cobra's usage errors.
	started        bool
	stdout, stderr io.Writer
	// p prints messages in the chosen language; set before any command
	// runs.
	p *i18n.Printer
}

// subcommands builds each command of the CLI. Add a command by writing
// cmd_<name>.go with a newXxxCmd(*globals) function and listing it here.
var subcommands = []func(*globals) *cobra.Command{
	newReadersCmd,
	newStatusCmd,
	newCertCmd,
	newTextCmd,
	newFaceCmd,
	newPINCmd,
	newSignCmd,
	newVerifyCmd,
	newIdentifyCmd,
	newAgeCmd,
	newQualifyCmd,
	newEligibilityCmd,
	newChangesCmd,
	newTokenCmd,
	newRecordsCmd,
	newVirtualCardCmd,
	newWatchCmd, newServeCmd,
}

// newRootCmd returns the mynacard command with its persistent flags and
// every subcommand.
func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "mynacard",
		Short:         "use the Individual Number Card (マイナンバーカード) through a PC/SC reader",
		Long:          rootLong + "\n\n" + exitCodeHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Reader, "reader", "r", "", "reader to use: exact name, index, part of the name, or \"virtual\" for the built-in test card (default: the only reader, or the only one holding a card; the test card only when asked for)")
	pf.BoolVar(&g.JSON, "json", false, "print results as JSON (keys in English whatever --lang)")
	pf.BoolVar(&g.Trace, "trace", false, "log every APDU to stderr (PIN data redacted)")
	pf.StringVar(&g.Lang, "lang", "", "language of messages: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	pf.DurationVar(&g.Timeout, "timeout", defaultTimeout, "how long to wait for a card to be placed on the reader")
	pf.BoolVar(&g.AllowLastTry, "allow-last-try", false, "allow spending the last remaining try of a PIN (a wrong PIN then blocks it)")
	pf.BoolVar(&g.PINStdin, "pin-stdin", false, "read PINs from standard input, one line each (for scripts; never put a PIN in argv)")
	pf.IntVar(&g.PINFD, "pin-fd", -1, "read PINs from this open file descriptor, one line each")
	pf.StringVar(&g.DB, "db", "", "store: a SQLite file path or a postgres:// DSN (default: $XDG_DATA_HOME/mynacard/mynacard.db)")
	pf.StringVar(&g.Checkpoint, "checkpoint", "", "file holding the sealed records' signed head, written after each sealed record and checked by records verify (default: the SQLite file's path + .checkpoint)")
	pf.StringArrayVar(&g.CRL, "crl", nil, "CRL source for revocation checks: a file, a directory of *.crl/*.der/*.pem, or an http(s) URL (repeatable)")
	pf.StringVar(&g.CRLCache, "crl-cache", "", "directory of the verified CRL index cache (default: mynacard/crl-index under the user cache directory; \"off\": parse every CRL on every run)")
	pf.StringVar(&g.OCSP, "ocsp", "", "OCSP responder URL for revocation checks")
	pf.StringVar(&g.Revocation, "revocation", "hard", "revocation policy: hard (only \"good\" passes), soft (unknown passes, revoked fails) or off")
	pf.StringArrayVar(&g.Roots, "roots", nil, "file of J-LIS root certificates (PEM or DER), accepted only if they match the pinned fingerprints (repeatable)")
	pf.BoolVar(&g.TestHierarchy, "test-hierarchy", false, "trust the virtual test card's roots (O=JPKI-TEST) on a real reader; results are labelled TEST CARD")
	pf.BoolVar(&g.SpeculativeECDSA, "speculative-ecdsa", false, "sign with ECDSA card keys through a guess at the next card's unpublished protocol; the built-in virtual card becomes an ECDSA P-384 test card")
	pf.StringVar(&g.Operator, "operator", "", "name of the clerk or kiosk kept in records (default: the login name)")
	pf.StringVar(&g.OperatorKey, "operator-key", "", "PEM PKCS #8 operator key that seals every record kept (with --operator-cert)")
	pf.StringVar(&g.OperatorCert, "operator-cert", "", "PEM certificate of --operator-key")
	pf.StringVar(&g.OperatorPIV, "operator-piv", "", "seal records with the PIV token (slot 9c) in this reader (\"any\": the first PIV token); its PIN is read after the card's")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		g.cmdName = strings.TrimPrefix(cmd.CommandPath(), root.Name()+" ")
		if g.Lang != "" && g.Lang != i18n.Japanese && g.Lang != i18n.English {
			return usageErrorf("%s", g.tr(msgLangBad, g.Lang))
		}
		g.p = i18n.New(g.Lang)
		g.started = true
		if g.PINStdin && g.PINFD >= 0 {
			return usageErrorf("%s", g.tr(msgPINSourceBoth))
		}
		return nil
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		g.cmdName = commandKey(cmd)
		return g.flagError(err)
	})
	for _, sub := range subcommands {
		root.AddCommand(sub(g))
	}
	return root
}

// rootLong is the root command's description.
const rootLong = `mynacard reads and uses Japan's Individual Number Card (マイナンバーカード)
through a PC/SC reader: personal identification (identify), qualification
confirmation (qualify), registration-change confirmation (changes), CMS
signatures (sign, verify), and the card's certificates, text and face.

With --reader virtual, every command runs against a built-in virtual card
holding a fictional test holder (山田　太郎, signing password ABC123, PIN
1234): a TEST CARD, never a real Individual Number Card, whose test roots
are trusted only in that mode. It is used only when asked for: with no
reader, no card or no PC/SC service, a command reports that and stops.

PINs are never taken from the command line or the environment: they are
asked on the terminal with echo off, or read from standard input
(--pin-stdin) or a file descriptor (--pin-fd N).`

// run executes the CLI with args and returns the process exit code (see
// exitCodes).
func run(args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr, PINFD: -1}
	// Help, usage errors and argument checks come before PersistentPreRunE
	// and speak the language --lang asks for already.
	g.p = i18n.New(langFromArgs(args))
	root := newRootCmd(g)
	g.localizeCommands(root)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return exitInterrupted
	}
	if !g.started {
		// The error came before PersistentPreRunE (an unknown command),
		// before cobra parsed the flags.
		g.JSON = g.JSON || slicesContains(args, "--json")
		err = g.commandError(root, err)
		if !isUsage(err) {
			err = &usageError{err: err}
		}
	}
	code, msg, hint := g.describeError(err)
	g.printError(msg, hint)
	var ce *codedError
	if g.JSON && !errors.As(err, &ce) {
		// A command that failed before printing its result still gives
		// a machine a JSON answer; outcomes such as "verification failed"
		// were printed by the command itself.
		_ = g.printJSON(map[string]jsonError{"error": {ExitCode: code, Code: exitCodeName(code), Message: msg, Hint: hint, TriesLeft: triesLeft(err)}})
	}
	return code
}

// jsonError is the JSON answer of a command that failed with --json.
type jsonError struct {
	ExitCode int    `json:"exit_code"`
	Code     string `json:"code"`
	// Message and Hint are in the chosen language.
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// TriesLeft is set for a wrong PIN and the refused last try.
	TriesLeft *int `json:"tries_left,omitempty"`
	// Rows are the bad rows of an eligibility import, one line each.
	Rows []string `json:"rows,omitempty"`
}

// printError writes a one-line error and, when there is one, a one-line
// hint to stderr, in the chosen language.
func (g *globals) printError(msg, hint string) {
	colon := g.p.Sprintf(i18n.Colon)
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
	fmt.Fprintf(g.stderr, "mynacard: %s%s%s\n", g.p.Sprintf(i18n.PrefixError), colon, msg)
	if hint != "" {
		fmt.Fprintf(g.stderr, "mynacard: %s%s%s\n", g.p.Sprintf(i18n.PrefixHint), colon, hint)
	}
}

// warnf writes a warning line to stderr.
func (g *globals) warnf(format string, args ...any) {
	fmt.Fprintf(g.stderr, "mynacard: %s%s%s\n", g.p.Sprintf(i18n.PrefixWarning), g.p.Sprintf(i18n.Colon), fmt.Sprintf(format, args...))
}

// notef writes an informational line to stderr.
func (g *globals) notef(format string, args ...any) {
	fmt.Fprintf(g.stderr, "mynacard: %s\n", fmt.Sprintf(format, args...))
}

// hintFor suggests what to do about common reader errors (English; see
// describeError for the localised hints).
func hintFor(err error) string {
	switch {
	case errors.Is(err, reader.ErrNoService):
		return "start the PC/SC service (pcscd), or run `make test` once to install it"
	case errors.Is(err, reader.ErrNoReaders):
		return "connect a reader, or run `mynacard virtual-card` in another terminal"
	case errors.Is(err, reader.ErrAmbiguousReader):
		return "choose one with --reader (see `mynacard readers`)"
	case errors.Is(err, reader.ErrReaderNotFound):
		return "see `mynacard readers` for the names and indexes"
	}
	return ""
}

// traceHook returns a hook that logs APDUs to stderr when --trace is on,
// nil otherwise. The commands it sees are already redacted.
func (g *globals) traceHook() func(reader.TraceEvent) {
	if !g.Trace {
		return nil
	}
	return func(e reader.TraceEvent) {
		if e.Err != nil {
			fmt.Fprintf(g.stderr, "> %X\n! %v (%v)\n", e.Command, e.Err, e.Duration)
			return
		}
		fmt.Fprintf(g.stderr, "> %X\n< %X (%v)\n", e.Command, e.Response, e.Duration)
	}
}
