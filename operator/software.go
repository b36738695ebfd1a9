package operator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// File names GenerateSoftwareKey writes in its directory.
const (
	SoftwareKeyFile  = "operator-key.pem"
	SoftwareCertFile = "operator-cert.pem"
)

// Modes of the files and directory GenerateSoftwareKey makes, and the
// permission bits LoadSoftwareKey warns about.
const (
	keyFileMode    fs.FileMode = 0o600
	certFileMode   fs.FileMode = 0o644
	keyDirMode     fs.FileMode = 0o700
	groupWorldBits fs.FileMode = 0o077
)

// softwareCertValidity is how long a generated operator certificate is
// valid. It only names the key: verification checks signatures, not dates.
const softwareCertValidity = 10 * 365 * 24 * time.Hour

// PEM block types read and written.
const (
	pemPrivateKey  = "PRIVATE KEY" // PKCS #8 (RFC 5208, RFC 5958)
	pemCertificate = "CERTIFICATE"
)

// ErrBadKeyFile means a key or certificate file holds no usable PEM block.
var ErrBadKeyFile = errors.New("operator: bad key or certificate file")

// PermissionError warns that a private key file can be read by its group
// or by others. LoadSoftwareKey still loads the key and reports the error
// through SoftwareKey.PermissionWarning, for the caller to show.
type PermissionError struct {
	Path string
	Mode fs.FileMode
}

// Error says which file and which mode.
func (e *PermissionError) Error() string {
	return fmt.Sprintf("operator key file %s has mode %04o: readable by group or others (chmod 600)", e.Path, e.Mode.Perm())
}

// SoftwareKey is an operator key held in a PKCS #8 PEM file, for counters
// without a token. It is safe for concurrent use.
type SoftwareKey struct {
	signer crypto.Signer
	cert   *x509.Certificate
	perm   error
}

// Public returns the public key.
func (k *SoftwareKey) Public() crypto.PublicKey { return k.signer.Public() }

// Sign signs digest with the private key.
func (k *SoftwareKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.signer.Sign(rand, digest, opts)
}

// Certificate returns the operator certificate.
func (k *SoftwareKey) Certificate() *x509.Certificate { return k.cert }

// PermissionWarning returns a *PermissionError when the key file was
// readable by group or others, and nil otherwise.
func (k *SoftwareKey) PermissionWarning() error { return k.perm }

// LoadSoftwareKey reads an operator key from a PEM file holding an
// unencrypted PKCS #8 "PRIVATE KEY" (ECDSA P-256 or P-384, RSA of at least
// 2048 bits, or Ed25519) and its certificate from a PEM "CERTIFICATE" file.
// The certificate must hold the key's public key. A key file readable by
// group or others is loaded, with a PermissionWarning.
func LoadSoftwareKey(keyPEMPath, certPEMPath string) (*SoftwareKey, error) {
	info, err := os.Stat(keyPEMPath)
	if err != nil {
		return nil, fmt.Errorf("loading operator key: %w", err)
	}
	var perm error
	if info.Mode().Perm()&groupWorldBits != 0 {
		perm = &PermissionError{Path: keyPEMPath, Mode: info.Mode()}
	}
	keyDER, err := readPEM(keyPEMPath, pemPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("loading operator key: %w", err)
	}
	defer wipe(keyDER)
	parsed, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("loading operator key %s: %w: %w", keyPEMPath, ErrBadKeyFile, err)
	}
	signer, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("loading operator key: %w: %T", ErrUnsupportedKey, parsed)
	}
	certDER, err := readPEM(certPEMPath, pemCertificate)
	if err != nil {
		return nil, fmt.Errorf("loading operator certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("loading operator certificate %s: %w: %w", certPEMPath, ErrBadKeyFile, err)
	}
	if err := checkKeyPair(signer.Public(), cert); err != nil {
		return nil, fmt.Errorf("loading operator key: %w", err)
	}
	return &SoftwareKey{signer: signer, cert: cert, perm: perm}, nil
}

// readPEM returns the DER of the first PEM block of the given type.
func readPEM(path, blockType string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer wipe(data)
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: %s: no PEM %q block", ErrBadKeyFile, path, blockType)
		}
		if block.Type == blockType {
			if len(block.Headers) != 0 {
				// Legacy encrypted PEM (Proc-Type/DEK-Info) is not supported.
				return nil, fmt.Errorf("%w: %s: PEM headers (encrypted key?) not supported", ErrBadKeyFile, path)
			}
			return block.Bytes, nil
		}
	}
}

// GenerateSoftwareKey makes a new ECDSA P-256 operator key and a
// self-signed certificate naming operatorName (its common name), writes
// them to dir/operator-key.pem (mode 0600) and dir/operator-cert.pem (mode
// 0644), creating dir with mode 0700 if needed, and returns the key. It
// never overwrites: existing files give an error wrapping fs.ErrExist.
func GenerateSoftwareKey(dir, operatorName string) (*SoftwareKey, error) {
	if operatorName == "" {
		return nil, errors.New("generating operator key: empty operator name")
	}
	if err := os.MkdirAll(dir, keyDirMode); err != nil {
		return nil, fmt.Errorf("generating operator key: %w", err)
	}
	keyPath, certPath := filepath.Join(dir, SoftwareKeyFile), filepath.Join(dir, SoftwareCertFile)
	for _, p := range []string{keyPath, certPath} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("generating operator key: %s: %w", p, fs.ErrExist)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating operator key: %w", err)
	}
	cert, err := selfSign(key, operatorName, time.Now())
	if err != nil {
		return nil, fmt.Errorf("generating operator certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("generating operator key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: keyDER})
	wipe(keyDER)
	defer wipe(keyPEM)
	if err := writeNew(keyPath, keyPEM, keyFileMode); err != nil {
		return nil, fmt.Errorf("writing operator key: %w", err)
	}
	if err := writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: pemCertificate, Bytes: cert.Raw}), certFileMode); err != nil {
		return nil, fmt.Errorf("writing operator certificate: %w", err)
	}
	return &SoftwareKey{signer: key, cert: cert}, nil
}

// selfSign makes a self-signed operator certificate for key.
func selfSign(key crypto.Signer, operatorName string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: operatorName, OrganizationalUnit: []string{"mynacard operator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(softwareCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// writeNew creates path with mode, failing if it exists.
func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// LoadSoftwareKeyDir loads the key GenerateSoftwareKey wrote in dir:
// LoadSoftwareKey of dir/operator-key.pem and dir/operator-cert.pem.
func LoadSoftwareKeyDir(dir string) (*SoftwareKey, error) {
	return LoadSoftwareKey(filepath.Join(dir, SoftwareKeyFile), filepath.Join(dir, SoftwareCertFile))
}

// LoadCertificates reads every PEM "CERTIFICATE" block of the given files,
// for VerifyOptions.TrustedCerts. A file without one is an error.
func LoadCertificates(paths ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("loading operator certificates: %w", err)
		}
		n := 0
		for rest := data; ; {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if block.Type != pemCertificate {
				continue
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("loading operator certificates from %s: %w: %w", p, ErrBadKeyFile, err)
			}
			out = append(out, cert)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("loading operator certificates: %w: %s: no PEM %q block", ErrBadKeyFile, p, pemCertificate)
		}
	}
	return out, nil
}
