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
	"hash/crc32"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The index cache keeps the parsed index of each verified CRL in a file
// named by the SHA-256 of the CRL's DER, laid out so that it is used in
// place through mmap: a fixed 64-byte header, the CRL's metadata, then at
// a page boundary the slot table exactly as the in-memory index holds it
// (native byte order, recorded in the header). Loading a cached CRL
// maps the file, checks the header, the metadata's CRC-32C (which covers
// one CRC-32C per indexBlock of the body), the CRL's signature over the
// stored tbsCertList digest, and decodes nothing else; several processes
// share the page cache's pages. A block of the body is checked against
// its CRC-32C the first time a lookup reads it, before any of its bytes
// decide an answer: a run that looks up a few serials reads a few blocks
// of the file, whatever the CRL's size. A block that does not check
// makes the CRL parse its file again (see CRL.lookupKey).
//
// Threat model: the cache directory is as trusted as the configuration;
// the cache must survive crashes, disk corruption, truncation and format
// changes. Any check that fails makes the loader parse the CRL again and
// rewrite the file (temporary file, fsync, rename). A cache that cannot
// be read or written costs a parse, never a failure; nothing in a cache
// file is used before its checksums and the signature check.
//
// To find a CRL's index without hashing a large CRL file on every run, a
// small source file per CRL path records the file's identity (device,
// inode, size, modification and change times in nanoseconds) with the
// SHA-256 it had. It is trusted only while every one of those is
// unchanged, and recorded only for a file whose times are at least
// fingerprintSettle old, so that a rewrite within the clock's resolution
// cannot go unseen.

// Index file layout constants (the header: magic, version, byte order
// mark, key words, flags, record count, metadata length, body offset,
// metadata CRC-32C, zero, home slots; the metadata ends with the CRC-32C
// of each indexBlock of the body).
const (
	indexMagic      = "MYNACRLX"
	indexVersion    = 6
	indexExt        = ".idx"
	indexHeaderSize = 64
	// indexBodyAlign aligns the records to a page so they map cleanly.
	indexBodyAlign = 4096
	// indexByteOrder is written in native byte order: a file made on a
	// host of the other order is rebuilt, not misread.
	indexByteOrder = 0x01020304
	// indexMaxField bounds a variable-length metadata field.
	indexMaxField = 1 << 20
	// indexMaxMeta bounds the metadata region.
	indexMaxMeta = 16 << 20
)

// Header flags.
const (
	flagOnlyUserCerts = 1 << iota
	flagECDSA
)

// Source fingerprint files.
const (
	sourceMagic   = "MYNACRLS"
	sourceVersion = 1
	sourceExt     = ".src"
	sourceSize    = 8 + 4 + 4 + 5*8 + sha256.Size + 4
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

var errIndexCorrupt = errors.New("revocation: corrupt index file")

// DefaultCacheDir is the index cache directory under the user's cache
// directory (os.UserCacheDir), or "" when there is none.
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil || d == "" {
		return ""
	}
	return filepath.Join(d, "mynacard", "crl-index")
}

func indexPath(dir string, sum [sha256.Size]byte) string {
	return filepath.Join(dir, hex.EncodeToString(sum[:])+indexExt)
}

func sourcePath(dir, crlPath string) string {
	abs, err := filepath.Abs(crlPath)
	if err != nil {
		abs = crlPath
	}
	h := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, hex.EncodeToString(h[:16])+sourceExt)
}

// loadFileCached parses path, through the index cache when configured.
func (s *CRLSet) loadFileCached(ctx context.Context, path string) (*CRL, error) {
	dir := s.opts.CacheDir
	if dir == "" {
		return s.openParse(ctx, path)
	}
	fp, fpOK := statFingerprint(path)
	sum, known := readSource(sourcePath(dir, path), fp, fpOK)
	if !known {
		var err error
		if sum, err = fileSHA256(path); err != nil {
			return nil, err
		}
	}
	if c, err := openIndex(indexPath(dir, sum), sum, s.issuers); err == nil {
		c.Source, c.label = path, "crl "+path
		c.reload = s.reloader(path, dir, sum)
		if !known {
			recordSource(dir, path, fp, fpOK, sum)
		}
		return c, nil
	}
	c, err := s.openParse(ctx, path)
	if err != nil {
		return nil, err
	}
	if c.SHA256 == sum {
		// Best effort: a cache that cannot be written only costs a parse.
		if writeIndexFile(indexPath(dir, sum), c) == nil {
			recordSource(dir, path, fp, fpOK, sum)
		}
	}
	return c, nil
}

// reloader is how a CRL mapped from the index cache parses its file
// again if a block of the index proves corrupt: from its path, used only
// if it still has the SHA-256 the index was made for; the index file is
// then written again. (No file is held open for it: a directory of a
// thousand partition CRLs would hold a thousand descriptors.)
func (s *CRLSet) reloader(path, dir string, sum [sha256.Size]byte) *reloader {
	return &reloader{parse: func() (*CRL, error) {
		c, err := s.openParse(context.Background(), path)
		if err != nil {
			return nil, err
		}
		if c.SHA256 != sum {
			return nil, errors.New("the CRL file changed since it was loaded")
		}
		_ = writeIndexFile(indexPath(dir, sum), c)
		return c, nil
	}}
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

// fingerprint identifies a file's contents by its metadata.
type fingerprint struct {
	dev, ino, size uint64
	mtime, ctime   int64 // nanoseconds
}

// readSource returns the SHA-256 recorded for a CRL file whose
// fingerprint is still fp.
func readSource(path string, fp fingerprint, fpOK bool) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	if !fpOK {
		return sum, false
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) != sourceSize || string(b[:8]) != sourceMagic {
		return sum, false
	}
	le := binary.LittleEndian
	if le.Uint32(b[8:]) != sourceVersion || le.Uint32(b[sourceSize-4:]) != crc32.Checksum(b[:sourceSize-4], crc32c) {
		return sum, false
	}
	got := fingerprint{le.Uint64(b[16:]), le.Uint64(b[24:]), le.Uint64(b[32:]), int64(le.Uint64(b[40:])), int64(le.Uint64(b[48:]))}
	if got != fp {
		return sum, false
	}
	copy(sum[:], b[56:56+sha256.Size])
	return sum, true
}

// recordSource writes the fingerprint file of a CRL file, if its
// fingerprint is settled. Best effort.
func recordSource(dir, crlPath string, fp fingerprint, fpOK bool, sum [sha256.Size]byte) {
	if !fpOK || !settled(fp) {
		return
	}
	if now, ok := statFingerprint(crlPath); !ok || now != fp {
		return // changed while it was read
	}
	b := make([]byte, sourceSize)
	le := binary.LittleEndian
	copy(b, sourceMagic)
	le.PutUint32(b[8:], sourceVersion)
	le.PutUint64(b[16:], fp.dev)
	le.PutUint64(b[24:], fp.ino)
	le.PutUint64(b[32:], fp.size)
	le.PutUint64(b[40:], uint64(fp.mtime))
	le.PutUint64(b[48:], uint64(fp.ctime))
	copy(b[56:], sum[:])
	le.PutUint32(b[sourceSize-4:], crc32.Checksum(b[:sourceSize-4], crc32c))
	_ = writeAtomic(sourcePath(dir, crlPath), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeAtomic writes a file through a temporary file in the same
// directory, synced and renamed over path.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// staleTemporary is the age after which a temporary file in the cache
// directory is a leftover of a killed writer.
const staleTemporary = time.Hour

// sweepTemporaries removes leftover temporary files of writers that were
// killed before their rename. Best effort.
func sweepTemporaries(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, n := range names {
		if fi, err := os.Lstat(n); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemporary {
			_ = os.Remove(n)
		}
	}
}

// indexBlock is the span of the body one CRC-32C covers, and what a
// lookup checks when it first reads there.
const indexBlock = 64 << 10

func chunkCount(n int) int { return (n + indexBlock - 1) / indexBlock }

// chunkSums returns the CRC-32C of each indexBlock of the concatenation
// of parts.
func chunkSums(parts ...[]byte) []uint32 {
	var sums []uint32
	var cur uint32
	fill := 0
	for _, p := range parts {
		for len(p) > 0 {
			m := min(len(p), indexBlock-fill)
			cur = crc32.Update(cur, crc32c, p[:m])
			fill += m
			p = p[m:]
			if fill == indexBlock {
				sums, cur, fill = append(sums, cur), 0, 0
			}
		}
	}
	if fill > 0 {
		sums = append(sums, cur)
	}
	return sums
}

// blockCheck checks a mapped body's blocks against their CRC-32C as
// lookups first read them, remembering the ones that checked.
type blockCheck struct {
	body []byte
	sums []byte // little-endian CRC-32C of each indexBlock
	done []atomic.Uint64
}

func newBlockCheck(body, sums []byte) *blockCheck {
	return &blockCheck{body: body, sums: sums, done: make([]atomic.Uint64, (chunkCount(len(body))+63)/64)}
}

// words reports whether the blocks under the body's words [from, to)
// check (false also for a range outside the body).
func (b *blockCheck) words(from, to int) bool {
	if from < 0 || to < from || to*8 > len(b.body) {
		return false
	}
	if from == to {
		return true
	}
	for i := from * 8 / indexBlock; i <= (to*8-1)/indexBlock; i++ {
		if !b.block(i) {
			return false
		}
	}
	return true
}

func (b *blockCheck) block(i int) bool {
	bit := uint64(1) << (i % 64)
	if b.done[i/64].Load()&bit != 0 {
		return true
	}
	if 4*i+4 > len(b.sums) {
		return false
	}
	c := b.body[i*indexBlock : min((i+1)*indexBlock, len(b.body))]
	if crc32.Checksum(c, crc32c) != binary.LittleEndian.Uint32(b.sums[4*i:]) {
		return false
	}
	b.done[i/64].Or(bit)
	return true
}

// all checks every block, on every core.
func (b *blockCheck) all() bool {
	n := chunkCount(len(b.body))
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	var bad atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n && !bad.Load(); i += workers {
				if !b.block(i) {
					bad.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return !bad.Load()
}

func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// recordBytes views the index records as bytes (native order).
func recordBytes(d []uint64) []byte {
	if len(d) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&d[0])), len(d)*8)
}

// recordWords views 8-byte-aligned bytes as records (a mapping is page
// aligned); unaligned bytes, which only a caller other than the mapping
// can pass, are copied.
func recordWords(b []byte) []uint64 {
	if len(b) == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%8 != 0 {
		w := make([]uint64, len(b)/8)
		for i := range w {
			w[i] = binary.NativeEndian.Uint64(b[8*i:])
		}
		return w
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), len(b)/8)
}

// indexMeta encodes the CRL's metadata.
func indexMeta(c *CRL) []byte {
	var b []byte
	le := binary.LittleEndian
	u64 := func(v uint64) { b = le.AppendUint64(b, v) }
	field := func(f []byte) { u64(uint64(len(f))); b = append(b, f...) }
	b = append(b, c.SHA256[:]...)
	issuerSum := sha256.Sum256(c.Issuer.Raw)
	b = append(b, issuerSum[:]...)
	u64(uint64(c.ThisUpdate.Unix()))
	u64(uint64(c.NextUpdate.Unix()))
	var num []byte
	if c.Number != nil {
		num = integerBytes(c.Number)
	}
	field(num)
	field(c.AuthorityKeyID)
	field(c.RawIssuer)
	u64(uint64(len(c.DistributionPoints)))
	for _, dp := range c.DistributionPoints {
		field(dp)
	}
	u64(uint64(c.sigAlg.hash))
	field(c.tbsDigest)
	field(c.signature)
	return b
}

// writeIndexFile writes c's index file atomically.
func writeIndexFile(path string, c *CRL) error {
	if c.Issuer == nil {
		return errors.New("writing index: CRL not verified")
	}
	body := recordBytes(c.idx.data)
	meta := indexMeta(c)
	for _, sum := range chunkSums(body) {
		meta = le32(meta, sum)
	}
	bodyOff := (indexHeaderSize + len(meta) + indexBodyAlign - 1) / indexBodyAlign * indexBodyAlign
	hdr := make([]byte, indexHeaderSize)
	le := binary.LittleEndian
	copy(hdr, indexMagic)
	le.PutUint32(hdr[8:], indexVersion)
	binary.NativeEndian.PutUint32(hdr[12:], indexByteOrder)
	le.PutUint32(hdr[16:], uint32(max(c.idx.kw, 1)))
	var flags uint32
	if c.OnlyUserCerts {
		flags |= flagOnlyUserCerts
	}
	if c.sigAlg.ecdsa {
		flags |= flagECDSA
	}
	le.PutUint32(hdr[20:], flags)
	le.PutUint64(hdr[24:], uint64(c.idx.Len()))
	le.PutUint64(hdr[32:], uint64(len(meta)))
	le.PutUint64(hdr[40:], uint64(bodyOff))
	// The metadata checksum covers the padding too: every byte is checked.
	meta = append(meta, make([]byte, bodyOff-indexHeaderSize-len(meta))...)
	metaCRC := crc32.Update(crc32.Checksum(hdr[:48], crc32c), crc32c, meta)
	le.PutUint32(hdr[48:], metaCRC)
	le.PutUint64(hdr[56:], c.idx.home)
	sweepTemporaries(filepath.Dir(path))
	if err := writeAtomic(path, func(w io.Writer) error {
		w.Write(hdr)
		w.Write(meta)
		_, err := w.Write(body)
		return err
	}); err != nil {
		return fmt.Errorf("writing index cache: %w", err)
	}
	return nil
}

// openIndex maps an index file and checks it; see parseIndex.
func openIndex(path string, crlSum [sha256.Size]byte, issuers []*x509.Certificate) (*CRL, error) {
	m, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	c, err := parseIndex(m.data, crlSum, issuers)
	if err != nil {
		m.close()
		return nil, err
	}
	c.idx.mapped = true
	runtime.AddCleanup(c, func(m *mapping) { m.close() }, m)
	return c, nil
}

// metaReader reads indexMeta's fields.
type metaReader struct {
	b  []byte
	ok bool
}

func (r *metaReader) take(n uint64) []byte {
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
func (r *metaReader) u64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}
func (r *metaReader) field() []byte {
	n := r.u64()
	if n > indexMaxField {
		r.ok = false
		return nil
	}
	return bytes.Clone(r.take(n))
}

// parseIndex checks an index file's bytes (the CRL hash it must be for,
// one of the trusted issuers, the checksums, the signature) and returns
// the CRL whose records are b's body, used in place.
func parseIndex(b []byte, crlSum [sha256.Size]byte, issuers []*x509.Certificate) (*CRL, error) {
	le := binary.LittleEndian
	if len(b) < indexHeaderSize || string(b[:8]) != indexMagic || le.Uint32(b[8:]) != indexVersion ||
		binary.NativeEndian.Uint32(b[12:]) != indexByteOrder {
		return nil, errIndexCorrupt
	}
	kw := int(le.Uint32(b[16:]))
	flags := le.Uint32(b[20:])
	n, metaLen, bodyOff := le.Uint64(b[24:]), le.Uint64(b[32:]), le.Uint64(b[40:])
	if kw < 1 || kw > maxKeyWords || metaLen > indexMaxMeta || bodyOff%indexBodyAlign != 0 ||
		bodyOff < indexHeaderSize+metaLen || bodyOff > uint64(len(b)) || flags&^(flagOnlyUserCerts|flagECDSA) != 0 {
		return nil, errIndexCorrupt
	}
	home := le.Uint64(b[56:])
	body := b[bodyOff:]
	stride := uint64(kw+1) * 8
	slots := uint64(len(body)) / stride
	// An empty index has no body; otherwise whole slots, more than the
	// entries and the home slots (the last one is empty).
	if uint64(len(body))%stride != 0 || (n == 0) != (len(body) == 0) || (n == 0) != (home == 0) ||
		n > 0 && (n >= slots || home+uint64(window(kw)) > slots) {
		return nil, errIndexCorrupt
	}
	if crc32.Update(crc32.Checksum(b[:48], crc32c), crc32c, b[indexHeaderSize:bodyOff]) != le.Uint32(b[48:]) {
		return nil, errIndexCorrupt
	}
	for _, p := range b[indexHeaderSize+metaLen : bodyOff] {
		if p != 0 {
			return nil, errIndexCorrupt
		}
	}
	meta := b[indexHeaderSize : indexHeaderSize+metaLen]
	c := &CRL{}
	r := &metaReader{b: meta, ok: true}
	copy(c.SHA256[:], r.take(sha256.Size))
	issuerSum := r.take(sha256.Size)
	if !r.ok || c.SHA256 != crlSum {
		return nil, errIndexCorrupt
	}
	for _, is := range issuers {
		if is != nil {
			if s := sha256.Sum256(is.Raw); bytes.Equal(s[:], issuerSum) {
				c.Issuer = is
			}
		}
	}
	if c.Issuer == nil {
		return nil, errIndexCorrupt
	}
	c.ThisUpdate = unixTime(int64(r.u64()))
	c.NextUpdate = unixTime(int64(r.u64()))
	if num := r.field(); len(num) > 0 {
		c.Number = new(big.Int).SetBytes(num)
	}
	if c.AuthorityKeyID = r.field(); len(c.AuthorityKeyID) == 0 {
		c.AuthorityKeyID = nil
	}
	c.RawIssuer = r.field()
	ndp := r.u64()
	if ndp > indexMaxField {
		return nil, errIndexCorrupt
	}
	for i := uint64(0); i < ndp && r.ok; i++ {
		c.DistributionPoints = append(c.DistributionPoints, r.field())
	}
	c.OnlyUserCerts = flags&flagOnlyUserCerts != 0
	c.sigAlg = sigAlgorithm{hash: crypto.Hash(r.u64()), ecdsa: flags&flagECDSA != 0}
	c.tbsDigest = r.field()
	c.signature = r.field()
	sums := r.take(uint64(4 * chunkCount(len(body))))
	if !r.ok || len(r.b) != 0 || le.Uint32(b[52:]) != 0 {
		return nil, errIndexCorrupt
	}
	if !bytes.Equal(c.RawIssuer, c.Issuer.RawSubject) || !c.sigAlg.hash.Available() ||
		len(c.tbsDigest) != c.sigAlg.hash.Size() || !c.sigAlg.verify(c.Issuer.PublicKey, c.tbsDigest, c.signature) {
		return nil, errIndexCorrupt
	}
	if len(sums) != 4*chunkCount(len(body)) {
		return nil, errIndexCorrupt
	}
	if n > 0 {
		c.idx.kw, c.idx.n, c.idx.home = kw, int(n), home
		c.idx.data = recordWords(body)
		c.idx.check = newBlockCheck(body, sums)
		// The last block (with the table's closing empty slots) is
		// checked now: a file cut short or padded shows there.
		last := len(c.idx.data)
		if !c.idx.check.words(last-1, last) || c.idx.data[last-1] != emptySlot {
			return nil, errIndexCorrupt
		}
	}
	return c, nil
}

// fingerprintSettle is how old a file's times must be before its
// fingerprint is recorded: a file rewritten within the file system's
// timestamp resolution of the recording could otherwise keep its
// fingerprint. A variable for tests only.
var fingerprintSettle = 2 * time.Second

func settled(fp fingerprint) bool {
	now := time.Now().UnixNano()
	return now-fp.mtime >= int64(fingerprintSettle) && now-fp.ctime >= int64(fingerprintSettle)
}
