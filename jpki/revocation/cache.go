package revocation

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"os"
	"path/filepath"
)

// The index cache: one file per CRL, named by the SHA-256 of the CRL file,
// holding the CRL's metadata, its tbsCertList digest and signature, and
// the sorted index. Threat model: the cache directory is as trusted as
// the configuration, and the cache only has to survive crashes, disk
// corruption and format changes. A cache file is used only if its
// version, its own checksum, the CRL hash, the issuer (still one of the
// trusted issuers) and the signature over the stored tbsCertList digest
// all check, and its index is sorted with valid reasons; otherwise the CRL
// is parsed again and the file rewritten. Only DER files are cached (a
// PEM file's hash is not its DER's).

// cacheMagic starts every cache file; cacheVersion changes with the format.
const (
	cacheMagic   = "MYNACRLI"
	cacheVersion = 1
	cacheExt     = ".idx"
	// cacheMaxField bounds a variable-length metadata field.
	cacheMaxField = 1 << 20
)

var errCacheCorrupt = errors.New("revocation: corrupt index cache")

// loadFileCached parses path, through the cache when configured.
func (s *CRLSet) loadFileCached(ctx context.Context, path string) (*CRL, error) {
	if s.opts.CacheDir == "" {
		return s.openParse(ctx, path)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	cachePath := filepath.Join(s.opts.CacheDir, hex.EncodeToString(sum[:])+cacheExt)
	if c, err := readCache(cachePath, sum, s.issuers); err == nil {
		c.Source, c.label = path, "crl "+path
		return c, nil
	}
	c, err := s.openParse(ctx, path)
	if err != nil {
		return nil, err
	}
	if c.SHA256 == sum {
		// Best effort: a cache that cannot be written only costs a parse.
		_ = writeCache(cachePath, c)
	}
	return c, nil
}

func fileSHA256(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("opening CRL: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("hashing CRL: %w", err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// cacheWriter writes little-endian fields and hashes them.
type cacheWriter struct {
	w   *bufio.Writer
	h   hash.Hash
	buf [8]byte
}

func (w *cacheWriter) bytes(b []byte) {
	w.w.Write(b)
	w.h.Write(b)
}
func (w *cacheWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.buf[:], v)
	w.bytes(w.buf[:])
}
func (w *cacheWriter) field(b []byte) {
	w.u64(uint64(len(b)))
	w.bytes(b)
}

// writeCache writes c's cache file atomically (temporary file, rename).
func writeCache(path string, c *CRL) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("writing index cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*"+cacheExt)
	if err != nil {
		return fmt.Errorf("writing index cache: %w", err)
	}
	defer os.Remove(f.Name())
	w := &cacheWriter{w: bufio.NewWriterSize(f, 1<<20), h: sha256.New()}
	w.bytes([]byte(cacheMagic))
	w.u64(cacheVersion)
	w.bytes(c.SHA256[:])
	issuerSum := sha256.Sum256(c.Issuer.Raw)
	w.bytes(issuerSum[:])
	w.u64(uint64(c.ThisUpdate.Unix()))
	w.u64(uint64(c.NextUpdate.Unix()))
	var num []byte
	if c.Number != nil {
		num = integerBytes(c.Number)
	}
	w.field(num)
	w.field(c.AuthorityKeyID)
	w.field(c.RawIssuer)
	w.u64(uint64(len(c.DistributionPoints)))
	for _, dp := range c.DistributionPoints {
		w.field(dp)
	}
	flags := uint64(0)
	if c.OnlyUserCerts {
		flags |= 1
	}
	if c.sigAlg.ecdsa {
		flags |= 2
	}
	if c.idx.wide {
		flags |= 4
	}
	w.u64(flags)
	w.u64(uint64(c.sigAlg.hash))
	w.field(c.tbsDigest)
	w.field(c.signature)
	w.u64(uint64(c.idx.Len()))
	if c.idx.wide {
		w.bytes(c.idx.wideKeys)
		for _, p := range c.idx.widePacked {
			w.u64(uint64(p))
		}
	} else {
		for _, e := range c.idx.narrow {
			w.u64(uint64(e.serial))
			w.u64(uint64(e.packed))
		}
	}
	w.w.Write(w.h.Sum(nil))
	if err := w.w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing index cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing index cache: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing index cache: %w", err)
	}
	return nil
}

// cacheReader reads the fields cacheWriter wrote, hashing them.
type cacheReader struct {
	r   *bufio.Reader
	h   hash.Hash
	err error
	buf [8]byte
}

func (r *cacheReader) read(b []byte) {
	if r.err != nil {
		return
	}
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = errCacheCorrupt
		return
	}
	r.h.Write(b)
}
func (r *cacheReader) u64() uint64 {
	r.read(r.buf[:])
	if r.err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(r.buf[:])
}
func (r *cacheReader) field() []byte {
	n := r.u64()
	if r.err != nil || n > cacheMaxField {
		r.err = errCacheCorrupt
		return nil
	}
	b := make([]byte, n)
	r.read(b)
	return b
}

// readCache loads and checks a cache file.
func readCache(path string, crlSum [sha256.Size]byte, issuers []*x509.Certificate) (*CRL, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r := &cacheReader{r: bufio.NewReaderSize(f, 1<<20), h: sha256.New()}
	magic := make([]byte, len(cacheMagic))
	r.read(magic)
	if r.err != nil || string(magic) != cacheMagic || r.u64() != cacheVersion {
		return nil, errCacheCorrupt
	}
	c := &CRL{}
	r.read(c.SHA256[:])
	var issuerSum [sha256.Size]byte
	r.read(issuerSum[:])
	if r.err != nil || c.SHA256 != crlSum {
		return nil, errCacheCorrupt
	}
	for _, is := range issuers {
		if is != nil && sha256.Sum256(is.Raw) == issuerSum {
			c.Issuer = is
		}
	}
	if c.Issuer == nil {
		return nil, errCacheCorrupt
	}
	c.ThisUpdate = unixTime(int64(r.u64()))
	c.NextUpdate = unixTime(int64(r.u64()))
	if num := r.field(); len(num) > 0 {
		c.Number = new(big.Int).SetBytes(num)
	}
	c.AuthorityKeyID = r.field()
	if len(c.AuthorityKeyID) == 0 {
		c.AuthorityKeyID = nil
	}
	c.RawIssuer = r.field()
	ndp := r.u64()
	if ndp > cacheMaxField {
		return nil, errCacheCorrupt
	}
	for i := uint64(0); i < ndp && r.err == nil; i++ {
		c.DistributionPoints = append(c.DistributionPoints, r.field())
	}
	flags := r.u64()
	c.OnlyUserCerts = flags&1 != 0
	c.sigAlg = sigAlgorithm{hash: crypto.Hash(r.u64()), ecdsa: flags&2 != 0}
	c.tbsDigest = r.field()
	c.signature = r.field()
	n := r.u64()
	if r.err != nil {
		return nil, r.err
	}
	if !bytes.Equal(c.RawIssuer, c.Issuer.RawSubject) || !c.sigAlg.hash.Available() ||
		len(c.tbsDigest) != c.sigAlg.hash.Size() || !c.sigAlg.verify(c.Issuer.PublicKey, c.tbsDigest, c.signature) {
		return nil, errCacheCorrupt
	}
	per := uint64(16)
	if flags&4 != 0 {
		per = wideKeyBytes + 8
	}
	if n > uint64(st.Size())/per {
		return nil, errCacheCorrupt
	}
	if flags&4 != 0 {
		c.idx.wide = true
		c.idx.wideKeys = make([]byte, n*wideKeyBytes)
		r.read(c.idx.wideKeys)
		c.idx.widePacked = make([]int64, n)
		for i := range c.idx.widePacked {
			c.idx.widePacked[i] = int64(r.u64())
		}
	} else {
		c.idx.narrow = make([]narrowEntry, n)
		for i := range c.idx.narrow {
			c.idx.narrow[i] = narrowEntry{serial: int64(r.u64()), packed: int64(r.u64())}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	want := r.h.Sum(nil)
	got := make([]byte, sha256.Size)
	if _, err := io.ReadFull(r.r, got); err != nil || !bytes.Equal(got, want) {
		return nil, errCacheCorrupt
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		return nil, errCacheCorrupt
	}
	if err := c.idx.validate(); err != nil {
		return nil, errCacheCorrupt
	}
	c.idx.sorted = true
	return c, nil
}
