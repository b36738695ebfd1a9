package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mynacard/mynacard/jpki/revocation"
)

// Everything a command can check without the card is checked before the
// card is opened, so that nothing found later costs the holder a PIN entry
// (or a try): the flags, the revocation sources, the output files, the
// enrolment a registration change names.

// checkRevocationFlags parses --revocation and checks the revocation
// sources a command that judges certificates will need: every --crl file
// or directory can be read (a missing or unreadable one is an error naming
// it), --ocsp is a URL, and the hard policy has a source (the built-in
// virtual card brings its own test CRLs).
func (g *globals) checkRevocationFlags() (revocation.Policy, error) {
	cfg, err := g.revocationConfig()
	if err != nil {
		return 0, err
	}
	policy := cfg.Policy
	if policy == revocation.PolicyOff {
		return policy, nil
	}
	if err := g.checkRevocationSources(); err != nil {
		return 0, err
	}
	if policy == revocation.PolicyHard && !cfg.Configured() && !strings.EqualFold(g.Reader, virtualReader) {
		return 0, &usageError{err: errors.New(g.tr(msgHardNoSource))}
	}
	return policy, nil
}

// checkRevocationSources checks that every --crl file or directory can be
// read and that --ocsp is a URL.
func (g *globals) checkRevocationSources() error {
	err := revocation.Config{CRLs: g.CRL, OCSP: g.OCSP}.CheckSources()
	if errors.Is(err, revocation.ErrBadOCSPURL) {
		return usageErrorf("%s", g.tr(msgOCSPURL, g.OCSP))
	}
	return g.sourceError(err)
}

// sourceError is the clerk's message for a revocation source that cannot
// be used (a *revocation.SourceError), naming it; other errors pass.
func (g *globals) sourceError(err error) error {
	var se *revocation.SourceError
	if !errors.As(err, &se) {
		return err
	}
	return &codedError{code: exitError, msg: g.tr(msgRevocationSourceBad, se.Source, g.fileProblem(err, msgSourceNotCRL)),
		hint: g.tr(msgHintRevocationSource), underlying: err}
}

// fileProblem names, in the clerk's language, why a file could not be
// used: missing, not readable or writable, or other (the other message).
func (g *globals) fileProblem(err error, other msgKey) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return g.tr(msgSourceMissing)
	case errors.Is(err, fs.ErrPermission):
		return g.tr(msgSourceUnreadable)
	case errors.Is(err, errIsDirectory):
		return g.tr(msgIsDirectory)
	}
	return g.tr(other)
}

var errIsDirectory = errors.New("is a directory")

// checkWritable checks that a command will be able to write path once the
// card has answered: its directory exists and takes a new file, and an
// existing path is a file that opens for writing. Nothing is created,
// truncated or left behind.
func (g *globals) checkWritable(path string) error {
	if path == "" {
		return nil
	}
	err := writable(path)
	if err == nil {
		return nil
	}
	return &codedError{code: exitError, msg: g.tr(msgOutputNotWritable, path, g.fileProblem(err, msgSourceUnreadable)),
		hint: g.tr(msgHintOutput), underlying: err}
}

func writable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return errIsDirectory
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		return f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".mynacard-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("removing the check file %s: %w", name, err)
	}
	return nil
}
