package card

// Application identifiers (ISO/IEC 7816-4 §8.2.1.2, registered application
// provider D3 92 = Japan), selected by name with SELECT P1 = 04.
var (
	aidJPKI    = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	aidText    = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}
	aidSurface = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02}
)

// SELECT parameters (ISO/IEC 7816-4 §11.2.2, tables 39 and 40).
const (
	claISO         byte = 0x00
	claProprietary byte = 0x80 // the JPKI SIGN command's class

	p1SelectByName byte = 0x04 // select by DF name (AID)
	// p1SelectEF selects an EF under the current DF by file identifier.
	// docs/card.md, "SELECT": P1 = 02 is the form that works on this card.
	p1SelectEF byte = 0x02
	// p2NoFCI asks for no response data (first or only occurrence, no FCI).
	p2NoFCI byte = 0x0C
)

// VERIFY and CHANGE REFERENCE DATA parameters (ISO/IEC 7816-4 §11.5.6,
// §11.5.7): P2 = 80 names "specific reference data", the PIN EF selected
// just before.
const (
	p2SpecificRef byte = 0x80
	// p1ChangeNewOnly: CHANGE REFERENCE DATA carrying only the new
	// reference data (the old one was verified just before), as the card
	// expects it (00 24 01 80).
	p1ChangeNewOnly byte = 0x01
)

// SIGN parameters (proprietary JPKI command 80 2A P1 P2, docs/card.md
// "SIGN").
const (
	// p1SignPKCS1 asks the card to PKCS#1 v1.5-pad the DigestInfo it is
	// sent. The other schemes (01–05, the card hashing or padding with PSS)
	// were seen on one card only: not used, so the library always chooses
	// the hash.
	p1SignPKCS1 byte = 0x00
	// p2SignSelectedKey uses the key EF selected just before.
	p2SignSelectedKey byte = 0x80
	// signatureLen is the size of an RSA-2048 signature, the only key size
	// the card holds.
	signatureLen = 256
	// maxDigestInfoLen is the longest input PKCS#1 v1.5 accepts for a
	// 2048-bit key (RFC 8017 §9.2: emLen − 11).
	maxDigestInfoLen = signatureLen - 11
)

// READ BINARY limits (ISO/IEC 7816-4 §11.3.3): without the P1 bit 8
// short-EF form, the offset is 15 bits.
const (
	maxOffset = 0x7FFF
	// shortChunk is the Ne of one short READ BINARY (Le = 00).
	shortChunk = 256
	// extendedChunk is the Ne of an extended READ BINARY (Le = 00 00:
	// "as many as available"). docs/card.md: the card itself returns a whole
	// certificate in one such READ.
	extendedChunk = 65536
)

// File identifiers of the JPKI application (docs/card.md, "JPKI files").
const (
	efSignCert   uint16 = 0x0001
	efSignCACert uint16 = 0x0002
	efToken      uint16 = 0x0006
	efPresence   uint16 = 0x0008
	efAuthCert   uint16 = 0x000A
	efAuthCACert uint16 = 0x000B
	efAuthKey    uint16 = 0x0017
	efAuthPIN    uint16 = 0x0018
	efSignKey    uint16 = 0x001A
	efSignPIN    uint16 = 0x001B
)

// File identifiers of the text (card input support) application.
const (
	efTextNumber    uint16 = 0x0001
	efTextBasic     uint16 = 0x0002
	efTextIntegrity uint16 = 0x0003
	efTextCVC       uint16 = 0x0004
	efTextPIN       uint16 = 0x0011
	efTextPINA      uint16 = 0x0014
	efTextPINB      uint16 = 0x0015
)

// File identifiers of the surface (card face) application
// (docs/card-apps.md). Key references repeat across applications: 0011
// is the text PIN and the surface birth-date key, 0012 a blocked text key
// and the surface 照合番号B, 0013 the text signing key and the surface
// 照合番号A; the application is always selected first.
const (
	efSurfaceAge       uint16 = 0x0001
	efSurfaceRecord    uint16 = 0x0002
	efSurfaceCVC       uint16 = 0x0004
	efSurfaceNumber    uint16 = 0x0005
	efSurfaceBirthDate uint16 = 0x0011
	efSurfacePINB      uint16 = 0x0012
	efSurfacePINA      uint16 = 0x0013
	efSurfaceAppKey    uint16 = 0x001A
)

// p2SignAppKey is SIGN's P2 for the text and surface application keys,
// which sign with 80 2A 00 00 and no credential [one card].
const p2SignAppKey byte = 0x00
