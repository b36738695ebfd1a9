package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pinentry"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/operator/pivkey"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/sqlite"
	"github.com/mynacard/mynacard/store/storeopen"
)

// virtualReader is the --reader value that selects the built-in virtual
// card, and the reader name it reports.
const (
	virtualReader     = "virtual"
	virtualReaderName = "mynacard built-in virtual card"
)

// errCardTimeout reports that no card was placed within --timeout.
var errCardTimeout = errors.New("timed out waiting for a card")

// session is one command's connection to a card.
type session struct {
	card reader.Card
	jpki *card.JPKI
	// virtual is true for the built-in virtual card.
	virtual bool
}

// close disconnects from the card.
func (s *session) close() {
	if s != nil && s.card != nil {
		_ = s.card.Close()
	}
}

// testCard reports whether results must be labelled TEST CARD and the
// test hierarchy trusted: the built-in virtual card (also chosen with
// --reader virtual for a command that reads no card, such as verify or
// changes) or --test-hierarchy.
func (g *globals) testCard(s *session) bool {
	return (s != nil && s.virtual) || g.TestHierarchy || strings.EqualFold(g.Reader, virtualReader)
}

// cardOptions are the card layer's options from the flags.
func (g *globals) cardOptions() card.Options {
	return card.Options{AllowLastTry: g.AllowLastTry, Trace: g.traceHook(), SpeculativeECDSA: g.SpeculativeECDSA}
}

// openCard connects to the card the flags name and opens its JPKI
// application. The built-in virtual card is used only when asked for with
// --reader virtual; with pcscd down, no reader or no card, the PC/SC error
// is reported as `readers` reports it, never replaced by the test card.
func (g *globals) openCard(ctx context.Context) (*session, error) {
	c, virt, err := g.connect(ctx)
	if err != nil {
		return nil, err
	}
	j, err := card.OpenJPKI(ctx, c, g.cardOptions())
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	g.virtualCard = virt
	return &session{card: c, jpki: j, virtual: virt}, nil
}

// connect returns the card, and whether it is the virtual one.
func (g *globals) connect(ctx context.Context) (reader.Card, bool, error) {
	if strings.EqualFold(g.Reader, virtualReader) {
		g.notef("%s", g.tr(msgVirtualChosen))
		c, err := g.newVirtualCard()
		return c, true, err
	}
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		return nil, false, err
	}
	defer pc.Release()
	names, err := pc.ListReaders(ctx)
	if err != nil {
		return nil, false, err
	}
	if g.Reader == "" && len(names) > 1 {
		infos, _ := pc.Readers(ctx)
		if name := chooseByPresence(infos); name != "" {
			names = []string{name}
		}
	}
	name, err := reader.Choose(names, g.Reader)
	if err != nil {
		return nil, false, err
	}
	if err := g.waitForCard(ctx, pc, name); err != nil {
		return nil, false, err
	}
	c, err := pc.Connect(ctx, name, pcsc.WithExtendedLength(false))
	if err != nil {
		return nil, false, err
	}
	return c, false, nil
}

// chooseByPresence picks, among several readers and with no --reader, the
// one that holds a card when exactly one does; otherwise it returns "" and
// reader.Choose reports the ambiguity.
func chooseByPresence(infos []reader.Info) string {
	var withCard []string
	for _, in := range infos {
		if in.CardPresent {
			withCard = append(withCard, in.Name)
		}
	}
	if len(withCard) == 1 {
		return withCard[0]
	}
	return ""
}

// waitForCard returns at once when a card is in the reader; otherwise it
// asks for one on stderr and waits up to --timeout.
func (g *globals) waitForCard(ctx context.Context, pc *pcsc.Context, name string) error {
	infos, err := pc.Readers(ctx)
	if err == nil {
		for _, in := range infos {
			if in.Name == name && in.CardPresent {
				return nil
			}
		}
	}
	g.notef("%s", g.p.Sprintf(i18n.WaitingForCard, int(g.Timeout.Seconds())))
	wctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	if _, err := pc.WaitForCard(wctx, name); err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return errCardTimeout
		}
		return err
	}
	return nil
}

// newVirtualCard returns the built-in virtual card: the fictional test
// holder of jpki/jpkitest, in process, through reader.Loopback; with
// --speculative-ecdsa the same holder on an ECDSA P-384 card.
func (g *globals) newVirtualCard() (reader.Card, error) {
	vc, err := g.newVirtualMyNumberCard()
	if err != nil {
		return nil, err
	}
	return reader.Loopback(virtualReaderName, vc, reader.Capabilities{}), nil
}

// newVirtualMyNumberCard is the built-in virtual card's card: the default
// test holder, on an ECDSA P-384 card with --speculative-ecdsa.
func (g *globals) newVirtualMyNumberCard() (*virtual.Card, error) {
	h := jpkitest.DefaultHolder()
	if g.SpeculativeECDSA {
		var err error
		if h, err = jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration}); err != nil {
			return nil, fmt.Errorf("making the virtual card: %w", err)
		}
	}
	vc, err := virtual.NewMyNumberCard(h.Contents(), h.VirtualOptions()...)
	if err != nil {
		return nil, fmt.Errorf("making the virtual card: %w", err)
	}
	return vc, nil
}

// pinSource returns where PINs come from: --pin-stdin, --pin-fd, or the
// terminal with prompts in the chosen language.
// The source is made once per process: the card PIN and an operator PIV
// PIN are read from the same one, in that order.
func (g *globals) pinSource() (*pinentry.Source, error) {
	if g.src != nil {
		return g.src, nil
	}
	var err error
	switch {
	case g.PINStdin:
		g.src = pinentry.Stdin()
	case g.PINFD >= 0:
		g.src, err = pinentry.FD(g.PINFD)
	default:
		g.src = pinentry.Terminal().WithPrompt(pinentry.LocalizedPrompt(g.p))
	}
	return g.src, err
}

// operatorKey opens the operator key that seals records:
// --operator-key/--operator-cert files, or a PIV token (--operator-piv);
// nil when none is configured (records are then kept unsealed).
func (g *globals) operatorKey(ctx context.Context) (operator.Key, error) {
	switch {
	case g.OperatorKey != "" || g.OperatorCert != "":
		if g.OperatorKey == "" || g.OperatorCert == "" {
			return nil, usageErrorf("%s", g.tr(msgOperatorPair))
		}
		k, err := operator.LoadSoftwareKey(g.OperatorKey, g.OperatorCert)
		if err != nil && k == nil {
			return nil, err
		}
		if err != nil {
			g.warnf("%v", err) // a key file others can read
		}
		return k, nil
	case g.OperatorPIV != "":
		src, err := g.pinSource()
		if err != nil {
			return nil, err
		}
		pin := func(ctx context.Context) ([]byte, error) {
			return src.Read(ctx, g.tr(msgLabelOperatorPIN), pinentry.UnknownRemaining)
		}
		var opts []pivkey.Option
		if g.AllowLastTry {
			opts = append(opts, pivkey.AllowLastPINTry())
		}
		reader := g.OperatorPIV
		if reader == "any" {
			reader = ""
		}
		return pivkey.Open(ctx, reader, pivkey.DefaultSlot(), pin, opts...)
	}
	return nil, nil
}

// prompt adapts a PIN source to the card layer's callback. The card layer
// reads the remaining tries first and wipes what is returned.
func (g *globals) prompt(src *pinentry.Source) card.PINPrompt {
	return func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		if remaining == card.RemainingUnknown {
			remaining = pinentry.UnknownRemaining
		}
		return src.Read(ctx, g.pinLabel(k), remaining)
	}
}

// roots returns the trusted roots: in test mode (virtual card or
// --test-hierarchy) the jpkitest roots, labelled as such; otherwise the
// pinned J-LIS roots from --roots files and from the card's CA EFs, each
// accepted only if its fingerprint matches a pin.
func (g *globals) roots(ctx context.Context, s *session) (*jpki.Roots, error) {
	if g.testCard(s) {
		pki := jpkitest.Default()
		test := append(pki.AllRoots(card.SignKey), pki.AllRoots(card.AuthKey)...)
		g.warnf("%s", g.tr(msgTestHierarchy))
		return jpki.NewRoots(jpki.WithTestHierarchy(test...))
	}
	r, err := jpki.NewRoots()
	if err != nil {
		return nil, err
	}
	for _, f := range g.Roots {
		if _, err := r.AddFile(f); err != nil {
			return nil, fmt.Errorf("reading roots from %s: %w", f, err)
		}
	}
	if s != nil && s.jpki != nil {
		// A CA certificate that matches no pin is simply not trusted.
		_, _ = r.AddFromCard(ctx, s.jpki)
	}
	return r, nil
}

// revocationConfig is the revocation configuration of --crl, --ocsp,
// --crl-cache and --revocation.
func (g *globals) revocationConfig() (revocation.Config, error) {
	policy, err := revocation.ParsePolicy(g.Revocation)
	if err != nil {
		return revocation.Config{}, &usageError{err: errors.New(g.tr(msgBadRevocation, g.Revocation))}
	}
	return revocation.Config{CRLs: g.CRL, OCSP: g.OCSP, Policy: policy, CacheDir: g.crlCacheDir()}, nil
}

// revocationChecker builds the revocation checker from the flags
// (revocation.Config.Load, the library's loading and decision procedure);
// revocation.NoSource when no source is given (every status is then
// "unknown: no source"). A source that cannot be used is an error naming
// it; a stale CRL or an unreachable URL is a warning.
func (g *globals) revocationChecker(ctx context.Context, roots *jpki.Roots) (revocation.Checker, error) {
	cfg, err := g.revocationConfig()
	if err != nil {
		return nil, err
	}
	if !cfg.Configured() {
		if g.virtualCard {
			return g.virtualRevocation(ctx, roots)
		}
		g.warnf("%s", g.tr(msgNoRevocation))
		return revocation.NoSource, nil
	}
	rc, warnings, err := cfg.Load(ctx, roots.Certificates())
	g.revocationWarnings(warnings)
	var se *revocation.SourceError
	switch {
	case errors.As(err, &se):
		return nil, g.sourceError(err)
	case errors.Is(err, revocation.ErrBadOCSPURL):
		return nil, usageErrorf("--ocsp: %v", err)
	case err != nil:
		return nil, err
	}
	return rc, nil
}

// revocationWarnings tells the clerk about each CRL that is not fresh and
// each source that did not answer.
func (g *globals) revocationWarnings(warnings []error) {
	for _, w := range warnings {
		var se *revocation.SourceError
		if errors.As(w, &se) && (errors.Is(w, revocation.ErrStale) || errors.Is(w, revocation.ErrNotYetValid)) {
			g.warnf("%s", g.tr(msgRevocationStale, se.Source))
		} else if se != nil {
			g.warnf("%s", g.tr(msgRevocationUnreachable, se.Source))
		}
	}
}

// virtualRevocation gives the built-in virtual card a revocation source of
// its own: an empty CRL from every root of the test hierarchy, made now and
// valid for a day, so that the virtual card's confirmations end with a
// complete verdict. It is used only for the built-in virtual card and only
// when the user configured no source; it is test data and says so.
func (g *globals) virtualRevocation(ctx context.Context, roots *jpki.Roots) (revocation.Checker, error) {
	issuers := roots.Certificates()
	var cfg revocation.Config
	now := time.Now()
	pki := jpkitest.Default()
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for gen := jpkitest.FirstGeneration; gen <= jpkitest.ECDSAGeneration; gen++ {
			root, key := pki.Root(kind, gen)
			if root == nil {
				continue
			}
			var buf bytes.Buffer
			opts := jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
			if _, err := jpkitest.WriteCRL(&buf, root, key, opts); err != nil {
				return nil, fmt.Errorf("making the virtual card's test CRL: %w", err)
			}
			c, err := revocation.ParseCRL(&buf, revocation.ParseOptions{Issuers: issuers, Source: "built-in test CRL"})
			if err != nil {
				return nil, fmt.Errorf("loading the virtual card's test CRL: %w", err)
			}
			cfg.Parsed = append(cfg.Parsed, c)
		}
	}
	rc, warnings, err := cfg.Load(ctx, issuers)
	if err != nil {
		return nil, fmt.Errorf("loading the virtual card's test CRL: %w", err)
	}
	g.revocationWarnings(warnings)
	g.warnf("%s", g.tr(msgVirtualCRL))
	return rc, nil
}

// openStore opens the store --db names. Only a command that writes the
// first data (g.mayCreateStore: identify --enroll, eligibility import)
// creates a missing one (SQLite 0600 in a 0700 directory, or the schema
// in PostgreSQL); every other command refuses it (noStoreError), so that a
// mistyped --db never answers "not enrolled" or "no qualification" from an
// empty store.
func (g *globals) openStore(ctx context.Context) (store.Store, error) {
	dsn, err := g.storeDSN()
	if err != nil {
		return nil, err
	}
	open := storeopen.OpenExisting
	if g.mayCreateStore {
		open = storeopen.Open
	}
	st, err := open(ctx, dsn)
	if errors.Is(err, store.ErrNoStore) {
		return nil, &noStoreError{where: redactedDSN(dsn), err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	return st, nil
}

// storeDSN is --db, or the per-user SQLite file (sqlite.DefaultPath, the
// one place that decides it).
func (g *globals) storeDSN() (string, error) {
	if g.DB != "" {
		return g.DB, nil
	}
	return sqlite.DefaultPath()
}

// operator names the clerk: --operator, else the login name.
func (g *globals) operator() string {
	if g.Operator != "" {
		return g.Operator
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// confirmer builds a confirm.Confirmer for the session.
func (g *globals) confirmer(ctx context.Context, s *session, st store.Store) (*confirm.Confirmer, error) {
	roots, err := g.roots(ctx, s)
	if err != nil {
		return nil, err
	}
	rcfg, err := g.revocationConfig()
	if err != nil {
		return nil, err
	}
	policy := rcfg.Policy
	rc := revocation.NoSource
	if policy != revocation.PolicyOff {
		if rc, err = g.revocationChecker(ctx, roots); err != nil {
			return nil, err
		}
	}
	cfg := confirm.Config{
		Roots:             roots,
		Revocation:        rc,
		RevocationPolicy:  policy,
		RequireProduction: !g.testCard(s),
		Operator:          g.operator(),
	}
	if st != nil {
		cfg.Enrolments, cfg.Records, cfg.Eligibility = st, st, st
		key, err := g.operatorKey(ctx)
		if err != nil {
			return nil, err
		}
		if key != nil {
			cfg.Seal = operator.SealerContext(ctx, key)
			cp, err := g.checkpointPath()
			if err != nil {
				return nil, err
			}
			cs := operator.WithCheckpoint(st, cp)
			cfg.Enrolments, cfg.Records, cfg.Eligibility = cs, cs, cs
		}
	}
	return confirm.New(cfg)
}

// withConfirmer checks the revocation flags and sources, opens the store
// and runs pre on it (checks that need the store, such as the enrolment a
// registration change names), all before the card is touched; then it
// opens the card, a Confirmer over both and the PIN source, as identify and
// qualify need them, runs fn with the session, the Confirmer and the
// source's prompt, and closes them again, in reverse order.
func (g *globals) withConfirmer(ctx context.Context, pre func(st store.Store) error, fn func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error) error {
	if _, err := g.checkRevocationFlags(); err != nil {
		return err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if pre != nil {
		if err := pre(st); err != nil {
			return err
		}
	}
	return g.onCard(ctx, st, fn)
}

// onCard opens the card, a Confirmer over it and st (nil: no store) and
// the PIN source, runs fn with the session, the Confirmer and the source's
// prompt, and closes them again, in reverse order.
func (g *globals) onCard(ctx context.Context, st store.Store, fn func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error) error {
	s, err := g.openCard(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	conf, err := g.confirmer(ctx, s, st)
	if err != nil {
		return err
	}
	src, err := g.pinSource()
	if err != nil {
		return err
	}
	defer src.Close()
	return fn(s, conf, g.prompt(src))
}
