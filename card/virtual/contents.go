package virtual

import "crypto/rsa"

// Contents is what a virtual Individual Number Card holds, in the terms of
// the card's own files. It carries bytes, not meaning: the certificates are
// opaque DER produced by whoever fills the card (jpki/jpkitest does), and
// the virtual card never parses them.
//
// NewMyNumberCard lays Contents out in the file structure of docs/card.md.
type Contents struct {
	// JPKI application (AID D3 92 F0 00 26 01 00 00 00 01).

	// Token is the 32-byte label at the start of EF 0006, for example
	// "JPKIAPICCTOKEN2" (an Individual Number Card). Empty means that.
	Token string
	// SignCert is EF 0001, the signing certificate (DER). Readable only
	// after the signing PIN (EF 001B) is verified.
	SignCert []byte
	// SignCACert is EF 0002, the signing CA certificate (DER).
	SignCACert []byte
	// AuthCert is EF 000A, the user-authentication certificate (DER).
	AuthCert []byte
	// AuthCACert is EF 000B, the user-authentication CA certificate (DER).
	AuthCACert []byte
	// SignKey is EF 001A, usable after the signing PIN.
	SignKey *rsa.PrivateKey
	// AuthKey is EF 0017, usable after the authentication PIN.
	AuthKey *rsa.PrivateKey
	// AuthPIN is EF 0018: 4 digits, 3 tries.
	AuthPIN string
	// SignPIN is EF 001B: 6–16 of A–Z and 0–9 (stored upper-case), 5 tries.
	SignPIN string

	// Text (card input support) application
	// (AID D3 92 10 00 31 00 01 01 04 08).

	// Number is the 12-digit Individual Number (last digit a check digit).
	Number string
	// Name is the holder's name, family and given name separated by U+3000.
	Name string
	// Address is the holder's address with full-width digits.
	Address string
	// BirthDate is YYYYMMDD (Gregorian).
	BirthDate string
	// Sex is "1" male, "2" female or "9" not applicable (ISO 5218).
	Sex string
	// TextPIN is EF 0011: 4 digits, 3 tries. Usually equal to AuthPIN.
	TextPIN string
	// TextKey signs the text application's integrity record (EF 0003).
	// The card-verifiable certificate in EF 0004 carries its public key.
	// Nil leaves EF 0003 and EF 0004 absent.
	TextKey *rsa.PrivateKey
	// TextCAKeyID and TextKeyID are the 16-byte issuer and subject key IDs
	// written into the card-verifiable certificate (EF 0004).
	TextCAKeyID, TextKeyID []byte
	// TextCAKey signs the card-verifiable certificate. Nil means the
	// virtual card's text CV CA (CVCAText, key 9000033), whose key ID
	// then replaces an empty TextCAKeyID.
	TextCAKey *rsa.PrivateKey
	// TextAppKey is EF 0013, the text application's own signing key
	// (80 2A 00 00, no credential); its public half is in EF 0006 and
	// EF 0007. Nil leaves the three absent.
	TextAppKey *rsa.PrivateKey

	// Surface (card face) application
	// (AID D3 92 10 00 31 00 01 01 04 02).

	// FacePhoto is the face photo as a JPEG 2000 codestream or JP2 file.
	FacePhoto []byte
	// NameImage and AddressImage are PNG images of the card face's name and
	// address fields.
	NameImage, AddressImage []byte
	// SecurityCodeImage is a PNG image of the security code.
	SecurityCodeImage []byte
	// Expiry is the card's expiry date, YYYYMMDD.
	Expiry string
	// SecurityCode is the 4-digit security code printed on the card face.
	SecurityCode string
	// PINB is 照合番号B (14 digits: Japanese-era birth date YYMMDD, expiry
	// year YYYY, security code). Empty means "derive it from BirthDate,
	// Expiry and SecurityCode" is the filler's job: the virtual card stores
	// what it is given.
	PINB string
	// SurfaceKey is the key the surface application's card-verifiable
	// certificate (EF 0004) certifies: it signs the card face (DF28), the
	// age record (DF13) and the number image (DF43). Nil leaves DF28 empty
	// and EF 0001, 0003, 0004 and 0005 absent.
	SurfaceKey *rsa.PrivateKey
	// SurfaceCAKey signs EF 0004; nil means the virtual card's surface CV
	// CA (CVCASurface, key 9000023), whose key ID then replaces an empty
	// SurfaceCAKeyID. SurfaceKeyID is EF 0004's subject key ID; empty
	// derives one from SurfaceKey.
	SurfaceCAKey                 *rsa.PrivateKey
	SurfaceCAKeyID, SurfaceKeyID []byte
	// SurfaceAppKey is EF 001A, the surface application's own key: it
	// signs a challenge with no credential (80 2A 00 00), and its public
	// half is DF24, DF12 and DF42. Nil leaves DF24 empty and EF 0001 and
	// 0005 absent.
	SurfaceAppKey *rsa.PrivateKey
	// NumberImage is a PNG image of the Individual Number (surface
	// EF 0005). Empty leaves the EF absent.
	NumberImage []byte

	// Common / card-info application (AID D3 92 10 00 31 00 01 01 01 00,
	// *unsure*).

	// CardSerial is the 15-digit card serial number of the common
	// application's EF 0001 record. Empty leaves the EF absent.
	CardSerial string
	// Municipality is the 5-digit code of the issuing municipality, in the
	// same record.
	Municipality string

	// Card level (GET DATA with no application selected).

	// MFChainKey is the key the card-level CVC in 00F8 certifies (signed by
	// the virtual card-level CV CA, cvca/cv-ca-9000020), which signs the
	// CVC in 7F21; MFCardKey is the key 7F21 certifies. A nil key is the
	// committed test key of its role (cvca/README.md).
	MFChainKey, MFCardKey *rsa.PrivateKey
}
