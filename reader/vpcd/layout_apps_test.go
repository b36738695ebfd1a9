package vpcd_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// The text and surface applications, as docs/card-apps.md describes them.
// The checks decode the bytes opensc-tool returns by the document alone
// (TLVs, offsets, hashes, signatures against the pinned CV CA key files),
// never with the project's own decoders.

// appState carries what one row read to the rows after it (rows run in
// order).
var appState struct {
	textNumber, textBasic []byte
	textKey, surfaceKey   *rsa.PublicKey // the keys the EF 0004s certify
	appKey                *rsa.PublicKey // the surface application key (DF24)
}

const cvKeysDir = "../../card/cvkeys"

func init() {
	h := jpkitest.DefaultHolder()
	ct := h.Contents()
	pinB, _ := h.PINB()
	// The encoders give only the sizes of the files to read; the bytes
	// are checked by the document.
	size := func(b []byte, err error) int {
		if err != nil {
			panic(err)
		}
		return len(b)
	}
	num, _ := virtual.EncodeTextNumber(ct.Number)
	basic, _ := virtual.EncodeTextBasic(ct.Name, ct.Address, ct.BirthDate, ct.Sex)
	face := size(virtual.EncodeSurface(&ct, h.SurfaceKey))
	integrity := size(virtual.EncodeTextIntegrity(num, basic, h.TextKey))
	signedKey := size(virtual.EncodeTextSignedKey(&h.TextAppKey.PublicKey, h.TextKey))
	sessionKey := len(virtual.EncodeTextSessionKey(&h.TextAppKey.PublicKey))
	age := size(virtual.EncodeAgeRecord(ct.BirthDate, &h.SurfaceAppKey.PublicKey, h.SurfaceKey))
	numberImage := size(virtual.EncodeNumberImage(ct.NumberImage, &h.SurfaceAppKey.PublicKey, h.SurfaceKey))
	info := size(virtual.EncodeSurfaceInfo(ct.SurfaceKeyID, ct.Municipality))
	text, surface := selectAID(virtual.AIDText), selectAID(virtual.AIDSurface)
	verify := func(p2 byte, secret string) layoutAPDU {
		return layoutAPDU{cmd: fmt.Sprintf("002000%02X%02X%s", p2, len(secret), hex.EncodeToString([]byte(secret))), sw: 0x9000}
	}
	pin, textA, textB := verify(0x91, ct.TextPIN), verify(0x94, ct.Number), verify(0x95, pinB)
	surfA, surfB, birth := verify(0x93, ct.Number), verify(0x92, pinB), verify(0x91, pinB[:6])
	denied := func(fid string) []layoutAPDU {
		return []layoutAPDU{{cmd: "00A4020C02" + fid, sw: 0x9000}, {cmd: "00B0000001", sw: 0x6982}}
	}
	concat := func(parts ...[]layoutAPDU) []layoutAPDU {
		var out []layoutAPDU
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	one := func(a ...layoutAPDU) []layoutAPDU { return a }
	digest := sha256.Sum256([]byte("a fresh challenge"))
	di := append(hx("3031300D060960864801650304020105000420"), digest[:]...)
	signAppKey := fmt.Sprintf("802A0000%02X%s00", len(di), hex.EncodeToString(di))

	rows := []layoutRow{
		{name: "text EF 0004", doc: "Card-verifiable certificates", apdus: concat(one(text), readFile("0004", 568, checkCVC("9000033", &appState.textKey)))},
		{name: "text EF 0001 with the PIN", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text, pin), readFile("0001", 17, func(b []byte) error {
			appState.textNumber = b
			return equals([]byte("\xFF\x10\x0C" + ct.Number + "\xFF\xFF"))(b)
		}))},
		{name: "text EF 0002 with the PIN", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text, pin), readFile("0002", 0, func(b []byte) error {
			appState.textBasic = b
			return checkBasic(b, []string{ct.Name, ct.Address, ct.BirthDate, ct.Sex})
		}))},
		{name: "text EF 0003", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text, textB), readFile("0003", integrity, checkIntegrity))},
		{name: "text: 照合番号A opens 0001, not 0002", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text, textA),
			readFile("0001", 17, equals([]byte("\xFF\x10\x0C"+ct.Number+"\xFF\xFF"))), denied("0002"))},
		{name: "text: 照合番号B opens 0002, not 0001", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text, textB),
			denied("0001"), one(layoutAPDU{cmd: "00A4020C020002", sw: 0x9000}, layoutAPDU{cmd: "00B0000002", sw: 0x9000, check: equals(hx("FF20"))}))},
		{name: "text: nothing without a credential", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text),
			denied("0001"), denied("0002"), denied("0003"), denied("0006"), denied("0007"), denied("0008"))},
		{name: "text EF 0005, 0006, 0007, 0008", doc: "Text application (券面事項入力補助AP)", apdus: concat(one(text),
			readFile("0005", 0, checkTLVs(0xFF40, map[uint32]int{0xDF41: 4, 0xDF42: 16, 0xDF43: 128})),
			one(pin),
			readFile("0006", sessionKey, checkTLVs(0xA1, map[uint32]int{0x90: 3, 0x91: 256})),
			readFile("0007", signedKey, checkTLVs(0xFF50, map[uint32]int{0xDF52: 256})),
			readFile("0008", 16, equals(bytes.Repeat([]byte{0xFF}, 16))))},
		{name: "text keys 0012 and 0013", doc: "Text application (券面事項入力補助AP)", apdus: one(text,
			layoutAPDU{cmd: "00A4020C020012", sw: 0x9000}, layoutAPDU{cmd: "00200080", sw: 0x63C0}, layoutAPDU{cmd: "002000800431323334", sw: 0x6984},
			layoutAPDU{cmd: "00A4020C020013", sw: 0x9000}, layoutAPDU{cmd: signAppKey, sw: 0x9000, check: length(256)})},

		{name: "surface EF 0004", doc: "Card-verifiable certificates", apdus: concat(one(surface), readFile("0004", 568, checkCVC("9000023", &appState.surfaceKey)))},
		{name: "surface EF 0002 with 照合番号A", doc: "Surface application (券面事項確認AP)", apdus: concat(one(surface, surfA), readFile("0002", face, checkFace(ct)))},
		{name: "surface EF 0002 with 照合番号B", doc: "Surface application (券面事項確認AP)", apdus: concat(one(surface, surfB), readFile("0002", face, checkFace(ct)))},
		{name: "surface EF 0001 with the birth-date key", doc: "Surface application (券面事項確認AP)", apdus: concat(one(surface, birth),
			readFile("0001", age, checkSignedRecord(0xFF10, []byte(ct.BirthDate))), denied("0002"), denied("0005"))},
		{name: "surface EF 0005 with 照合番号A only", doc: "Surface application (券面事項確認AP)", apdus: concat(one(surface, surfB), denied("0005"), denied("0001"),
			one(surface, surfA), readFile("0005", numberImage, checkSignedRecord(0xFF40, ct.NumberImage)))},
		{name: "surface EF 0003 and 0006", doc: "Surface application (券面事項確認AP)", apdus: concat(one(surface), denied("0006"),
			readFile("0003", info, checkTLVs(0xFF30, map[uint32]int{0xDF31: 4, 0xDF32: 16, 0xDF33: 1, 0xDF34: 5, 0xDF35: 16 + 256})),
			one(surfB), readFile("0006", 16, equals(bytes.Repeat([]byte{0xFF}, 16))))},
		{name: "surface key 001A signs with no credential", doc: "Surface application (券面事項確認AP)", apdus: one(surface,
			layoutAPDU{cmd: "00A4020C02001A", sw: 0x9000}, layoutAPDU{cmd: signAppKey, sw: 0x9000, check: func(sig []byte) error {
				if appState.appKey == nil {
					return errors.New("no DF24 read before")
				}
				return rsa.VerifyPKCS1v15(appState.appKey, crypto.SHA256, digest[:], sig)
			}})},
	}
	layoutRows = append(layoutRows, rows...)
}

// readFile selects EF fid and reads size bytes (0: one READ with Le 00,
// for a file under 256 bytes) in chunks of at most 256, then runs check
// on the whole file.
func readFile(fid string, size int, check func([]byte) error) []layoutAPDU {
	var buf []byte
	apdus := []layoutAPDU{{cmd: "00A4020C02" + fid, sw: 0x9000}}
	if size == 0 {
		return append(apdus, layoutAPDU{cmd: "00B0000000", sw: 0x9000, check: check})
	}
	for off := 0; off < size; off += 256 {
		n := min(256, size-off)
		last := off+n == size
		apdus = append(apdus, layoutAPDU{cmd: fmt.Sprintf("00B0%04X%02X", off, byte(n)), sw: 0x9000, check: func(b []byte) error {
			if off == 0 {
				buf = nil
			}
			buf = append(buf, b...)
			if last {
				return check(buf)
			}
			return nil
		}})
	}
	return apdus
}

// tlvs splits b into its data objects; outer, when not zero, must be the
// only one and is opened.
func tlvs(b []byte, outer uint32) ([]apdu.TLV, []byte, error) {
	if outer != 0 {
		t, _, err := apdu.ReadTLV(b)
		if err != nil || t.Tag != outer {
			return nil, nil, fmt.Errorf("not a %X object: %v", outer, err)
		}
		b = t.Value
	}
	all, err := apdu.ParseTLVs(b)
	return all, b, err
}

func find(all []apdu.TLV, tag uint32) []byte {
	v, _ := apdu.Find(all, tag)
	return v
}

// checkTLVs checks outer { ... } holds each tag with a value of the size
// given.
func checkTLVs(outer uint32, sizes map[uint32]int) func([]byte) error {
	return func(b []byte) error {
		all, _, err := tlvs(b, outer)
		if err != nil {
			return err
		}
		for tag, n := range sizes {
			if v, ok := apdu.Find(all, tag); !ok || len(v) != n {
				return fmt.Errorf("%X of %d bytes, want %d", tag, len(v), n)
			}
		}
		return nil
	}
}

// pinnedKey reads a CV CA public key from the shipped key files.
func pinnedKey(name string) (*rsa.PublicKey, error) {
	b, err := os.ReadFile(cvKeysDir + "/cv-ca-" + name + ".pem")
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	return k.(*rsa.PublicKey), nil
}

// rsaKey decodes 90 exponent ‖ 91 modulus.
func rsaKey(b []byte) (*rsa.PublicKey, error) {
	all, err := apdu.ParseTLVs(b)
	if err != nil {
		return nil, err
	}
	e, n := find(all, 0x90), find(all, 0x91)
	if len(e) == 0 || len(n) != 256 {
		return nil, errors.New("no 90/91 RSA-2048 key")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

// checkCVC checks a 568-byte EF 0004: the header bytes, the issuer key ID
// naming key name, and the signature over the 297-byte 5F4E value by the
// pinned key file; it keeps the certified key in *out.
func checkCVC(name string, out **rsa.PublicKey) func([]byte) error {
	return func(b []byte) error {
		if err := at(568, map[int][]byte{0: hx("7F2182 0233 5F4E82 0129"), 10: []byte(name + "\x08\x05001\x00\x00\x00\x00"), 42: hx("9003010001 91820100"), 307: hx("5F37820100")})(b); err != nil {
			return err
		}
		ca, err := pinnedKey(name)
		if err != nil {
			return err
		}
		value := b[10 : 10+297]
		d := sha256.Sum256(value)
		if err := rsa.VerifyPKCS1v15(ca, crypto.SHA256, d[:], b[312:]); err != nil {
			return fmt.Errorf("5F37 over the 5F4E value with pinned key %s: %w", name, err)
		}
		*out, err = rsaKey(value[32:])
		return err
	}
}

// offsets returns the DF21 offsets of an FF20 record and checks each
// points at the tag that follows in order.
func offsets(b []byte, first uint16, n int) ([]int, error) {
	all, _, err := tlvs(b, 0xFF20)
	if err != nil {
		return nil, err
	}
	df21 := find(all, 0xDF21)
	if len(df21) != 2*n {
		return nil, fmt.Errorf("DF21 of %d bytes, want %d", len(df21), 2*n)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(binary.BigEndian.Uint16(df21[2*i:]))
		if out[i]+2 > len(b) || binary.BigEndian.Uint16(b[out[i]:]) != first+uint16(i) {
			return nil, fmt.Errorf("offset %d (%d) does not point at %X", i, out[i], first+uint16(i))
		}
	}
	return out, nil
}

func checkBasic(b []byte, want []string) error {
	if _, err := offsets(b, 0xDF22, 4); err != nil {
		return err
	}
	all, _, _ := tlvs(b, 0xFF20)
	for i, w := range want {
		if got := find(all, uint32(0xDF22+i)); string(got) != w {
			return fmt.Errorf("%X = %q, want %q", 0xDF22+i, got, w)
		}
	}
	return nil
}

// checkIntegrity checks text EF 0003 against EF 0001 and 0002 read before
// and its DF33 with the key text EF 0004 certifies.
func checkIntegrity(b []byte) error {
	all, value, err := tlvs(b, 0xFF30)
	if err != nil {
		return err
	}
	off, err := offsets(appState.textBasic, 0xDF22, 4)
	if err != nil {
		return err
	}
	hn, hb := sha256.Sum256(appState.textNumber), sha256.Sum256(appState.textBasic[off[0]:])
	if !bytes.Equal(find(all, 0xDF31), hn[:]) || !bytes.Equal(find(all, 0xDF32), hb[:]) {
		return errors.New("DF31/DF32 are not the hashes of EF 0001 and EF 0002 from DF22")
	}
	signed := value[:2*(3+32)] // DF31 and DF32 as encoded
	d := sha256.Sum256(signed)
	return rsa.VerifyPKCS1v15(appState.textKey, crypto.SHA256, d[:], find(all, 0xDF33))
}

// checkFace checks surface EF 0002: nine offsets, the fields, DF24, and
// DF28 over the 96-byte DigestInfo by the key surface EF 0004 certifies
// (not DF24).
func checkFace(ct virtual.Contents) func([]byte) error {
	return func(b []byte) error {
		o, err := offsets(b, 0xDF22, 9)
		if err != nil {
			return err
		}
		all, _, _ := tlvs(b, 0xFF20)
		for tag, want := range map[uint32][]byte{0xDF22: []byte(ct.BirthDate), 0xDF23: []byte(ct.Sex), 0xDF25: ct.NameImage,
			0xDF26: ct.AddressImage, 0xDF27: ct.FacePhoto, 0xDF29: []byte(ct.Expiry), 0xDF2A: ct.SecurityCodeImage} {
			if !bytes.Equal(find(all, tag), want) {
				return fmt.Errorf("%X differs", tag)
			}
		}
		if appState.appKey, err = rsaKey(find(all, 0xDF24)); err != nil {
			return fmt.Errorf("DF24: %w", err)
		}
		di := hx("3071300D060960864801650304020105000460")
		for _, part := range [][2]int{{o[0], o[3]}, {o[3], o[5]}, {o[5], o[6]}} {
			h := sha256.Sum256(b[part[0]:part[1]])
			di = append(di, h[:]...)
		}
		sig := find(all, 0xDF28)
		if err := rsa.VerifyPKCS1v15(appState.surfaceKey, crypto.Hash(0), di, sig); err != nil {
			return fmt.Errorf("DF28 with the certified key over the 96-byte DigestInfo: %w", err)
		}
		if rsa.VerifyPKCS1v15(appState.appKey, crypto.Hash(0), di, sig) == nil {
			return errors.New("DF28 verifies with DF24")
		}
		return nil
	}
}

// checkSignedRecord checks outer { first, the application key, signature
// over both by the certified surface key }.
func checkSignedRecord(outer uint32, first []byte) func([]byte) error {
	return func(b []byte) error {
		all, value, err := tlvs(b, outer)
		if err != nil {
			return err
		}
		if len(all) != 3 || !bytes.Equal(all[0].Value, first) {
			return fmt.Errorf("%X: want 3 objects, the first %d bytes", outer, len(first))
		}
		if k, err := rsaKey(all[1].Value); err != nil || appState.appKey == nil || !k.Equal(appState.appKey) {
			return fmt.Errorf("%X: the second object is not the application key (%v)", outer, err)
		}
		signedLen := len(value) - len(apdu.AppendTLV(nil, all[2].Tag, all[2].Value))
		d := sha256.Sum256(value[:signedLen])
		return rsa.VerifyPKCS1v15(appState.surfaceKey, crypto.SHA256, d[:], all[2].Value)
	}
}
