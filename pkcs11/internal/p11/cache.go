package p11

import (
	"os"
	"path/filepath"
)

// The signing certificate cache: one file per card, named by the SHA-256
// of the card's authentication certificate (readable without a PIN),
// holding the signing certificate's DER as read from the card after the
// signing password. It only decides what is offered before that password;
// the card's own certificate replaces it at every login on the signing
// token. It holds personal data (name, address, birth date, sex), so the
// directory is 0700, the files 0600, and "sign-cert-cache = no" keeps it
// off the disk.

func (st *state) cachePath(authDER []byte) string {
	if st.cfg.CacheDir == "" {
		return ""
	}
	return filepath.Join(st.cfg.CacheDir, cardKey(authDER)+".der")
}

// maxCachedCert bounds what is read from a cache file.
const maxCachedCert = 16 << 10

func (st *state) cachedSignCert(authDER []byte) []byte {
	p := st.cachePath(authDER)
	if p == "" {
		return nil
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxCachedCert {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	return b
}

func (st *state) storeSignCert(authDER, signDER []byte) {
	p := st.cachePath(authDER)
	if p == "" || !st.cfg.SignCertCache {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		logf("signing certificate cache: %v", err)
		return
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".cert-*")
	if err != nil {
		logf("signing certificate cache: %v", err)
		return
	}
	tmp := f.Name()
	_, werr := f.Write(signDER)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp)
		logf("signing certificate cache: writing failed")
		return
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		logf("signing certificate cache: %v", err)
	}
}
