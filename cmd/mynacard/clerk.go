package main

import (
	"github.com/mynacard/mynacard/card"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// clockJST writes an instant as Japan time with its zone, as every time
// the clerk reads is written (certificate validity, revocation status,
// signing times).
func clockJST(t time.Time) string {
	return t.In(card.JST).Format("2006-01-02 15:04:05 MST")
}

// refuseOverwrite keeps an existing file at path unless force: a
// signature or certificate is never replaced silently.
func (g *globals) refuseOverwrite(path string, force bool) error {
	if force || path == "" {
		return nil
	}
	// A directory is not a file to keep: checkWritable says what is
	// wrong with it.
	if fi, err := os.Lstat(path); err == nil && !fi.IsDir() {
		return &codedError{code: exitError, msg: g.tr(msgFileExists, path), hint: g.tr(msgHintFileExists)}
	}
	return nil
}

// createOutput creates path for writing: exclusively (never replacing a
// file that appeared since refuseOverwrite) unless force.
func createOutput(path string, force bool, perm os.FileMode) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	return os.OpenFile(path, flags, perm)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
