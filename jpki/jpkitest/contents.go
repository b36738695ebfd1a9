package jpkitest

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"github.com/mynacard/mynacard/card"
	"strconv"

	"github.com/mynacard/mynacard/card/virtual"
)

// TokenMyNumberCard is the JPKI token label of an Individual Number Card
// (EF 0006).
const TokenMyNumberCard = "JPKIAPICCTOKEN2"

// cvcKeyIDBytes is the length of the key IDs in the text application's
// card-verifiable certificate (docs/card-apps.md: 16 bytes).
const cvcKeyIDBytes = 16

// cvcKeyID is the first 16 bytes of SHA-256 of the PKCS #1 public key.
// How the card derives its key IDs is not known: these are only stable
// and distinct.
func cvcKeyID(pub *rsa.PublicKey) []byte {
	h := sha256.Sum256(x509.MarshalPKCS1PublicKey(pub))
	return h[:cvcKeyIDBytes]
}

// dateYYYYMMDD is the card's date layout.
const dateYYYYMMDD = "20060102"

// PINB returns 照合番号B: the birth date as Japanese-era YYMMDD, the card's
// expiry year YYYY and the security code, 14 digits (docs/card-apps.md, "Text
// application"). For the default holder: "600401" + "2034" + code.
func (h *Holder) PINB() (string, error) {
	birth, err := JapaneseDateYYMMDD(h.Spec.BirthDate)
	if err != nil {
		return "", fmt.Errorf("building 照合番号B: %w", err)
	}
	return birth + h.Spec.CardExpiry.In(card.JST).Format("2006") + h.Spec.SecurityCode, nil
}

// Contents returns everything a virtual card needs for this holder:
// the JPKI application (certificates, keys, PINs, token), the text
// application (Individual Number, name, address with full-width digits,
// birth date, ISO 5218 sex, text PIN = AuthPIN, integrity and CVC keys)
// and the surface application (face photo, PNG name, address and
// security-code images, expiry, security code, 照合番号B) and the common
// application's card serial and municipality code. Each call
// returns fresh slices; the keys are shared and must not be modified.
func (h *Holder) Contents() virtual.Contents {
	s := h.Spec
	pinB, err := h.PINB()
	if err != nil {
		pinB = "" // birth date before Meiji: leave 照合番号B to the card
	}
	clone := func(b []byte) []byte { return append([]byte(nil), b...) }
	return virtual.Contents{
		Token:             TokenMyNumberCard,
		SignCert:          clone(h.SignCert.Raw),
		SignCACert:        clone(h.SignCA.Raw),
		AuthCert:          clone(h.AuthCert.Raw),
		AuthCACert:        clone(h.AuthCA.Raw),
		SignKey:           h.SignKey,
		AuthKey:           h.AuthKey,
		AuthPIN:           s.AuthPIN,
		SignPIN:           s.SignPIN,
		Number:            s.Number,
		Name:              s.Name,
		Address:           s.Address,
		BirthDate:         s.BirthDate.Format(dateYYYYMMDD),
		Sex:               strconv.Itoa(s.Sex.ISO5218()),
		TextPIN:           s.AuthPIN,
		TextKey:           h.TextKey,
		TextCAKeyID:       clone(h.TextCAKeyID),
		TextKeyID:         clone(h.TextKeyID),
		TextCAKey:         h.TextCAKey,
		FacePhoto:         FacePhoto(),
		NameImage:         textImage(s.Name),
		AddressImage:      textImage(s.Address),
		SecurityCodeImage: textImage(s.SecurityCode),
		Expiry:            s.CardExpiry.In(card.JST).Format(dateYYYYMMDD),
		SecurityCode:      s.SecurityCode,
		PINB:              pinB,
		SurfaceKey:        h.SurfaceKey,
		SurfaceCAKeyID:    clone(h.SurfaceCAKeyID),
		SurfaceKeyID:      clone(h.SurfaceKeyID),
		SurfaceAppKey:     h.SurfaceAppKey,
		TextAppKey:        h.TextAppKey,
		NumberImage:       textImage(s.Number),
		CardSerial:        s.CardSerial,
		Municipality:      s.Municipality,
	}
}
