package jpkitest

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
)

// filledFields are the virtual.Contents fields Holder.Contents fills.
var filledFields = []string{
	"Token", "SignCert", "SignCACert", "AuthCert", "AuthCACert", "SignKey", "AuthKey", "AuthPIN", "SignPIN",
	"Number", "Name", "Address", "BirthDate", "Sex", "TextPIN", "TextKey", "TextCAKeyID", "TextKeyID", "TextCAKey",
	"FacePhoto", "NameImage", "AddressImage", "SecurityCodeImage", "Expiry", "SecurityCode", "PINB", "SurfaceKey",
	"SurfaceCAKeyID", "SurfaceKeyID", "SurfaceAppKey", "TextAppKey", "NumberImage",
	"CardSerial", "Municipality",
}

func TestContents(t *testing.T) {
	h := DefaultHolder()
	c := h.Contents()
	v := reflect.ValueOf(c)
	for _, f := range filledFields {
		if v.FieldByName(f).IsZero() {
			t.Errorf("Contents.%s is empty", f)
		}
	}
	if c.Name != "山田　太郎" || c.Sex != "1" || c.BirthDate != "19850401" || c.Expiry != "20340401" {
		t.Errorf("text data: %q %q %q %q", c.Name, c.Sex, c.BirthDate, c.Expiry)
	}
	if strings.ContainsAny(c.Address, "0123456789") || !strings.Contains(c.Address, "１") {
		t.Errorf("address digits not full-width: %q", c.Address)
	}
	if !ValidNumber(c.Number) || c.Number != h.Spec.Number {
		t.Errorf("number %q", c.Number)
	}
	if want := "600401" + "2034" + c.SecurityCode; c.PINB != want || len(c.PINB) != 14 {
		t.Errorf("照合番号B %q, want %q", c.PINB, want)
	}
	if len(c.TextKeyID) != 16 || len(c.TextCAKeyID) != 16 || bytes.Equal(c.TextKeyID, c.TextCAKeyID) {
		t.Errorf("CVC key IDs %x %x", c.TextKeyID, c.TextCAKeyID)
	}
	if c.TextPIN != c.AuthPIN || c.AuthPIN != DefaultAuthPIN || c.SignPIN != DefaultSignPIN {
		t.Error("PINs")
	}
	if c.Token != "JPKIAPICCTOKEN2" {
		t.Errorf("token %q", c.Token)
	}
	if !bytes.HasPrefix(c.FacePhoto, []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")) {
		t.Error("face photo is not a JP2 file")
	}
	if len(c.FacePhoto) > 8<<10 {
		t.Errorf("face photo is %d bytes", len(c.FacePhoto))
	}
	for name, img := range map[string][]byte{"name": c.NameImage, "address": c.AddressImage, "code": c.SecurityCodeImage} {
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("%s image: %v", name, err)
		}
	}
	cfg, _ := png.DecodeConfig(bytes.NewReader(c.AddressImage))
	if want := 2*imageMargin + utf8.RuneCountInString(c.Address)*glyphCell; cfg.Width != want {
		t.Errorf("address image width %d, want %d", cfg.Width, want)
	}
	// Deterministic, and fresh slices on each call.
	c2 := h.Contents()
	if !reflect.DeepEqual(c, c2) {
		t.Error("Contents differs between calls")
	}
	c2.SignCert[0] ^= 1
	if c.SignCert[0] == c2.SignCert[0] {
		t.Error("Contents shares certificate bytes")
	}
	if bytes.Equal(textImage("山田"), textImage("田山")) {
		t.Error("text images do not depend on the text")
	}
}

func TestFacePhotoDecodes(t *testing.T) {
	if _, err := exec.LookPath("opj_decompress"); err != nil {
		t.Skip("opj_decompress not installed (Debian libopenjp2-tools)")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "face.jp2"), filepath.Join(dir, "face.pgm")
	if err := os.WriteFile(in, FacePhoto(), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("opj_decompress", "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("opj_decompress: %v\n%s", err, b)
	}
	pgm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pgm, []byte("P5\n")) || !bytes.Contains(pgm[:min(len(pgm), 64)], []byte("\n90 110\n255\n")) {
		t.Errorf("decoded photo header %q, want a 90x110 greyscale PGM", pgm[:min(len(pgm), 64)])
	}
}

// TestOpenSSLParses runs `openssl x509 -text` on every certificate of the
// default PKI and of an OCTET STRING holder.
func TestOpenSSLParses(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	p := Default()
	octet, err := p.Issue(HolderSpec{OctetStringSAN: true, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	certs := map[string][]byte{
		"sign": DefaultHolder().SignCert.Raw, "auth": DefaultHolder().AuthCert.Raw, "sign-octet": octet.SignCert.Raw,
	}
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for i, r := range p.Roots(kind) {
			certs[fmt.Sprintf("root-%s-%d", kind, i+1)] = r.Raw
		}
	}
	dir := t.TempDir()
	for name, der := range certs {
		f := filepath.Join(dir, name+".der")
		if err := os.WriteFile(f, der, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", f, "-text", "-noout").CombinedOutput()
		if err != nil {
			t.Errorf("%s: openssl: %v\n%s", name, err, out)
			continue
		}
		if strings.HasPrefix(name, "sign") && !bytes.Contains(out, []byte("1.2.392.200149.8.5.5.1")) {
			t.Errorf("%s: openssl shows no JPKI otherName:\n%s", name, out)
		}
		if !strings.HasPrefix(name, "root") && !bytes.Contains(out, []byte("DirName:")) {
			t.Errorf("%s: openssl shows no directoryName CRL distribution point", name)
		}
	}
}

// TestOpenSSLVerifies runs `openssl verify -x509_strict` on the default
// holder's certificates against their roots at ReferenceTime.
func TestOpenSSLVerifies(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	h := DefaultHolder()
	dir := t.TempDir()
	write := func(name string, der []byte) string {
		f := filepath.Join(dir, name)
		p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if err := os.WriteFile(f, p, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	at := fmt.Sprint(ReferenceTime().Unix())
	for name, pair := range map[string][2][]byte{
		"sign": {h.SignCert.Raw, h.SignCA.Raw}, "auth": {h.AuthCert.Raw, h.AuthCA.Raw},
	} {
		leaf, ca := write(name+".pem", pair[0]), write(name+"-ca.pem", pair[1])
		out, err := exec.Command("openssl", "verify", "-x509_strict", "-attime", at, "-CAfile", ca, leaf).CombinedOutput()
		if err != nil {
			t.Errorf("%s: openssl verify: %v\n%s", name, err, out)
		}
	}
}

// TestGolden pins the default PKI's bytes: any change to the derivation or
// the profile changes these hashes, and must be deliberate (colleagues'
// golden files depend on them). Regenerate with -run TestGolden -v.
func TestGolden(t *testing.T) {
	h := DefaultHolder()
	got := fmt.Sprintf("sign %x\nauth %x\n", sha256.Sum256(h.SignCert.Raw), sha256.Sum256(h.AuthCert.Raw))
	t.Logf("\n%s", got)
	want, err := os.ReadFile(filepath.Join("testdata", "default-holder.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("default holder changed:\n got %s\nwant %s", got, want)
	}
}
