//go:build !unix

package revocation

import "os"

// mapping holds a whole index file read into memory where mmap is not
// available: the records are still used in place, without decoding.
type mapping struct{ data []byte }

func mapFile(path string) (*mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &mapping{data: b}, nil
}

func (m *mapping) close() { m.data = nil }

// statFingerprint is not available here: every load hashes the CRL file.
func statFingerprint(string) (fingerprint, bool) { return fingerprint{}, false }

// adviseHugePages is advice for Linux's transparent huge pages only.
func adviseHugePages([]uint64) {}
