package revocation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SourceError reports a CRL source that could not be used: a file or
// directory that is missing or unreadable, or a file that is not a CRL of
// a trusted issuer. It names the source.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return fmt.Sprintf("CRL source %s: %v", e.Source, e.Err) }
func (e *SourceError) Unwrap() error { return e.Err }

// LoadSource loads one configured CRL source: an http:// or https:// URL
// (LoadURL), a directory (LoadDir) or a file (LoadFile). The answer is
// one of:
//
//   - nil: loaded and fresh;
//   - an error matching ErrStale or ErrNotYetValid: loaded, but not fresh
//     now. The CRL is kept: its listings still count as revocations
//     (StatusFromCRLs), only "good" needs a fresh CRL;
//   - an error matching ErrUnknownIssuer or ErrBadSignature: a CRL that
//     no issuer of the set verifies, such as one of another root
//     generation than the card's (JPKI generations share one DN, so only
//     the signature tells them apart), or a tampered one: not loaded, and
//     it answers for no certificate;
//   - an error matching ErrUnreachable or ErrResponder: a URL that did not
//     answer now; nothing was loaded from it;
//   - a *SourceError naming src for anything else: a missing or unreadable
//     file or directory, a directory with no CRL file, a file that is not a
//     CRL (does not parse, or is too large). A configured source that cannot
//     be read is a configuration error, never a warning.
func (s *CRLSet) LoadSource(ctx context.Context, src string) error {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		err := s.LoadURL(ctx, src)
		if err == nil || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrResponder) || onlyNotUsable(err) {
			return err
		}
		return &SourceError{Source: src, Err: err}
	}
	fi, err := os.Stat(src)
	if err != nil {
		return &SourceError{Source: src, Err: err}
	}
	if fi.IsDir() {
		if err = s.LoadDir(ctx, src); err == nil && !hasCRLFile(src) {
			err = fmt.Errorf("no %s file in the directory", strings.Join(crlFileExtensions, ", "))
		}
	} else {
		err = s.LoadFile(ctx, src)
	}
	if err == nil || onlyNotUsable(err) {
		return err
	}
	return &SourceError{Source: src, Err: err}
}

// CheckSource checks, without parsing anything, that a local CRL source
// can be read: a file that opens for reading, or a directory that lists
// and holds at least one CRL file. A URL is only checked for its form.
// It is the check a command makes before it touches a card; LoadSource
// does the rest.
func CheckSource(src string) error {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		if _, err := url.Parse(src); err != nil {
			return &SourceError{Source: src, Err: err}
		}
		return nil
	}
	fi, err := os.Stat(src)
	if err != nil {
		return &SourceError{Source: src, Err: err}
	}
	if fi.IsDir() {
		if _, err := os.ReadDir(src); err != nil {
			return &SourceError{Source: src, Err: err}
		}
		if !hasCRLFile(src) {
			return &SourceError{Source: src, Err: fmt.Errorf("no %s file in the directory", strings.Join(crlFileExtensions, ", "))}
		}
		return nil
	}
	f, err := os.Open(src)
	if err != nil {
		return &SourceError{Source: src, Err: err}
	}
	return f.Close()
}

// hasCRLFile reports whether dir holds a file LoadDir reads.
func hasCRLFile(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && slices.Contains(crlFileExtensions, ext) {
			return true
		}
	}
	return false
}

// onlyNotUsable reports whether err (possibly several joined) says only
// that loaded CRLs are not fresh now or that CRLs are not verified by the
// set's issuers.
func onlyNotUsable(err error) bool {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		if !errors.Is(e, ErrStale) && !errors.Is(e, ErrNotYetValid) && !errors.Is(e, ErrUnknownIssuer) && !errors.Is(e, ErrBadSignature) {
			return false
		}
	}
	return len(errs) > 0
}
