package jpki

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/mynacard/mynacard/card"
)

// Fingerprint is the SHA-256 of a certificate's DER encoding.
type Fingerprint [sha256.Size]byte

// FingerprintOf returns the SHA-256 fingerprint of a DER certificate.
func FingerprintOf(der []byte) Fingerprint { return sha256.Sum256(der) }

// String returns the fingerprint as upper-case hex without separators, the
// way docs/certificates.md's table writes it.
func (f Fingerprint) String() string { return strings.ToUpper(hex.EncodeToString(f[:])) }

// Pin is one production J-LIS root, identified by its SHA-256 fingerprint.
// The certificates themselves are published by J-LIS (jpki.go.jp/ca) and
// are not embedded: their bytes come from the card's CA EF or from a file,
// and are accepted when they hash to a pin.
type Pin struct {
	// card.KeyKind is the hierarchy the root issues for.
	Kind card.KeyKind
	// Generation is 1 (2015–2025), 2 (2019–2029) or 3 (2023–2033).
	Generation int
	// Serial is the root's serial number, upper-case hex.
	Serial string
	// Fingerprint is the SHA-256 of the root certificate.
	Fingerprint Fingerprint
}

// pinTable is docs/certificates.md's table of J-LIS roots. The authentication root
// of generation 2 (serial 0133C349) is missing: its fingerprint is not
// known here, so it is accepted only from an operator-supplied file
// ([Roots.AddOperatorAuthGen2File]).
var pinTable = [...]struct {
	kind   card.KeyKind
	gen    int
	serial string
	sha256 string
}{
	{card.SignKey, 1, "01", "19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355"},
	{card.SignKey, 2, "0132C4AB", "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB"},
	{card.SignKey, 3, "067C6A21", "D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F"},
	{card.AuthKey, 1, "01", "4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D"},
	{card.AuthKey, 3, "06D18006", "64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5"},
}

// authGen2Serial is the serial number of the generation-2 authentication
// root, whose fingerprint is not pinned (docs/certificates.md "Pinned roots").
const authGen2Serial = 0x0133C349

// authGen2 is the generation number of that root.
const authGen2 = 2

// Production distinguished-name values (docs/certificates.md "Certificates").
const (
	orgProduction = "JPKI"
	ouSign        = "JPKI for digital signature"
	ouAuth        = "JPKI for user authentication"
	ouJLIS        = "Japan Agency for Local Authority Information Systems"
)

// Pins returns the production roots this package pins, a fresh copy each
// call.
func Pins() []Pin {
	out := make([]Pin, len(pinTable))
	for i, p := range pinTable {
		b, err := hex.DecodeString(p.sha256)
		if err != nil || len(b) != sha256.Size {
			panic("jpki: bad pin table entry " + p.sha256) // a programming error
		}
		out[i] = Pin{Kind: p.kind, Generation: p.gen, Serial: p.serial}
		copy(out[i].Fingerprint[:], b)
	}
	return out
}

// Source says where a root's bytes came from.
type Source int

const (
	// SourceCard is a CA certificate read from the card's CA EF (0002 or
	// 000B), accepted because it matches a pin.
	SourceCard Source = iota + 1
	// SourceFile is a certificate from a file, accepted because it matches a
	// pin.
	SourceFile
	// SourceOperator is the unpinned generation-2 authentication root,
	// accepted because the operator supplied it in a file.
	SourceOperator
	// SourceTest is a test root the caller opted into.
	SourceTest
)

// String returns "card", "file", "operator" or "test".
func (s Source) String() string {
	switch s {
	case SourceCard:
		return "card"
	case SourceFile:
		return "file"
	case SourceOperator:
		return "operator"
	case SourceTest:
		return "test"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Root is one trusted root certificate.
type Root struct {
	// Certificate is the root certificate.
	Certificate *x509.Certificate
	// Fingerprint is its SHA-256.
	Fingerprint Fingerprint
	// card.KeyKind is the hierarchy it issues for.
	Kind card.KeyKind
	// Generation is the root generation (1, 2, 3), or 0 for a test root
	// whose validity matches no generation.
	Generation int
	// Production is true for J-LIS roots (pinned, or the operator-supplied
	// generation-2 authentication root) and false for test roots.
	Production bool
	// Pinned is true when Fingerprint matched a compiled-in pin. It is
	// false for the operator-supplied root and for test roots.
	Pinned bool
	// Source says where the bytes came from.
	Source Source
}

// Sentinel errors of [Roots].
var (
	// ErrNotPinned reports a certificate offered as a production root whose
	// fingerprint matches no pin.
	ErrNotPinned = errors.New("jpki: certificate matches no pinned J-LIS root")
	// ErrTestHierarchyDisabled reports a test root added to Roots that were
	// not built with WithTestHierarchy.
	ErrTestHierarchyDisabled = errors.New("jpki: test hierarchy not enabled")
	// ErrNotARoot reports a certificate that is not a self-signed CA
	// certificate of a JPKI hierarchy.
	ErrNotARoot = errors.New("jpki: not a JPKI root certificate")
)

// Roots is a set of trusted roots: production J-LIS roots accepted by pin
// and, only when the caller opted in, test roots. A Roots is not safe for
// concurrent modification; build it, then share it read-only.
type Roots struct {
	roots     []*Root
	allowTest bool
}

// RootsOption configures NewRoots.
type RootsOption func(*Roots) error

// WithTestHierarchy enables test roots and adds certs as test roots. Test
// roots are reported as such in every [Verification] and never satisfy a
// production check ([VerifyOptions.RequireProduction]).
func WithTestHierarchy(certs ...*x509.Certificate) RootsOption {
	return func(r *Roots) error {
		r.allowTest = true
		for _, c := range certs {
			if _, err := r.AddTest(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// NewRoots returns a set of roots. Without options it is empty and accepts
// only pinned production roots: add them with [Roots.AddCertificate],
// [Roots.AddFile] or [Roots.AddFromCard].
func NewRoots(opts ...RootsOption) (*Roots, error) {
	r := new(Roots)
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, fmt.Errorf("building roots: %w", err)
		}
	}
	return r, nil
}

// List returns the roots in the order they were added.
func (r *Roots) List() []*Root { return append([]*Root(nil), r.roots...) }

// Certificates returns the roots' certificates in the order they were
// added: the trusted issuers that revocation data must be signed by.
func (r *Roots) Certificates() []*x509.Certificate {
	out := make([]*x509.Certificate, len(r.roots))
	for i, root := range r.roots {
		out[i] = root.Certificate
	}
	return out
}

// TestHierarchy reports whether test roots are enabled.
func (r *Roots) TestHierarchy() bool { return r.allowTest }

// AddCertificate accepts der as a production root if its SHA-256 matches
// a pin, recording src as its source. Adding a root twice is not an error
// and returns the existing Root.
func (r *Roots) AddCertificate(der []byte, src Source) (*Root, error) {
	fp := FingerprintOf(der)
	pin, ok := pinFor(fp)
	if !ok {
		return nil, fmt.Errorf("adding root %s: %w", fp, ErrNotPinned)
	}
	if have := r.find(fp); have != nil {
		return have, nil
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing pinned root %s: %w", fp, err)
	}
	root := &Root{Certificate: xc, Fingerprint: fp, Kind: pin.Kind, Generation: pin.Generation,
		Production: true, Pinned: true, Source: src}
	r.roots = append(r.roots, root)
	return root, nil
}

// AddFile reads PEM (any number of CERTIFICATE blocks) or DER from path and
// accepts each certificate that matches a pin. Any certificate that does
// not is an error; the ones that did are added even so.
func (r *Roots) AddFile(path string) ([]*Root, error) {
	ders, err := readCertificateFile(path)
	if err != nil {
		return nil, err
	}
	var added []*Root
	var errs []error
	for _, der := range ders {
		root, err := r.AddCertificate(der, SourceFile)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		added = append(added, root)
	}
	if err := errors.Join(errs...); err != nil {
		return added, fmt.Errorf("adding roots from %s: %w", path, err)
	}
	return added, nil
}

// AddOperatorAuthGen2File accepts the generation-2 authentication root
// (serial 0133C349), whose fingerprint this package does not know, from a
// file the operator supplies (PEM or DER, one certificate). The file is
// the trust decision; the certificate must still be a self-signed CA with
// the production authentication DN and that serial. The Root is marked
// Pinned false and Source SourceOperator. Never call this with bytes read
// from a card.
func (r *Roots) AddOperatorAuthGen2File(path string) (*Root, error) {
	ders, err := readCertificateFile(path)
	if err != nil {
		return nil, err
	}
	if len(ders) != 1 {
		return nil, fmt.Errorf("adding operator root from %s: %d certificates, want 1", path, len(ders))
	}
	der := ders[0]
	fp := FingerprintOf(der)
	if have := r.find(fp); have != nil {
		return have, nil
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing operator root from %s: %w", path, err)
	}
	if err := checkSelfSignedCA(xc); err != nil {
		return nil, fmt.Errorf("adding operator root from %s: %w", path, err)
	}
	if xc.SerialNumber.Cmp(big.NewInt(authGen2Serial)) != 0 || kindOfRootName(xc) != card.AuthKey ||
		!isProductionName(xc) {
		return nil, fmt.Errorf("adding operator root from %s: %w: not the generation-2 authentication root (serial %X)",
			path, ErrNotARoot, authGen2Serial)
	}
	root := &Root{Certificate: xc, Fingerprint: fp, Kind: card.AuthKey, Generation: authGen2,
		Production: true, Pinned: false, Source: SourceOperator}
	r.roots = append(r.roots, root)
	return root, nil
}

// AddTest adds a test root. It fails with ErrTestHierarchyDisabled unless
// the Roots were built with [WithTestHierarchy]. The certificate must be a
// self-signed CA whose name says which hierarchy it is (OU "JPKI for
// digital signature" or "JPKI for user authentication"); its generation is
// inferred from the year its validity starts (2015, 2019, 2023), 0 if none.
// A pinned production root offered here is refused: production roots are
// never reported as test roots.
func (r *Roots) AddTest(cert *x509.Certificate) (*Root, error) {
	if !r.allowTest {
		return nil, fmt.Errorf("adding test root: %w", ErrTestHierarchyDisabled)
	}
	if cert == nil {
		return nil, fmt.Errorf("adding test root: %w: nil certificate", ErrNotARoot)
	}
	fp := FingerprintOf(cert.Raw)
	if _, ok := pinFor(fp); ok {
		return nil, fmt.Errorf("adding test root %s: it is a production root", fp)
	}
	if have := r.find(fp); have != nil {
		return have, nil
	}
	if err := checkSelfSignedCA(cert); err != nil {
		return nil, fmt.Errorf("adding test root %s: %w", fp, err)
	}
	kind := kindOfRootName(cert)
	if kind == 0 {
		return nil, fmt.Errorf("adding test root %s: %w: name names no JPKI hierarchy", fp, ErrNotARoot)
	}
	root := &Root{Certificate: cert, Fingerprint: fp, Kind: kind, Generation: generationByYear(cert),
		Production: false, Pinned: false, Source: SourceTest}
	r.roots = append(r.roots, root)
	return root, nil
}

func (r *Roots) find(fp Fingerprint) *Root {
	for _, root := range r.roots {
		if root.Fingerprint == fp {
			return root
		}
	}
	return nil
}

// byIssuer returns the roots whose subject is issuer (byte-equal DER).
// Generations share a DN, so there may be several.
func (r *Roots) byIssuer(issuer []byte) []*Root {
	var out []*Root
	for _, root := range r.roots {
		if bytes.Equal(root.Certificate.RawSubject, issuer) {
			out = append(out, root)
		}
	}
	return out
}

func pinFor(fp Fingerprint) (Pin, bool) {
	for _, p := range Pins() {
		if p.Fingerprint == fp {
			return p, true
		}
	}
	return Pin{}, false
}

// testGenerationECDSA labels a test root whose validity starts in 2024:
// the test hierarchy's ECDSA P-384 generation (jpki/jpkitest's
// ECDSAGeneration). No published J-LIS root starts that year.
const testGenerationECDSA = 4

// generationByYear maps the year a root's validity starts to its
// generation (docs/certificates.md "Issuers and generations": 1 2015–2025, 2 2019–2029, 3 2023–2033). Used
// only to label test roots; production generations come from the pins.
func generationByYear(c *x509.Certificate) int {
	switch c.NotBefore.In(card.JST).Year() {
	case 2015:
		return 1
	case 2019:
		return 2
	case 2023:
		return 3
	case 2024:
		return testGenerationECDSA
	}
	return 0
}

// kindOfRootName reads the hierarchy from a CA name's OU.
func kindOfRootName(c *x509.Certificate) card.KeyKind {
	for _, ou := range c.Subject.OrganizationalUnit {
		switch ou {
		case ouSign:
			return card.SignKey
		case ouAuth:
			return card.AuthKey
		}
	}
	return 0
}

// isProductionName reports whether a CA name is J-LIS's production one:
// C=JP, O=JPKI, OU=<kind>, OU=Japan Agency for Local Authority Information
// Systems.
func isProductionName(c *x509.Certificate) bool {
	s := c.Subject
	return len(s.Country) == 1 && s.Country[0] == "JP" &&
		len(s.Organization) == 1 && s.Organization[0] == orgProduction &&
		len(s.OrganizationalUnit) == 2 && s.OrganizationalUnit[1] == ouJLIS
}

// checkSelfSignedCA checks that c is a CA (basic constraints) whose
// signature verifies with its own key.
func checkSelfSignedCA(c *x509.Certificate) error {
	if !c.BasicConstraintsValid || !c.IsCA {
		return fmt.Errorf("%w: basic constraints do not say CA", ErrNotARoot)
	}
	if !bytes.Equal(c.RawSubject, c.RawIssuer) {
		return fmt.Errorf("%w: not self-issued", ErrNotARoot)
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		return fmt.Errorf("%w: self-signature: %v", ErrNotARoot, err)
	}
	return nil
}

// pemCertificate is the PEM block type of a certificate (RFC 7468 §5).
const pemCertificate = "CERTIFICATE"

// readCertificateFile returns the DER certificates in a PEM or DER file.
func readCertificateFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading certificate file: %w", err)
	}
	ders, err := decodeCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("reading certificate file %s: %w", path, err)
	}
	return ders, nil
}

// decodeCertificates accepts PEM CERTIFICATE blocks or a single DER
// certificate.
func decodeCertificates(data []byte) ([][]byte, error) {
	var ders [][]byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == pemCertificate {
			ders = append(ders, b.Bytes)
		}
	}
	if len(ders) > 0 {
		return ders, nil
	}
	if _, err := x509.ParseCertificate(data); err != nil {
		return nil, fmt.Errorf("neither PEM certificates nor one DER certificate: %w", err)
	}
	return [][]byte{data}, nil
}
