package jpki

import (
	"encoding/asn1"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// otherName is one GeneralName for the test SAN builder.
type otherName struct {
	oid asn1.ObjectIdentifier
	tag cbasn1.Tag // value tag: UTF8String or OCTET_STRING
	val string
}

// buildSAN encodes GeneralNames: the otherNames given, plus a dNSName
// first when withDNS is set (a form ParseAttributes must skip).
func buildSAN(t testing.TB, names []otherName, withDNS bool) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if withDNS {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte("example.jp")) })
		}
		for _, n := range names {
			b.AddASN1(cbasn1.Tag(generalNameOtherName).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(n.oid)
				b.AddASN1(cbasn1.Tag(otherNameValue).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1(n.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(n.val)) })
				})
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// marshalAttributes is the inverse of ParseAttributes for tests: UTF8String
// values, substitute flags as long as the text.
func marshalAttributes(t testing.TB, a *card.Attributes) []byte {
	flags := func(text string, pos []int) string {
		f := []byte(strings.Repeat("0", len([]rune(text))))
		for _, p := range pos {
			f[p] = flagSubstitute
		}
		return string(f)
	}
	u := cbasn1.UTF8String
	names := []otherName{
		{jpkioid.Name, u, a.Name},
		{jpkioid.NameSubstitutes, u, flags(a.Name, a.NameSubstitutes)},
		{jpkioid.Sex, u, strconv.Itoa(a.Sex.CertificateCode())},
		{jpkioid.BirthDate, u, strconv.Itoa(int(a.BirthEra)) + a.BirthDate.Format("20060102")},
		{jpkioid.Address, u, a.Address},
		{jpkioid.AddressSubstitutes, u, flags(a.Address, a.AddressSubstitutes)},
	}
	return buildSAN(t, names, false)
}

func holderNames(tag cbasn1.Tag) []otherName {
	return []otherName{
		{jpkioid.Name, tag, "個人番号\u3000花子"},
		{jpkioid.NameSubstitutes, tag, "000100"},
		{jpkioid.Sex, tag, "2"},
		{jpkioid.BirthDate, tag, "419890108"},
		{jpkioid.Address, tag, "東京都千代田区永田町１丁目７番１号"},
		{jpkioid.AddressSubstitutes, tag, strings.Repeat("0", 17)},
	}
}

func TestParseAttributes(t *testing.T) {
	want := &card.Attributes{
		Name:            "個人番号\u3000花子",
		NameSubstitutes: []int{3},
		Sex:             card.SexFemale,
		BirthDate:       day(1989, 1, 8),
		BirthEra:        card.EraHeisei,
		Address:         "東京都千代田区永田町１丁目７番１号",
	}
	for _, tc := range []struct {
		name    string
		tag     cbasn1.Tag
		withDNS bool
	}{
		{"utf8", cbasn1.UTF8String, false},
		{"octet", cbasn1.OCTET_STRING, false},
		{"with dNSName", cbasn1.UTF8String, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAttributes(buildSAN(t, holderNames(tc.tag), tc.withDNS))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
			if got.FamilyName() != "個人番号" || got.GivenName() != "花子" {
				t.Errorf("family %q given %q", got.FamilyName(), got.GivenName())
			}
			if s := got.FormatBirthDate(); s != "平成元年1月8日" {
				t.Errorf("FormatBirthDate = %q", s)
			}
		})
	}
}

func TestParseAttributesEraUnknownNotGuessed(t *testing.T) {
	a, err := ParseAttributes(buildSAN(t, []otherName{{jpkioid.BirthDate, cbasn1.UTF8String, "019700101"}}, false))
	if err != nil {
		t.Fatal(err)
	}
	if a.BirthEra != card.EraUnknown || !a.BirthDate.Equal(day(1970, 1, 1)) {
		t.Errorf("era %v date %v", a.BirthEra, a.BirthDate)
	}
	if s := a.FormatBirthDate(); s != "1970年1月1日" {
		t.Errorf("FormatBirthDate = %q", s)
	}
}

func TestParseAttributesNone(t *testing.T) {
	a, err := ParseAttributes(buildSAN(t, []otherName{{asn1.ObjectIdentifier{1, 2, 3}, cbasn1.UTF8String, "x"}}, true))
	if err != nil || a != nil {
		t.Errorf("got %+v, %v; want nil, nil", a, err)
	}
}

func TestParseAttributesMalformed(t *testing.T) {
	u := cbasn1.UTF8String
	one := func(oid asn1.ObjectIdentifier, v string) []byte {
		return buildSAN(t, []otherName{{jpkioid.Name, u, "山田\u3000太郎"}, {oid, u, v}}, false)
	}
	valid := buildSAN(t, holderNames(u), false)
	tests := []struct {
		name string
		san  []byte
	}{
		{"empty", nil},
		{"not a sequence", []byte{0x04, 0x00}},
		{"trailing bytes", append(append([]byte(nil), valid...), 0)},
		{"truncated", valid[:len(valid)-3]},
		{"sex 9", one(jpkioid.Sex, "9")},
		{"sex empty", one(jpkioid.Sex, "")},
		{"birth short", one(jpkioid.BirthDate, "41989010")},
		{"birth letters", one(jpkioid.BirthDate, "4198901A8")},
		{"birth no such day", one(jpkioid.BirthDate, "419890230")},
		{"birth era 6", one(jpkioid.BirthDate, "619890108")},
		{"birth outside era", one(jpkioid.BirthDate, "419890107")},
		{"substitute flag 2", one(jpkioid.NameSubstitutes, "00200")},
		{"substitute beyond text", one(jpkioid.NameSubstitutes, "0000001")},
		{"duplicate", buildSAN(t, []otherName{{jpkioid.Sex, u, "1"}, {jpkioid.Sex, u, "1"}}, false)},
		{"wrong value type", buildSAN(t, []otherName{{jpkioid.Name, cbasn1.PrintableString, "x"}}, false)},
		{"not utf8", buildSAN(t, []otherName{{jpkioid.Name, cbasn1.OCTET_STRING, "\xff\xfe"}}, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAttributes(tt.san)
			if !errors.Is(err, ErrMalformedAttributes) {
				t.Fatalf("got %+v, %v; want ErrMalformedAttributes", a, err)
			}
		})
	}
}

// FuzzParseAttributes parses arbitrary subjectAltName bytes; whatever
// parses must survive re-encoding and parse to the same attributes.
func FuzzParseAttributes(f *testing.F) {
	f.Add(buildSAN(f, holderNames(cbasn1.UTF8String), false))
	f.Add(buildSAN(f, holderNames(cbasn1.OCTET_STRING), true))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, san []byte) {
		a, err := ParseAttributes(san)
		if err != nil {
			if !errors.Is(err, ErrMalformedAttributes) {
				t.Fatalf("error %v does not wrap ErrMalformedAttributes", err)
			}
			return
		}
		if a == nil || a.Sex == 0 || a.BirthDate.IsZero() {
			return // the round trip below needs every field
		}
		b, err := ParseAttributes(marshalAttributes(t, a))
		if err != nil {
			t.Fatalf("re-parsing %+v: %v", a, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}
