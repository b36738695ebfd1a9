package virtual

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

// credential is one way into the text or surface application.
type credential struct {
	name, p2, value string
}

var (
	credTextPIN = credential{"PIN", "91", testTextPIN}
	credTextA   = credential{"照合番号A", "94", testNumber}
	credTextB   = credential{"照合番号B", "95", testPINB}
	credSurfA   = credential{"照合番号A", "93", testNumber}
	credSurfB   = credential{"照合番号B", "92", testPINB}
	credBirth   = credential{"birth date", "91", testPINB[:6]}
)

// TestTextAccessTable checks every text EF against every credential, as
// docs/card-apps.md's table gives it: 6982 where the credential does not
// open the EF, 9000 where it does.
func TestTextAccessTable(t *testing.T) {
	none := credential{name: "none"}
	table := []struct {
		fid   string
		opens []credential
	}{
		{"0001", []credential{credTextPIN, credTextA}},
		{"0002", []credential{credTextPIN, credTextB}},
		{"0003", []credential{credTextPIN, credTextA, credTextB}},
		{"0004", []credential{none, credTextPIN, credTextA, credTextB}},
		{"0005", []credential{none, credTextPIN, credTextA, credTextB}},
		{"0006", []credential{credTextPIN, credTextA, credTextB}},
		{"0007", []credential{credTextPIN, credTextA, credTextB}},
		{"0008", []credential{credTextPIN, credTextA, credTextB}},
	}
	for _, row := range table {
		for _, cr := range []credential{none, credTextPIN, credTextA, credTextB} {
			want := uint16(apdu.SWSecurityStatusNotMet)
			for _, o := range row.opens {
				if o == cr {
					want = apdu.SWOK
				}
			}
			t.Run(row.fid+"/"+cr.name, func(t *testing.T) {
				c := newTestCard(t)
				steps := []step{{selText, 0x9000}}
				if cr != none {
					steps = append(steps, step{verifyHex(cr.p2, cr.value), 0x9000})
				}
				run(t, c, append(steps, step{selEF(row.fid), 0x9000}, step{"00B0000001", want}))
			})
		}
	}
}

func TestSurfaceAccessTable(t *testing.T) {
	none := credential{name: "none"}
	table := []struct {
		fid   string
		opens []credential
	}{
		{"0001", []credential{credBirth}},
		{"0002", []credential{credSurfA, credSurfB}},
		{"0003", []credential{none, credSurfA, credSurfB, credBirth}},
		{"0004", []credential{none, credSurfA, credSurfB, credBirth}},
		{"0005", []credential{credSurfA}},
		{"0006", []credential{credSurfA, credSurfB}},
	}
	for _, row := range table {
		for _, cr := range []credential{none, credSurfA, credSurfB, credBirth} {
			want := uint16(apdu.SWSecurityStatusNotMet)
			for _, o := range row.opens {
				if o == cr {
					want = apdu.SWOK
				}
			}
			t.Run(row.fid+"/"+cr.name, func(t *testing.T) {
				c := newTestCard(t)
				steps := []step{{selSurface, 0x9000}}
				if cr != none {
					steps = append(steps, step{verifyHex(cr.p2, cr.value), 0x9000})
				}
				run(t, c, append(steps, step{selEF(row.fid), 0x9000}, step{"00B0000001", want}))
			})
		}
	}
}

func TestAppKeysAndCounters(t *testing.T) {
	t.Run("text counters", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selText, 0x9000}, {verifyHex("91", ""), 0x63C3}, {verifyHex("94", ""), 0x63CA}, {verifyHex("95", ""), 0x63CA},
			{verifyHex("94", "000000000000"), 0x63C9}})
		if c.TriesLeft(PINTextA) != 9 || c.TriesLeft(PINSurfaceA) != 10 {
			t.Errorf("TriesLeft = %d, %d", c.TriesLeft(PINTextA), c.TriesLeft(PINSurfaceA))
		}
	})
	for _, a := range BlockedQueryAnswers {
		t.Run(fmt.Sprintf("text 0012 blocked from issue, query %04X", uint16(a)), func(t *testing.T) {
			c := newTestCard(t, WithBlockedQuery(a))
			run(t, c, []step{{selText, 0x9000}, {verifyHex("92", ""), uint16(a)}, {verifyHex("92", "1234"), 0x6984}})
			if c.TriesLeft(PINTextBlocked) != 0 || c.TriesLeft(PINSurfaceB) != MaxTriesCollation {
				t.Errorf("TriesLeft = %d, %d", c.TriesLeft(PINTextBlocked), c.TriesLeft(PINSurfaceB))
			}
		})
	}
	t.Run("surface birth-date key", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selSurface, 0x9000}, {verifyHex("91", ""), 0x63C0 | MaxTriesBirthDateKey}, {verifyHex("91", "000000"), 0x63C0 | (MaxTriesBirthDateKey - 1)}})
		if c.TriesLeft(PINSurfaceBirthDate) != MaxTriesBirthDateKey-1 || c.TriesLeft(PINText) != MaxTriesText {
			t.Errorf("TriesLeft = %d, %d", c.TriesLeft(PINSurfaceBirthDate), c.TriesLeft(PINText))
		}
	})
	t.Run("WithTriesQuery", func(t *testing.T) {
		c := newTestCard(t, WithTriesQuery(PINSurfaceBirthDate, 0x6D00))
		run(t, c, []step{{selSurface, 0x9000}, {verifyHex("91", ""), 0x6D00}, {verifyHex("93", ""), 0x63C0 | MaxTriesCollation},
			{verifyHex("91", "000000"), 0x63C0 | (MaxTriesBirthDateKey - 1)}, {selText, 0x9000}, {verifyHex("91", ""), 0x63C0 | MaxTriesText}})
	})
	t.Run("WithMaxTries", func(t *testing.T) {
		c := newTestCard(t, WithMaxTries(PINTextA, 3), WithMaxTries(PINSurfaceBirthDate, 5))
		run(t, c, []step{{selText, 0x9000}, {verifyHex("94", ""), 0x63C3}, {selSurface, 0x9000}, {verifyHex("91", ""), 0x63C5}})
	})
	digest := sha256.Sum256([]byte("challenge"))
	di := append(h("3031300D060960864801650304020105000420"), digest[:]...)
	signAPDU := "802A0000" + hexOf([]byte{byte(len(di))}) + hexOf(di) + "00"
	for _, app := range []struct{ name, sel, key string }{{"surface 001A", selSurface, "001A"}, {"text 0013", selText, "0013"}} {
		t.Run(app.name+" signs with no credential", func(t *testing.T) {
			c := newTestCard(t)
			run(t, c, []step{{app.sel, 0x9000}, {selEF(app.key), 0x9000}})
			sig, sw := send(t, c, h(signAPDU))
			if sw != 0x9000 {
				t.Fatalf("SIGN: %04X", sw)
			}
			if err := rsa.VerifyPKCS1v15(&appKey(t).PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("JPKI keys still need their PIN", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {selEF("0017"), 0x9000}, {signAPDU, 0x6982}})
	})
}

func TestTextRecords(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t)
	run(t, c, []step{{selText, 0x9000}, {verifyHex("91", testTextPIN), 0x9000}})
	number := readEF(t, c, "0001")
	if want := "\xFF\x10\x0C" + testNumber + "\xFF\xFF"; string(number) != want || len(number) != 17 {
		t.Errorf("EF 0001 = % X", number)
	}
	basic := readEF(t, c, "0002")
	outer, rest, err := apdu.ReadTLV(basic)
	if err != nil || outer.Tag != 0xFF20 || len(rest) != 0 {
		t.Fatalf("EF 0002: %v, tag %X, %d left", err, outer.Tag, len(rest))
	}
	inner := mustTLVs(t, outer.Value)
	for tag, v := range map[uint32]string{0xDF22: ct.Name, 0xDF23: ct.Address, 0xDF24: ct.BirthDate, 0xDF25: ct.Sex} {
		if got := mustFind(t, inner, tag); string(got) != v {
			t.Errorf("tag %X = %q, want %q", tag, got, v)
		}
	}
	offs := mustFind(t, inner, 0xDF21)
	for i, tag := range []uint16{0xDF22, 0xDF23, 0xDF24, 0xDF25} {
		if got := binary.BigEndian.Uint16(basic[binary.BigEndian.Uint16(offs[2*i:]):]); got != tag {
			t.Errorf("offset %d points at %X", i, got)
		}
	}
	integrity := readEF(t, c, "0003")
	rec, _, err := apdu.ReadTLV(integrity)
	if err != nil || rec.Tag != 0xFF30 {
		t.Fatalf("EF 0003: %v %X", err, rec.Tag)
	}
	tlvs := mustTLVs(t, rec.Value)
	hn, hb, sig := mustFind(t, tlvs, 0xDF31), mustFind(t, tlvs, 0xDF32), mustFind(t, tlvs, 0xDF33)
	if want := sha256.Sum256(number); !bytes.Equal(hn, want[:]) {
		t.Error("DF31 is not SHA-256 of EF 0001")
	}
	if want := sha256.Sum256(basic[binary.BigEndian.Uint16(offs):]); !bytes.Equal(hb, want[:]) {
		t.Error("DF32 is not SHA-256 of DF22..end")
	}
	d := sha256.Sum256(apdu.AppendTLV(apdu.AppendTLV(nil, 0xDF31, hn), 0xDF32, hb))
	if err := rsa.VerifyPKCS1v15(&ct.TextKey.PublicKey, crypto.SHA256, d[:], sig); err != nil {
		t.Errorf("DF33 by the certified key: %v", err)
	}
	checkCVC(t, readEF(t, c, "0004"), &ct.TextKey.PublicKey, CVCAText)
	if info := readEF(t, c, "0005"); !bytes.HasPrefix(info, h("FF40")) || !bytes.Contains(info, h("DF4104 01030E01")) {
		t.Errorf("EF 0005 = % X", info)
	}
	if b := readEF(t, c, "0008"); !bytes.Equal(b, filler(16)) {
		t.Errorf("EF 0008 = % X", b)
	}
}

// checkCVC checks an EF 0004 byte for byte against the layout: 568 bytes,
// the signature over the 297-byte 5F4E value by the virtual CV CA.
func checkCVC(t *testing.T, cvc []byte, subject *rsa.PublicKey, role CVCARole) {
	t.Helper()
	if len(cvc) != 568 || !bytes.HasPrefix(cvc, h("7F2182 0233 5F4E82 0129")) {
		t.Fatalf("EF 0004 of %d bytes starts % X", len(cvc), cvc[:min(len(cvc), 10)])
	}
	value := cvc[10 : 10+297]
	if !bytes.Equal(value[:16], role.KeyID()) || string(value[:7]) != role.String() {
		t.Errorf("issuer key ID % X", value[:16])
	}
	if !bytes.Equal(value[32:37], h("9003010001")) || !bytes.Equal(value[37:41], h("91820100")) || !bytes.Equal(value[41:], subject.N.Bytes()) {
		t.Error("subject key differs")
	}
	if !bytes.Equal(cvc[307:312], h("5F37820100")) {
		t.Errorf("signature header % X", cvc[307:312])
	}
	ca, err := CVCAKey(role)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(value)
	if err := rsa.VerifyPKCS1v15(&ca.PublicKey, crypto.SHA256, d[:], cvc[312:]); err != nil {
		t.Errorf("5F37 over the 5F4E value: %v", err)
	}
}

func TestSurfaceRecords(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t)
	run(t, c, []step{{selSurface, 0x9000}, {verifyHex("93", testNumber), 0x9000}})
	face := readEF(t, c, "0002")
	outer, _, err := apdu.ReadTLV(face)
	if err != nil || outer.Tag != 0xFF20 {
		t.Fatalf("surface EF 0002: %v", err)
	}
	tlvs := mustTLVs(t, outer.Value)
	for tag, want := range map[uint32][]byte{0xDF22: []byte(ct.BirthDate), 0xDF23: []byte(ct.Sex), 0xDF25: ct.NameImage,
		0xDF26: ct.AddressImage, 0xDF27: ct.FacePhoto, 0xDF29: []byte(ct.Expiry), 0xDF2A: ct.SecurityCodeImage} {
		if got := mustFind(t, tlvs, tag); !bytes.Equal(got, want) {
			t.Errorf("tag %X = %q", tag, got)
		}
	}
	if got := mustFind(t, tlvs, 0xDF24); !bytes.Equal(got, publicKeyTLVs(&appKey(t).PublicKey)) {
		t.Error("DF24 is not the application key")
	}
	offs := mustFind(t, tlvs, 0xDF21)
	o := func(i int) int { return int(binary.BigEndian.Uint16(offs[2*i:])) }
	for i := 0; i < 9; i++ {
		if got := binary.BigEndian.Uint16(face[o(i):]); got != uint16(0xDF22+i) {
			t.Errorf("offset %d points at %X", i, got)
		}
	}
	h1 := sha256.Sum256(face[o(0):o(3)])
	h2 := sha256.Sum256(face[o(3):o(5)])
	h3 := sha256.Sum256(face[o(5):o(6)])
	di := append(h("3071300D060960864801650304020105000460"), append(append(h1[:], h2[:]...), h3[:]...)...)
	if err := rsa.VerifyPKCS1v15(&ct.SurfaceKey.PublicKey, crypto.Hash(0), di, mustFind(t, tlvs, 0xDF28)); err != nil {
		t.Errorf("DF28 by the certified key over the 96-byte DigestInfo: %v", err)
	}
	checkCVC(t, readEF(t, c, "0004"), &ct.SurfaceKey.PublicKey, CVCASurface)
	for _, r := range []struct {
		fid   string
		outer uint32
		first []byte
	}{{"0005", 0xFF40, ct.NumberImage}} {
		b := readEF(t, c, r.fid)
		checkSignedRecord(t, b, r.outer, r.first, &ct.SurfaceKey.PublicKey)
	}
	info := readEF(t, c, "0003")
	if !bytes.HasPrefix(info, h("FF30")) || !bytes.Contains(info, []byte(ct.Municipality)) {
		t.Errorf("EF 0003 = % X", info)
	}
	run(t, c, []step{{selSurface, 0x9000}, {verifyHex("91", testPINB[:6]), 0x9000}})
	checkSignedRecord(t, readEF(t, c, "0001"), 0xFF10, []byte(ct.BirthDate), &ct.SurfaceKey.PublicKey)
}

// checkSignedRecord checks outer { first, key, signature over both }.
func checkSignedRecord(t *testing.T, b []byte, outer uint32, first []byte, signer *rsa.PublicKey) {
	t.Helper()
	rec, _, err := apdu.ReadTLV(b)
	if err != nil || rec.Tag != outer {
		t.Fatalf("record %X: %v", rec.Tag, err)
	}
	tlvs := mustTLVs(t, rec.Value)
	if len(tlvs) != 3 || !bytes.Equal(tlvs[0].Value, first) || !bytes.Equal(tlvs[1].Value, publicKeyTLVs(&appKey(t).PublicKey)) {
		t.Fatalf("record %X fields", outer)
	}
	signedLen := len(rec.Value) - len(apdu.AppendTLV(nil, tlvs[2].Tag, tlvs[2].Value))
	d := sha256.Sum256(rec.Value[:signedLen])
	if err := rsa.VerifyPKCS1v15(signer, crypto.SHA256, d[:], tlvs[2].Value); err != nil {
		t.Errorf("record %X signature: %v", outer, err)
	}
}

func TestRecordFaults(t *testing.T) {
	ct := testContents(t)
	face := func(c *Card) []byte {
		run(t, c, []step{{selSurface, 0x9000}, {verifyHex("92", testPINB), 0x9000}})
		return readEF(t, c, "0002")
	}
	good := face(newTestCard(t))
	t.Run("tampered", func(t *testing.T) {
		bad := face(newTestCard(t, WithRecordFault(RecordTampered)))
		if len(bad) != len(good) || bytes.Equal(bad, good) || bytes.Contains(bad, ct.FacePhoto) {
			t.Error("photo not tampered")
		}
	})
	t.Run("signed by app key", func(t *testing.T) {
		bad := face(newTestCard(t, WithRecordFault(RecordSignedByAppKey)))
		tlvs := mustTLVs(t, mustTLVsOuter(t, bad))
		goodTLVs := mustTLVs(t, mustTLVsOuter(t, good))
		if bytes.Equal(mustFind(t, tlvs, 0xDF28), mustFind(t, goodTLVs, 0xDF28)) {
			t.Error("DF28 unchanged")
		}
	})
	t.Run("CVC over TLV", func(t *testing.T) {
		c := newTestCard(t, WithRecordFault(CVCSignedOverTLV))
		run(t, c, []step{{selText, 0x9000}})
		cvc := readEF(t, c, "0004")
		ca, _ := CVCAKey(CVCAText)
		d := sha256.Sum256(cvc[5 : 10+297])
		if err := rsa.VerifyPKCS1v15(&ca.PublicKey, crypto.SHA256, d[:], cvc[312:]); err != nil {
			t.Errorf("5F37 over the TLV: %v", err)
		}
	})
}

func mustTLVsOuter(t *testing.T, b []byte) []byte {
	t.Helper()
	rec, _, err := apdu.ReadTLV(b)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Value
}

func TestCVCAKeys(t *testing.T) {
	for _, r := range []CVCARole{CVCAMF, CVCASurface, CVCAText} {
		k, err := CVCAKey(r)
		if err != nil {
			t.Fatal(err)
		}
		if k.N.BitLen() != 2048 || k.E != 65537 || len(r.KeyID()) != 16 {
			t.Errorf("%v: %d bits, e %d", r, k.N.BitLen(), k.E)
		}
	}
	if got := CVCAMF.KeyID(); string(got) != "9000020\x08\x05001\x00\x00\x00\xA8" {
		t.Errorf("MF key ID % X", got)
	}
}
