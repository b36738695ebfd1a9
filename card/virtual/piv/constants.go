package piv

// PIV application identifiers (NIST SP 800-73-4 Part 1 §2.2). SELECT may
// name the application by a right-truncated AID (ISO/IEC 7816-4 §11.2.2,
// "partial DF name"): piv-go sends the five-byte RID-and-PIX prefix.
const (
	// aidPIV is the full PIV application identifier.
	aidPIV = "\xA0\x00\x00\x03\x08\x00\x00\x10\x00\x01\x00"
	// aidPIVRID is the NIST registered application provider identifier,
	// given in the coexistent tag allocation authority of the APT.
	aidPIVRID = "\xA0\x00\x00\x03\x08"
)

// minPartialAID is the shortest right-truncated AID SELECT accepts (the
// registered application provider identifier, ISO/IEC 7816-5).
const minPartialAID = 5

// Instruction bytes (NIST SP 800-73-4 Part 2 §3 and the YubiKey PIV
// extensions that piv-go uses, see yubico-piv-tool lib/ykpiv.h).
const (
	insSelect          byte = 0xA4 // SP 800-73-4 Part 2 §3.1.1 SELECT
	insVerify          byte = 0x20 // §3.2.1 VERIFY
	insGeneralAuth     byte = 0x87 // §3.2.4 GENERAL AUTHENTICATE
	insGetData         byte = 0xCB // §3.1.2 GET DATA
	insGetResponse     byte = 0xC0 // ISO/IEC 7816-4 §11.7.1 GET RESPONSE
	insYKGetVersion    byte = 0xFD // YubiKey: firmware version, 3 bytes
	insYKGetSerial     byte = 0xF8 // YubiKey ≥ 5: serial number, 4 bytes big-endian
	insYKGetMetadata   byte = 0xF7 // YubiKey ≥ 5.3: slot metadata
	claChainingBit     byte = 0x10 // ISO/IEC 7816-4 §5.1.1.1 command chaining
	claInterindustry   byte = 0x00
	p1SelectByName     byte = 0x04 // ISO/IEC 7816-4 §11.2.2 table 39: select by DF name
	p1GetDataCurrent   byte = 0x3F // SP 800-73-4 Part 2 §3.1.2: P1 P2 = 3F FF
	p2GetDataCurrent   byte = 0xFF
	p1VerifyResetState byte = 0xFF // §3.2.1: reset the security status of P2
)

// Key references (SP 800-73-4 Part 1 §5.1, table 4).
const (
	keyRefPIN          byte = 0x80 // PIV Card Application PIN
	keyRefPUK          byte = 0x81 // PIN Unblocking Key
	keyRefCardMgmt     byte = 0x9B // PIV Card Application Administration Key
	defaultPINTries         = 3    // YubiKey factory setting
	maxReportableTries      = 15   // what a 63Cx status word can report
	pivPINLength            = 8    // §2.4.3: the PIN is padded with FF to 8 bytes
	pinPadByte         byte = 0xFF
)

// Slot is a PIV key reference (SP 800-73-4 Part 1 §5.1, table 4).
type Slot byte

// The four key slots a PIV card has, by their key reference.
const (
	SlotAuthentication     Slot = 0x9A // PIV Authentication
	SlotSignature          Slot = 0x9C // Digital Signature
	SlotKeyManagement      Slot = 0x9D // Key Management
	SlotCardAuthentication Slot = 0x9E // Card Authentication
)

// certObject is the data object holding a slot's certificate (SP 800-73-4
// Part 1 §4.3, table 3: BER-TLV tags 5FC105, 5FC10A, 5FC10B, 5FC101).
func (s Slot) certObject() (uint32, bool) {
	switch s {
	case SlotAuthentication:
		return 0x5FC105, true
	case SlotSignature:
		return 0x5FC10A, true
	case SlotKeyManagement:
		return 0x5FC10B, true
	case SlotCardAuthentication:
		return 0x5FC101, true
	}
	return 0, false
}

// slotForObject is the inverse of certObject.
func slotForObject(tag uint32) (Slot, bool) {
	for _, s := range [...]Slot{SlotAuthentication, SlotSignature, SlotKeyManagement, SlotCardAuthentication} {
		if t, _ := s.certObject(); t == tag {
			return s, true
		}
	}
	return 0, false
}

// String returns the slot's key reference in hex, as PIV tools name slots.
func (s Slot) String() string {
	const hexDigits = "0123456789abcdef"
	return string([]byte{hexDigits[s>>4], hexDigits[s&0x0F]})
}

// Cryptographic mechanism identifiers (SP 800-78-4 §5.3, table 5; P1 of
// GENERAL AUTHENTICATE and tag 01 of YubiKey metadata).
const (
	algRSA1024   byte = 0x06
	algRSA2048   byte = 0x07
	algRSA3072   byte = 0x05 // SP 800-78-5
	algRSA4096   byte = 0x16 // YubiKey 5.7
	algECCP256   byte = 0x11
	algECCP384   byte = 0x14
	alg3DES      byte = 0x03
	algPINMarker byte = 0xFF // YubiKey metadata: "this is a PIN or PUK"
)

// PINPolicy says when a slot's key needs the PIN, with the YubiKey's
// numbering (metadata tag 02, first byte).
type PINPolicy byte

// PIN policies.
const (
	// PINPolicyNever signs without the PIN.
	PINPolicyNever PINPolicy = 0x01
	// PINPolicyOnce signs once the PIN was verified in this session (until
	// a reset): the YubiKey default for slot 9a.
	PINPolicyOnce PINPolicy = 0x02
	// PINPolicyAlways needs a VERIFY before every signature: the YubiKey
	// default for slot 9c (SP 800-73-4 Part 1 §3.3.2, "PIN Always").
	PINPolicyAlways PINPolicy = 0x03
)

// touchPolicyNever is the only touch policy the virtual card has: it has
// no button.
const touchPolicyNever byte = 0x01

// originImported marks keys given to the card rather than generated on it
// (YubiKey metadata tag 03).
const originImported byte = 0x02

// Data object and template tags.
const (
	tagAPT             = 0x61    // SP 800-73-4 Part 2 §3.1.1 application property template
	tagAID             = 0x4F    // application identifier
	tagCoexistentAuth  = 0x79    // coexistent tag allocation authority
	tagTagList         = 0x5C    // GET DATA tag list
	tagDataObject      = 0x53    // discretionary data object
	tagCertificate     = 0x70    // SP 800-73-4 Part 1 Appendix A, certificate
	tagCertInfo        = 0x71    // CertInfo (00: uncompressed)
	tagErrorDetection  = 0xFE    // error detection code (empty)
	tagDynAuth         = 0x7C    // §3.2.4 dynamic authentication template
	tagWitness         = 0x80    // (unsupported: management key witness)
	tagChallenge       = 0x81    // data to sign
	tagResponse        = 0x82    // the signature, empty in the request
	tagMetaAlgorithm   = 0x01    // YubiKey metadata: algorithm
	tagMetaPolicy      = 0x02    // PIN and touch policy
	tagMetaOrigin      = 0x03    // generated or imported
	tagMetaPublicKey   = 0x04    // public key template contents
	tagMetaDefault     = 0x05    // PIN/PUK/management key still the default
	tagMetaRetries     = 0x06    // total and remaining tries
	tagECPoint         = 0x86    // SP 800-73-4 Part 2 table 26: EC point
	tagRSAModulus      = 0x81    // RSA modulus
	tagRSAExponent     = 0x82    // RSA public exponent
	maxResponseChunk   = 256     // data bytes per response before 61xx (short Le 00)
	maxCommandChaining = 1 << 14 // bytes a chained command may accumulate
)

// Status words (ISO/IEC 7816-4 §5.6 and SP 800-73-4 Part 2 §3).
const (
	swOK                     uint16 = 0x9000
	swBytesRemaining         uint16 = 0x6100 // 61xx: GET RESPONSE for xx more
	swTriesLeft              uint16 = 0x63C0 // 63Cx: verification failed, x tries left
	swWrongLength            uint16 = 0x6700
	swSecurityStatusNotMet   uint16 = 0x6982
	swAuthMethodBlocked      uint16 = 0x6983
	swConditionsNotSatisfied uint16 = 0x6985
	swWrongData              uint16 = 0x6A80
	swFunctionNotSupported   uint16 = 0x6A81
	swNotFound               uint16 = 0x6A82
	swIncorrectP1P2          uint16 = 0x6A86
	swRefDataNotFound        uint16 = 0x6A88
	swInsNotSupported        uint16 = 0x6D00
	swClassNotSupported      uint16 = 0x6E00
)
