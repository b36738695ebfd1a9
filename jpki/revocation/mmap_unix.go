//go:build unix

package revocation

import (
	"os"
	"syscall"
)

// mapping is a read-only shared mapping of a whole file.
type mapping struct{ data []byte }

// mapFile maps path read-only. The index cache never writes a file in
// place (it renames a new one over it), so a mapping stays valid.
func mapFile(path string) (*mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < indexHeaderSize || size != int64(int(size)) {
		return nil, errIndexCorrupt
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, mapFlags)
	if err != nil {
		return nil, err
	}
	return &mapping{data: b}, nil
}

func (m *mapping) close() {
	if m.data != nil {
		_ = syscall.Munmap(m.data)
		m.data = nil
	}
}

// statFingerprint returns the identity of a file's current contents.
func statFingerprint(path string) (fingerprint, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fingerprint{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fingerprint{}, false
	}
	ctime, ok := ctimeNano(st)
	if !ok {
		return fingerprint{}, false
	}
	return fingerprint{
		dev: uint64(st.Dev), ino: uint64(st.Ino), size: uint64(st.Size),
		mtime: fi.ModTime().UnixNano(), ctime: ctime,
	}, true
}
