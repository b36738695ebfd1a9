package agent

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// minTokenLen is the shortest session token New accepts.
const minTokenLen = 16

// newToken returns a fresh random session token (32 bytes, base64url).
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("agent: making session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ErrTokenFileMode reports a token file that users other than its owner may
// read or write.
var ErrTokenFileMode = errors.New("agent: token file is readable or writable by other users (chmod 600)")

// LoadOrCreateToken returns the session token kept in the file at path,
// creating the file (mode 0600, a fresh random token) when it does not
// exist. A token kept this way survives agent restarts: the host of an
// integrator's page reads it once, and reads it again only when the agent
// answers 401 (the file was replaced). Without a token file the agent makes
// a new token at every start, and pages must pair again (the agent's own
// page does so by itself: it reads the token from the page at /).
//
// On Unix the file must not be readable or writable by group or others
// (ErrTokenFileMode).
func LoadOrCreateToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		tok, err := newToken()
		if err != nil {
			return "", err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateToken(path) // another process made it meanwhile
		}
		if err != nil {
			return "", fmt.Errorf("agent: creating token file: %w", err)
		}
		_, werr := f.WriteString(tok + "\n")
		cerr := f.Close()
		if werr != nil || cerr != nil {
			os.Remove(path)
			return "", fmt.Errorf("agent: writing token file: %w", errors.Join(werr, cerr))
		}
		return tok, nil
	}
	if err != nil {
		return "", fmt.Errorf("agent: reading token file: %w", err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("%w: %s", ErrTokenFileMode, path)
		}
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < minTokenLen || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("agent: token file %s: want one token of at least %d characters", path, minTokenLen)
	}
	return tok, nil
}
