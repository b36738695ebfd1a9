package jpkitest

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

// decodeSAN is a small decoder independent of marshalSAN (it uses
// encoding/asn1, not cryptobyte): it returns the otherName values of a
// certificate's subjectAltName by OID string, and the universal tag each
// value had.
func decodeSAN(t *testing.T, c *x509.Certificate) (map[string]string, map[string]int) {
	t.Helper()
	var ext []byte
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) {
			if e.Critical {
				t.Error("subjectAltName is critical")
			}
			ext = e.Value
		}
	}
	if ext == nil {
		t.Fatal("no subjectAltName")
	}
	var names []asn1.RawValue
	if rest, err := asn1.Unmarshal(ext, &names); err != nil || len(rest) != 0 {
		t.Fatalf("GeneralNames: %v", err)
	}
	values, tags := map[string]string{}, map[string]int{}
	for _, n := range names {
		if n.Class != asn1.ClassContextSpecific || n.Tag != 0 || !n.IsCompound {
			t.Fatalf("GeneralName is not otherName: class %d tag %d", n.Class, n.Tag)
		}
		var oid asn1.ObjectIdentifier
		rest, err := asn1.Unmarshal(n.Bytes, &oid)
		if err != nil {
			t.Fatalf("otherName type-id: %v", err)
		}
		var wrapper, value asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &wrapper); err != nil || len(rest) != 0 {
			t.Fatalf("otherName value: %v", err)
		}
		if wrapper.Class != asn1.ClassContextSpecific || wrapper.Tag != 0 || !wrapper.IsCompound {
			t.Fatalf("otherName value is not [0] EXPLICIT")
		}
		if rest, err = asn1.Unmarshal(wrapper.Bytes, &value); err != nil || len(rest) != 0 {
			t.Fatalf("otherName inner value: %v", err)
		}
		values[oid.String()] = string(value.Bytes)
		tags[oid.String()] = value.Tag
	}
	return values, tags
}

func TestSANOtherNames(t *testing.T) {
	spec := HolderSpec{
		Name:               "髙橋　花子",
		NameSubstitutes:    []int{0},
		Address:            "大阪府大阪市北区試験町4-5-6",
		AddressSubstitutes: []int{2, 9},
		BirthDate:          time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC),
		Sex:                card.SexFemale,
		Prefecture:         "Osaka-fu",
		City:               "Osaka-shi Kita-ku",
		Generation:         2,
	}
	for _, tc := range []struct {
		octet   bool
		wantTag int
	}{{false, asn1.TagUTF8String}, {true, asn1.TagOctetString}} {
		spec.OctetStringSAN = tc.octet
		h, err := Default().Issue(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, tags := decodeSAN(t, h.SignCert)
		want := map[string]string{
			"1.2.392.200149.8.5.5.1": "髙橋　花子",
			"1.2.392.200149.8.5.5.2": "10000",
			"1.2.392.200149.8.5.5.3": "2",
			"1.2.392.200149.8.5.5.4": "520190501",
			"1.2.392.200149.8.5.5.5": "大阪府大阪市北区試験町４-５-６", // ASCII hyphens stay
			"1.2.392.200149.8.5.5.6": "0010000001000000",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("octet=%v: otherNames\n got %v\nwant %v", tc.octet, got, want)
		}
		for oid, tag := range tags {
			if tag != tc.wantTag {
				t.Errorf("octet=%v: %s has tag %d, want %d", tc.octet, oid, tag, tc.wantTag)
			}
		}
		if h.Spec.Address != want["1.2.392.200149.8.5.5.5"] {
			t.Errorf("Spec.Address = %q", h.Spec.Address)
		}
	}
}

func TestBirthDateEra(t *testing.T) {
	for _, tc := range []struct {
		birth time.Time
		era   card.Era
		want  string
	}{
		{time.Date(1926, 12, 24, 0, 0, 0, 0, time.UTC), 0, "219261224"},
		{time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC), 0, "319261225"},
		{time.Date(1989, 1, 7, 0, 0, 0, 0, time.UTC), 0, "319890107"},
		{time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC), 0, "419890108"},
		{time.Date(2019, 4, 30, 0, 0, 0, 0, time.UTC), 0, "420190430"},
		{time.Date(1950, 2, 3, 0, 0, 0, 0, time.UTC), EraUnknownSpec, "019500203"},
	} {
		h, err := Default().Issue(HolderSpec{BirthDate: tc.birth, Era: tc.era, NotBefore: DefaultIssueTime()})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := decodeSAN(t, h.SignCert)
		if got["1.2.392.200149.8.5.5.4"] != tc.want {
			t.Errorf("birth %s era %d: %q, want %q", tc.birth.Format(time.DateOnly), tc.era, got["1.2.392.200149.8.5.5.4"], tc.want)
		}
	}
}

func TestJapaneseDateYYMMDD(t *testing.T) {
	for _, tc := range []struct {
		d    time.Time
		want string
	}{
		{time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), "600401"},
		{time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC), "010108"},
		{time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), "010501"},
		{time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC), "021231"},
		{time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC), "011225"},
	} {
		got, err := JapaneseDateYYMMDD(tc.d)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.d.Format(time.DateOnly), got, err, tc.want)
		}
	}
}

func TestIssueRejects(t *testing.T) {
	for name, spec := range map[string]HolderSpec{
		"bad check digit":     {Number: "123456789019"},
		"short number":        {Number: "12345"},
		"sex":                 {Sex: 4},
		"era":                 {Era: 6},
		"generation":          {Generation: ECDSAGeneration + 1},
		"auth PIN":            {AuthPIN: "12345"},
		"sign PIN":            {SignPIN: "ABC"},
		"sign PIN chars":      {SignPIN: "ABC-123"},
		"substitute position": {NameSubstitutes: []int{5}},
		"before root":         {Generation: 3, NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		"after root":          {Generation: 1, NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		"security code":       {SecurityCode: "12a4"},
	} {
		if _, err := Default().Issue(spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSpecDefaults(t *testing.T) {
	h, err := Default().Issue(HolderSpec{SignPIN: "abc123", Number: "123456789018"})
	if err != nil {
		t.Fatal(err)
	}
	s := h.Spec
	if s.SignPIN != "ABC123" {
		t.Errorf("SignPIN not upper-cased: %q", s.SignPIN)
	}
	if s.Era != card.EraShowa || s.Generation != LatestGeneration || s.Sex != card.SexMale {
		t.Errorf("defaults: era %d generation %d sex %d", s.Era, s.Generation, s.Sex)
	}
	// Issued 2024-04-01 (birthday the same day does not count): 5th
	// birthday after is 2029-04-01, the card's 10th 2034-04-01.
	if got := s.NotAfter.In(card.JST).Format(time.DateTime); got != "2029-04-01 23:59:59" {
		t.Errorf("NotAfter %s", got)
	}
	if got := s.CardExpiry.In(card.JST).Format(time.DateOnly); got != "2034-04-01" {
		t.Errorf("CardExpiry %s", got)
	}
	g1, err := Default().Issue(HolderSpec{Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if root, _ := Default().Root(card.SignKey, 1); !g1.SignCert.NotAfter.Equal(root.NotAfter) {
		t.Errorf("generation 1 NotAfter %s not cut to the root's %s", g1.SignCert.NotAfter, root.NotAfter)
	}
}
