package operator_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/operator"
)

// TestSoftwareKeyChain is the software-key case: a key made by
// GenerateSoftwareKey and loaded back seals records into a SQLite store,
// and every kind of tampering is named.
func TestSoftwareKeyChain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "operator")
	gen, err := operator.GenerateSoftwareKey(dir, "Clerk Taro")
	if err != nil {
		t.Fatal(err)
	}
	key, err := operator.LoadSoftwareKeyDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	trusted, err := operator.LoadCertificates(filepath.Join(dir, operator.SoftwareCertFile))
	if err != nil || len(trusted) != 1 || !trusted[0].Equal(gen.Certificate()) {
		t.Fatalf("LoadCertificates = %v, %v", trusted, err)
	}
	if _, err := operator.LoadCertificates(filepath.Join(dir, operator.SoftwareKeyFile)); !errors.Is(err, operator.ErrBadKeyFile) {
		t.Fatalf("LoadCertificates of a key file = %v, want ErrBadKeyFile", err)
	}
	if err := key.PermissionWarning(); err != nil {
		t.Errorf("generated key file: %v", err)
	}
	if !key.Certificate().Equal(gen.Certificate()) || key.Certificate().Subject.CommonName != "Clerk Taro" {
		t.Fatalf("loaded certificate differs from the generated one")
	}
	testTamperDetection(t, key)
}

func TestGenerateSoftwareKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	if _, err := operator.GenerateSoftwareKey(dir, "Clerk"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		mode fs.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, operator.SoftwareKeyFile), 0o600},
		{filepath.Join(dir, operator.SoftwareCertFile), 0o644},
	} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		// The umask may only take bits away.
		if info.Mode().Perm()&^f.mode != 0 || info.Mode().Perm()&0o700 != f.mode&0o700 {
			t.Errorf("%s: mode %04o, want %04o", f.path, info.Mode().Perm(), f.mode)
		}
	}
	if _, err := operator.GenerateSoftwareKey(dir, "Clerk"); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("GenerateSoftwareKey over existing files = %v, want fs.ErrExist", err)
	}
	if _, err := operator.GenerateSoftwareKey(t.TempDir(), ""); err == nil {
		t.Fatal("GenerateSoftwareKey without a name succeeded")
	}
}

// writeKeyPair writes key as PKCS #8 and a certificate for pub.
func writeKeyPair(t *testing.T, dir string, key crypto.Signer, certFor crypto.Signer, mode fs.FileMode) (string, string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, certPath := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(keyPath, mode); err != nil {
		t.Fatal(err)
	}
	cert := selfSigned(t, certFor, "Clerk")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyPath, certPath
}

func TestLoadSoftwareKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ec224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	for _, tc := range []struct {
		name     string
		key      crypto.Signer
		certFor  crypto.Signer
		mode     fs.FileMode
		want     error
		wantWarn bool
	}{
		{"ecdsa p256", ec, ec, 0o600, nil, false},
		{"ecdsa p384", ec384, ec384, 0o600, nil, false},
		{"ed25519", ed, ed, 0o600, nil, false},
		{"rsa 2048", rsa2048, rsa2048, 0o400, nil, false},
		{"group readable", ec, ec, 0o640, nil, true},
		{"world readable", ec, ec, 0o604, nil, true},
		{"rsa 1024", rsa1024, rsa1024, 0o600, operator.ErrUnsupportedKey, false},
		{"p224", ec224, ec224, 0o600, operator.ErrUnsupportedKey, false},
		{"other key's certificate", ec, other, 0o600, operator.ErrKeyMismatch, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keyPath, certPath := writeKeyPair(t, t.TempDir(), tc.key, tc.certFor, tc.mode)
			k, err := operator.LoadSoftwareKey(keyPath, certPath)
			if !errors.Is(err, tc.want) {
				t.Fatalf("LoadSoftwareKey = %v, want %v", err, tc.want)
			}
			if err != nil {
				return
			}
			var pe *operator.PermissionError
			if got := errors.As(k.PermissionWarning(), &pe); got != tc.wantWarn {
				t.Fatalf("PermissionWarning = %v, want a warning: %v", k.PermissionWarning(), tc.wantWarn)
			}
			checkSealVerify(t, k)
		})
	}
}

func TestLoadSoftwareKeyBadFiles(t *testing.T) {
	dir := t.TempDir()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keyPath, certPath := writeKeyPair(t, dir, ec, ec, 0o600)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name      string
		key, cert string
		want      error
	}{
		{"missing key", filepath.Join(dir, "none.pem"), certPath, fs.ErrNotExist},
		{"SEC 1 key", write("sec1.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})), certPath, operator.ErrBadKeyFile},
		{"encrypted PEM", write("enc.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY",
			Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: sec1})), certPath, operator.ErrBadKeyFile},
		{"garbage key", write("junk.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})), certPath, operator.ErrBadKeyFile},
		{"key as certificate", keyPath, keyPath, operator.ErrBadKeyFile},
		{"garbage certificate", keyPath, write("junkcert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})), operator.ErrBadKeyFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := operator.LoadSoftwareKey(tc.key, tc.cert); !errors.Is(err, tc.want) {
				t.Fatalf("LoadSoftwareKey = %v, want %v", err, tc.want)
			}
		})
	}
}
