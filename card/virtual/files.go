package virtual

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"strings"
)

// efKind is an EF's structure (ISO/IEC 7816-4 §7.3.1): transparent data,
// records, or the card-internal PIN and key objects that are addressed
// like EFs on this card.
type efKind int

const (
	kindBinary efKind = iota + 1 // transparent EF, READ BINARY (§7.3.1)
	kindRecord                   // record EF, READ RECORD (§7.3.1)
	kindPIN                      // reference data for VERIFY (§11.5.6)
	kindKey                      // RSA private key for SIGN
)

// file is one EF of an application.
type file struct {
	fid     uint16
	kind    efKind
	data    []byte   // kindBinary
	records [][]byte // kindRecord
	// readers lists the PINs any one of which, verified, allows READ
	// BINARY; empty means free to read.
	readers []PINRef
	pin     *pinFile          // kindPIN
	key     *rsa.PrivateKey   // kindKey (RSA)
	ecKey   *ecdsa.PrivateKey // kindKey (speculative ECDSA)
	keyPIN  PINRef            // kindKey: the PIN that unlocks it, or pinNone
}

// pinFile is a PIN's reference data and retry counter (§11.5.6).
type pinFile struct {
	ref        PINRef
	value      []byte
	max, tries int
	format     pinFormat
	changeable bool
}

// pinFormat is what CHANGE REFERENCE DATA accepts as a new PIN, and what
// NewMyNumberCard accepts as a stored one.
type pinFormat int

const (
	formatFourDigits   pinFormat = iota + 1 // PINs 0018, 0011: 4 digits
	formatSignPassword                      // PIN 001B: 6–16 of A–Z 0–9
	formatNumber                            // 照合番号A: 12 digits
	formatCollationB                        // 照合番号B: 14 digits
	formatBirthDate                         // surface birth-date key: 6 digits
)

const (
	charsetDigits = "0123456789"
	charsetSignPW = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func (f pinFormat) bounds() (min, max int, charset string) {
	switch f {
	case formatFourDigits:
		return 4, 4, charsetDigits
	case formatSignPassword:
		return 6, 16, charsetSignPW
	case formatNumber:
		return 12, 12, charsetDigits
	case formatCollationB:
		return 14, 14, charsetDigits
	case formatBirthDate:
		return birthDateKeyDigit, birthDateKeyDigit, charsetDigits
	}
	return 1, 0, ""
}

func (f pinFormat) ok(b []byte) bool {
	min, max, charset := f.bounds()
	if len(b) < min || len(b) > max {
		return false
	}
	for _, c := range b {
		if strings.IndexByte(charset, c) < 0 {
			return false
		}
	}
	return true
}

// application is one DF selected by name (§8.2.1.2).
type application struct {
	name  string
	aid   string
	files map[uint16]*file
}

func (a *application) add(f *file) { a.files[f.fid] = f }

func (c *Card) newApp(name, aid string) *application {
	a := &application{name: name, aid: aid, files: make(map[uint16]*file)}
	c.apps = append(c.apps, a)
	return a
}

// addPIN adds a PIN EF to a when value is not empty.
func (c *Card) addPIN(a *application, ref PINRef, value string, max int, format pinFormat, changeable bool) error {
	if value == "" {
		return nil
	}
	if !format.ok([]byte(value)) {
		return fmt.Errorf("PIN %04X: %d characters not of the form the card holds", uint16(ref), len(value))
	}
	if n, ok := c.cfg.maxTries[ref]; ok {
		max = n
	}
	p := &pinFile{ref: ref, value: []byte(value), max: max, tries: max, format: format, changeable: changeable}
	c.pins[ref] = p
	a.add(&file{fid: uint16(ref), kind: kindPIN, pin: p})
	return nil
}

func addBinary(a *application, fid uint16, data []byte, readers ...PINRef) error {
	if len(data) == 0 {
		return nil
	}
	if len(data) > maxEFSize {
		return fmt.Errorf("EF %04X: %d bytes exceed %d", fid, len(data), maxEFSize)
	}
	a.add(&file{fid: fid, kind: kindBinary, data: append([]byte(nil), data...), readers: readers})
	return nil
}

func addKey(a *application, fid uint16, key *rsa.PrivateKey, pin PINRef) {
	if key != nil {
		a.add(&file{fid: fid, kind: kindKey, key: key, keyPIN: pin})
	}
}

// layout builds the applications from ct.
func (c *Card) layout(ct *Contents) error {
	if err := c.layoutJPKI(ct); err != nil {
		return fmt.Errorf("laying out JPKI application: %w", err)
	}
	if err := c.layoutText(ct); err != nil {
		return fmt.Errorf("laying out text application: %w", err)
	}
	if err := c.layoutSurface(ct); err != nil {
		return fmt.Errorf("laying out surface application: %w", err)
	}
	c.newApp("residents", AIDResidents)
	if err := c.layoutCommon(ct); err != nil {
		return fmt.Errorf("laying out common application: %w", err)
	}
	return nil
}

func (c *Card) layoutJPKI(ct *Contents) error {
	a := c.newApp("jpki", AIDJPKI)
	token := ct.Token
	if token == "" {
		token = DefaultToken
	}
	tokenInfo, err := EncodeTokenInfo(token)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		fid     uint16
		data    []byte
		readers []PINRef
	}{
		{efJPKISignCert, ct.SignCert, []PINRef{PINJPKISign}},
		{efJPKISignCACert, ct.SignCACert, nil},
		{efJPKIToken, tokenInfo, nil},
		{efJPKIPresence, c.cfg.variants.presenceFile(ct), nil},
		{efJPKIAuthCert, ct.AuthCert, nil},
		{efJPKIAuthCACert, ct.AuthCACert, nil},
	} {
		if err := addBinary(a, f.fid, f.data, f.readers...); err != nil {
			return err
		}
	}
	addKey(a, efJPKIAuthKey, ct.AuthKey, PINJPKIAuth)
	addKey(a, efJPKISignKey, ct.SignKey, PINJPKISign)
	if err := c.addPIN(a, PINJPKIAuth, ct.AuthPIN, MaxTriesJPKIAuth, formatFourDigits, true); err != nil {
		return err
	}
	return c.addPIN(a, PINJPKISign, strings.ToUpper(ct.SignPIN), MaxTriesJPKISign, formatSignPassword, true)
}

func (c *Card) layoutCommon(ct *Contents) error {
	a := c.newApp("common", AIDCommon)
	if ct.CardSerial == "" {
		return nil
	}
	rec, err := EncodeCardInfo(ct.CardSerial, ct.Municipality, ct.Expiry)
	if err != nil {
		return err
	}
	a.add(&file{fid: efCommonInfo, kind: kindRecord, records: [][]byte{rec}})
	return nil
}
