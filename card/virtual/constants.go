package virtual

import (
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// Application identifiers, as strings of raw bytes (ISO/IEC 7816-4 §8.2.1.2 application
// identifier; ISO/IEC 7816-5 registered RID D3 92 for Japan), as
// docs/card.md lists them ("Applications").
const (
	// AIDJPKI is the JPKI application (公的個人認証AP).
	AIDJPKI = "\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01"
	// AIDText is the card input support application (券面事項入力補助AP).
	AIDText = "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x08"
	// AIDSurface is the card surface application (券面事項確認AP).
	AIDSurface = "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x02"
	// AIDResidents is the residents' register application (住基AP).
	// docs/card.md marks it unsure; the virtual card makes it selectable
	// and holds no files in it.
	AIDResidents = "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x01"
	// AIDCommon is the common / card-info application. docs/card.md marks
	// it unsure; the virtual card holds EF 0001 in it when
	// Contents.CardSerial is set.
	AIDCommon = "\xD3\x92\x10\x00\x31\x00\x01\x01\x01\x00"
)

// PINRef names one of the card's PINs by the file identifier of its PIN
// EF. The identifiers are distinct across applications, so a PINRef is
// unambiguous without its application.
type PINRef uint16

// The card's PINs.
const (
	// PINJPKIAuth is the JPKI user-authentication PIN, EF 0018: 4 digits,
	// 3 tries.
	PINJPKIAuth PINRef = 0x0018
	// PINJPKISign is the JPKI signing password, EF 001B: 6–16 of A–Z and
	// 0–9, 5 tries.
	PINJPKISign PINRef = 0x001B
	// PINText is the text application's PIN, EF 0011: 4 digits, 3 tries.
	PINText PINRef = 0x0011
	// PINTextA is the text application's 照合番号A, EF 0014: the 12-digit
	// Individual Number.
	PINTextA PINRef = 0x0014
	// PINTextB is the text application's 照合番号B, EF 0015: 14 digits.
	PINTextB PINRef = 0x0015
	// PINSurfaceA is the surface application's 照合番号A, EF 0013: the
	// 12-digit Individual Number.
	PINSurfaceA PINRef = 0x0013
	// PINSurfaceB is the surface application's 照合番号B, EF 0012: 14 digits.
	PINSurfaceB PINRef = 0x0012
)

// String names the PIN, for test output and diagnostics.
func (p PINRef) String() string {
	name := map[PINRef]string{
		PINJPKIAuth: "JPKI authentication PIN", PINJPKISign: "JPKI signing password",
		PINText: "text PIN", PINTextA: "text 照合番号A", PINTextB: "text 照合番号B",
		PINSurfaceA: "surface 照合番号A", PINSurfaceB: "surface 照合番号B",
	}[p]
	if name == "" {
		name = "unknown PIN"
	}
	return fmt.Sprintf("%s (EF %04X)", name, uint16(p))
}

// Retry counter maxima.
const (
	// MaxTriesJPKIAuth is the authentication PIN's retry counter.
	MaxTriesJPKIAuth = 3
	// MaxTriesJPKISign is the signing password's retry counter.
	MaxTriesJPKISign = 5
	// MaxTriesText is the text application PIN's retry counter.
	MaxTriesText = 3
	// MaxTriesCollation is the retry counter of every 照合番号A/B
	// (EF 0012–0015). docs/card.md marks it unsure: one source says 10, another
	// 3. The virtual card assumes 10; WithMaxTries changes it per PIN.
	MaxTriesCollation = 10
)

// File identifiers of the JPKI application (docs/card.md, "JPKI files").
const (
	efJPKISignCert   uint16 = 0x0001
	efJPKISignCACert uint16 = 0x0002
	efJPKIToken      uint16 = 0x0006
	efJPKIPresence   uint16 = 0x0008
	efJPKIAuthCert   uint16 = 0x000A
	efJPKIAuthCACert uint16 = 0x000B
	efJPKIAuthKey    uint16 = 0x0017
	efJPKISignKey    uint16 = 0x001A
)

// File identifiers of the text and surface applications.
const (
	efTextNumber    uint16 = 0x0001
	efTextBasic     uint16 = 0x0002
	efTextIntegrity uint16 = 0x0003
	efTextCVC       uint16 = 0x0004
	efSurfaceFace   uint16 = 0x0002
	efCommonInfo    uint16 = 0x0001
)

// Instruction and parameter bytes (ISO/IEC 7816-4 §11).
const (
	insReadRecord byte = 0xB2 // §11.4.3 READ RECORD

	claInterindustry byte = 0x00 // §5.4.1 first interindustry class
	claProprietary   byte = 0x80 // proprietary class of the JPKI SIGN
	claSMMask        byte = 0x0C // §5.4.1 b4-b3: secure messaging indication
	claChannelMask   byte = 0x03 // §5.4.1 b2-b1: logical channel number

	p1SelectFID      byte   = 0x00 // §11.2.2 table 39: MF, DF or EF by identifier
	p1SelectEF       byte   = 0x02 // §11.2.2 table 39: EF under the current DF
	p1SelectDFName   byte   = 0x04 // §11.2.2 table 39: select by DF name
	p2SelectNoData   byte   = 0x0C // §11.2.2 table 40: no response data
	p2SelectFCI      byte   = 0x00 // §11.2.2 table 40: return FCI (answered with none)
	p1ReadSFI        byte   = 0x80 // §11.3.3: P1 b8 set, b5-b1 a short EF identifier
	p2SpecificRef    byte   = 0x80 // §11.5.6 table 65: specific reference data; b5-b1 SFI here
	p1ChangeNewOnly  byte   = 0x01 // §11.5.7: data field holds the new reference data only
	p2SignCurrentKey byte   = 0x00 // SIGN of the text and surface application keys: 80 2A 00 00
	p2ReadRecordCur  byte   = 0x04 // §11.4.3 table 49: record number in P1, current EF
	sfiMask          byte   = 0x1F
	fidMF            uint16 = 0x3F00 // §8.2.1.1 master file: never selectable here
)

// Status words the virtual card answers that apdu/ does not name, and the
// choices made where docs/card.md marks the card's answer unsure or says
// nothing (see also variants.go).
const (
	// swNoCurrentEF answers READ BINARY, VERIFY, CHANGE REFERENCE DATA and
	// SIGN when no EF is selected (§5.6 table 6, 6986 "command not
	// allowed, no current EF"). No card has shown it; 6A82 would be the
	// other plausible choice.
	swNoCurrentEF uint16 = 0x6986
	// swIncompatibleFile answers a command applied to the wrong kind of
	// EF (READ BINARY on a PIN or key, VERIFY on a certificate, SIGN with
	// a PIN selected): §5.6 table 6, 6981.
	swIncompatibleFile uint16 = 0x6981
	// swLogicalChannel answers a CLA naming logical channel 1–3 (6881,
	// §5.6 table 6): the card has one channel.
	swLogicalChannel uint16 = 0x6881
	// swNcInconsistent answers SELECT whose data length does not fit
	// P1 (§5.6 table 6, 6A87).
	swNcInconsistent uint16 = 0x6A87
	// swPastEndOfFile answers READ BINARY with an offset at or beyond the
	// end of the EF (6B00, "wrong parameters P1-P2"; docs/card.md, "READ
	// BINARY").
	swPastEndOfFile = apdu.SWWrongParametersP1P2
	// swSignInputTooLong answers SIGN whose data do not fit PKCS#1 v1.5
	// type-1 padding in the key (more than k-11 bytes). docs/card.md
	// ("SIGN") lists 6985 or 6700 for a bad input length.
	swSignInputTooLong = apdu.SWConditionsNotSatisfied
	// swSignSchemeUnsupported answers SIGN with a P1 that names no scheme
	// (above 05), as one source saw a card do.
	swSignSchemeUnsupported = apdu.SWIncorrectP1P2
	// swChangeNotAllowed answers CHANGE REFERENCE DATA on a 照合番号A/B,
	// which is derived from the card's printed data and cannot be changed
	// (no card has shown it; 6985 "conditions of use not satisfied").
	swChangeNotAllowed = apdu.SWConditionsNotSatisfied
	// swNothingToGet answers GET RESPONSE when no response is pending
	// (6985, as most ISO cards do).
	swNothingToGet = apdu.SWConditionsNotSatisfied
	// swMoreData is SW1 61: SW2 more bytes wait for GET RESPONSE (§5.3.4).
	swMoreData uint16 = 0x6100
	// swWrongLe is SW1 6C: resend with Le = SW2 (§5.6 table 6).
	swWrongLe uint16 = 0x6C00
)

// Behaviour choices where docs/card.md says nothing.
const (
	// reselectDropsState: SELECT of an application, even the one already
	// selected, drops the security state (§9.1: the security status of a
	// DF is lost when the DF is left; re-selection is treated as leaving).
	reselectDropsState = true
	// verifyWrongLengthSpendsTry: a VERIFY whose PIN has a length or
	// characters the PIN cannot have is compared like any other and spends
	// a try. No card has shown it; hosts check the format before VERIFY,
	// so they never find out. False would answer 6700 instead.
	verifyWrongLengthSpendsTry = true
	// maxEFSize bounds an EF: READ BINARY offsets are 15 bits (§11.3.3),
	// so nothing past 32 KiB can be addressed by a short read.
	maxEFSize = 0x8000
	// signatureNeNone: SIGN without Le (case 3) still returns the
	// signature, as T=1 cards commonly do; an Le below the signature size
	// is answered 6Cxx.
	signatureNeNone = 0
)

// DefaultATR is the contact ATR OpenSC's jpki driver lists for the card
// (3B E0 00 FF 81 31 FE 45 14). Never identify the card by it:
// contactless readers invent their own.
const DefaultATR = "\x3B\xE0\x00\xFF\x81\x31\xFE\x45\x14"

// DefaultToken is the EF 0006 label of an Individual Number Card.
const DefaultToken = "JPKIAPICCTOKEN2"
