package revocation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultFetchTimeout bounds one HTTP(S) CRL download or OCSP exchange
// when the configuration gives no timeout.
const DefaultFetchTimeout = 30 * time.Second

// pemTypeCRL is the PEM block type of a CRL (RFC 7468 §6).
const pemTypeCRL = "X509 CRL"

// pemSniffBytes is how much of an input is examined for a PEM header.
const pemSniffBytes = 64

// crlFileExtensions are the file names LoadDir reads.
var crlFileExtensions = []string{".crl", ".der", ".pem"}

// parseAny parses a DER or PEM CRL. PEM input is read whole (bounded by
// limit) to decode it; DER input is streamed.
func parseAny(r io.Reader, opts ParseOptions) (*CRL, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxCRLBytes
	}
	br := bufio.NewReaderSize(r, pemSniffBytes)
	head, _ := br.Peek(pemSniffBytes)
	if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("-----BEGIN")) {
		return ParseCRL(br, opts)
	}
	all, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading CRL %s: %w", opts.Source, err)
	}
	if int64(len(all)) > limit {
		return nil, fmt.Errorf("reading CRL %s: %w: more than %d bytes", opts.Source, ErrTooLarge, limit)
	}
	for {
		var block *pem.Block
		block, all = pem.Decode(all)
		if block == nil {
			return nil, fmt.Errorf("reading CRL %s: %w: no %q PEM block", opts.Source, ErrMalformed, pemTypeCRL)
		}
		if block.Type == pemTypeCRL {
			opts.SizeHint = int64(len(block.Bytes))
			return ParseCRL(bytes.NewReader(block.Bytes), opts)
		}
	}
}

// LoadFile reads a DER or PEM CRL file, verifies it and adds it to the
// set (through the index cache when configured). A CRL that is stale at
// load time is added (so Status reports it as the reason) and the
// *StaleError is returned.
func (s *CRLSet) LoadFile(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.loadFileCached(ctx, path)
	if err != nil {
		return err
	}
	return s.Add(c)
}

func (s *CRLSet) openParse(ctx context.Context, path string) (*CRL, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening CRL: %w", err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return parseAny(ctxReader{ctx, f}, ParseOptions{Issuers: s.issuers, MaxBytes: s.opts.MaxBytes, Source: path, SizeHint: size})
}

// ctxReader fails reads once its context is done, so that parsing a big
// CRL stops when the caller gives up.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// LoadDir loads every *.crl, *.der and *.pem file of dir, in name order.
// It loads all it can and returns every failure joined.
func (s *CRLSet) LoadDir(ctx context.Context, dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading CRL directory: %w", err)
	}
	var names []string
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		for _, want := range crlFileExtensions {
			if e.Type().IsRegular() && ext == want {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if err := s.LoadFile(ctx, filepath.Join(dir, n)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LoadURL downloads a CRL over HTTP(S) with the set's client, timeout and
// size limit, verifies it and adds it. Network failures match
// ErrUnreachable, HTTP error statuses ErrResponder.
func (s *CRLSet) LoadURL(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("building CRL request: %w", err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("fetching CRL %s: %w: %w", url, ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching CRL %s: %w: HTTP %s", url, ErrResponder, resp.Status)
	}
	limit := s.opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxCRLBytes
	}
	if resp.ContentLength > limit {
		return fmt.Errorf("fetching CRL %s: %w: %d bytes", url, ErrTooLarge, resp.ContentLength)
	}
	c, err := parseAny(ctxReader{ctx, resp.Body}, ParseOptions{Issuers: s.issuers, MaxBytes: limit, Source: url, SizeHint: max(resp.ContentLength, 0)})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("fetching CRL %s: %w: %w", url, ErrUnreachable, err)
		}
		return err
	}
	return s.Add(c)
}

func (s *CRLSet) timeout() time.Duration {
	if s.opts.Timeout > 0 {
		return s.opts.Timeout
	}
	return DefaultFetchTimeout
}

func (s *CRLSet) client() *http.Client {
	if s.opts.HTTPClient != nil {
		return s.opts.HTTPClient
	}
	return &http.Client{Timeout: s.timeout()}
}
