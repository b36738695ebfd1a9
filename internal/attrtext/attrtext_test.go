package attrtext

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

const (
	testName    = "山田\u3000太郎"        // 5 characters
	testAddress = "東京都千代田区霞が関２丁目１番２号" // 17 characters
)

// validRows are every shape of row text the store's writers have
// written, in the table each is written in.
var validRows = []struct {
	codes SexCodes
	row   Row
}{
	{CertificateCodes, Row{}},
	{CertificateCodes, Row{Name: testName, Address: testAddress, BirthDate: "19850401", BirthEra: 3, Sex: "1"}},
	{CertificateCodes, Row{Name: testName, NameSubstitute: "01000", Address: testAddress,
		AddressSubstitute: "00000000000000001", BirthDate: "19890108", BirthEra: 4, Sex: "2"}},
	{CertificateCodes, Row{Name: testName, NameSubstitute: "00000", Address: testAddress,
		AddressSubstitute: strings.Repeat("0", 17), BirthDate: "19800401", BirthEra: 3, Sex: "3"}},
	{CertificateCodes, Row{Name: testName, NameSubstitute: "11111", Sex: "0"}},
	{CertificateCodes, Row{Sex: "0"}},
	{CertificateCodes, Row{Name: "偽　名", BirthDate: "19120730", BirthEra: 1, Sex: "1"}},
	{CertificateCodes, Row{BirthDate: "20190501", BirthEra: 5, Sex: "2"}},
	{CertificateCodes, Row{BirthDate: "19261225", BirthEra: 2, Sex: "2"}},
	{ISO5218Codes, Row{}},
	{ISO5218Codes, Row{BirthDate: "20000229", BirthEra: 4, Sex: "9"}},
	{ISO5218Codes, Row{Name: testName, Address: testAddress, BirthDate: "19850401", BirthEra: 3, Sex: "1"}},
	{ISO5218Codes, Row{BirthDate: "19850401", Sex: "0"}},
	{ISO5218Codes, Row{BirthDate: "19850401", BirthEra: 3, Sex: "2"}},
}

// TestRoundTrip: every valid row decodes, and encodes back to the same
// text byte for byte.
func TestRoundTrip(t *testing.T) {
	for _, tc := range validRows {
		a, err := Decode(tc.row, tc.codes)
		if err != nil {
			t.Errorf("Decode(%+v, %d) = %v", tc.row, tc.codes, err)
			continue
		}
		if (a == nil) != (tc.row == Row{}) {
			t.Errorf("Decode(%+v) = %+v", tc.row, a)
		}
		got, err := Encode(a, tc.codes)
		if err != nil || got != tc.row {
			t.Errorf("Encode(Decode(%+v)) = %+v, %v", tc.row, got, err)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	a, err := Decode(Row{Name: testName, NameSubstitute: "01001", Address: testAddress, AddressSubstitute: strings.Repeat("0", 17),
		BirthDate: "19890108", BirthEra: 4, Sex: "3"}, CertificateCodes)
	want := &card.Attributes{Name: testName, NameSubstitutes: []int{1, 4}, Address: testAddress, AddressSubstitutes: []int{},
		BirthDate: time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC), BirthEra: card.EraHeisei, Sex: card.SexNotApplicable}
	if err != nil || !reflect.DeepEqual(a, want) {
		t.Errorf("Decode = %+v, %v\nwant %+v", a, err, want)
	}
	a, err = Decode(Row{BirthDate: "19850401", BirthEra: 3, Sex: "9"}, ISO5218Codes)
	if err != nil || a.Sex != card.SexNotApplicable || a.NameSubstitutes != nil {
		t.Errorf("Decode of a card face = %+v, %v", a, err)
	}
}

// TestDecodeRefuses: a row no writer writes is an error, never another
// value.
func TestDecodeRefuses(t *testing.T) {
	ok := Row{Name: testName, Address: testAddress, BirthDate: "19850401", BirthEra: 3, Sex: "1"}
	for name, tc := range map[string]struct {
		codes SexCodes
		edit  func(r *Row)
	}{
		"flags short":            {CertificateCodes, func(r *Row) { r.NameSubstitute = "0000" }},
		"flags long":             {CertificateCodes, func(r *Row) { r.NameSubstitute = "000000" }},
		"address flags short":    {CertificateCodes, func(r *Row) { r.AddressSubstitute = strings.Repeat("0", 16) }},
		"flag not 0 or 1":        {CertificateCodes, func(r *Row) { r.NameSubstitute = "00200" }},
		"flags for no text":      {CertificateCodes, func(r *Row) { r.Name, r.NameSubstitute = "", "0" }},
		"flag multibyte":         {CertificateCodes, func(r *Row) { r.NameSubstitute = "０0000" }},
		"ISO code in cert table": {CertificateCodes, func(r *Row) { r.Sex = "9" }},
		"cert code in ISO table": {ISO5218Codes, func(r *Row) { r.Sex = "3" }},
		"sex empty":              {CertificateCodes, func(r *Row) { r.Sex = "" }},
		"sex word":               {CertificateCodes, func(r *Row) { r.Sex = "male" }},
		"sex two digits":         {ISO5218Codes, func(r *Row) { r.Sex = "01" }},
		"no such day":            {CertificateCodes, func(r *Row) { r.BirthDate = "19850230" }},
		"date with dashes":       {CertificateCodes, func(r *Row) { r.BirthDate = "1985-04-01" }},
		"date short":             {CertificateCodes, func(r *Row) { r.BirthDate = "1985041" }},
		"date with era":          {CertificateCodes, func(r *Row) { r.BirthDate = "319850401" }},
		"zero date":              {CertificateCodes, func(r *Row) { r.BirthDate = "00010101" }},
		"era 6":                  {CertificateCodes, func(r *Row) { r.BirthEra = 6 }},
		"era negative":           {CertificateCodes, func(r *Row) { r.BirthEra = -1 }},
		"only a name, empty sex": {CertificateCodes, func(r *Row) { *r = Row{Name: testName} }},
		"only an era, empty sex": {ISO5218Codes, func(r *Row) { *r = Row{BirthEra: 3} }},
	} {
		r := ok
		tc.edit(&r)
		if a, err := Decode(r, tc.codes); err == nil || !errors.Is(err, ErrText) {
			t.Errorf("%s: Decode(%+v) = %+v, %v; want ErrText", name, r, a, err)
		}
	}
}

// TestEncodeRefuses: attributes the columns cannot hold are an error.
func TestEncodeRefuses(t *testing.T) {
	base := card.Attributes{Name: testName, Address: testAddress, BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC),
		BirthEra: card.EraShowa, Sex: card.SexMale}
	for name, tc := range map[string]struct {
		codes SexCodes
		edit  func(a *card.Attributes)
	}{
		"position past the text":  {CertificateCodes, func(a *card.Attributes) { a.NameSubstitutes = []int{5} }},
		"negative position":       {CertificateCodes, func(a *card.Attributes) { a.AddressSubstitutes = []int{-1} }},
		"positions out of order":  {CertificateCodes, func(a *card.Attributes) { a.NameSubstitutes = []int{3, 1} }},
		"repeated position":       {CertificateCodes, func(a *card.Attributes) { a.NameSubstitutes = []int{1, 1} }},
		"era":                     {CertificateCodes, func(a *card.Attributes) { a.BirthEra = 9 }},
		"sex without a code":      {ISO5218Codes, func(a *card.Attributes) { a.Sex = card.Sex(3) }},
		"sex without a cert code": {CertificateCodes, func(a *card.Attributes) { a.Sex = card.Sex(7) }},
		"zero date's day":         {CertificateCodes, func(a *card.Attributes) { a.BirthDate = time.Date(1, 1, 1, 9, 0, 0, 0, time.UTC) }},
		"five-digit year":         {CertificateCodes, func(a *card.Attributes) { a.BirthDate = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		a := base
		tc.edit(&a)
		if r, err := Encode(&a, tc.codes); !errors.Is(err, ErrText) {
			t.Errorf("%s: Encode = %+v, %v; want ErrText", name, r, err)
		}
	}
	// The sex codes of the two tables.
	for _, tc := range []struct {
		s             card.Sex
		cert, iso5218 string
	}{{card.SexNotKnown, "0", "0"}, {card.SexMale, "1", "1"}, {card.SexFemale, "2", "2"}, {card.SexNotApplicable, "3", "9"}} {
		a := base
		a.Sex = tc.s
		c, err1 := Encode(&a, CertificateCodes)
		i, err2 := Encode(&a, ISO5218Codes)
		if err1 != nil || err2 != nil || c.Sex != tc.cert || i.Sex != tc.iso5218 {
			t.Errorf("%v: %q %q, %v %v", tc.s, c.Sex, i.Sex, err1, err2)
		}
	}
	if r, err := Encode(nil, ISO5218Codes); err != nil || r != (Row{}) {
		t.Errorf("Encode(nil) = %+v, %v", r, err)
	}
}

func TestCodesFor(t *testing.T) {
	if CodesFor(card.SignKey) != CertificateCodes || CodesFor(card.AuthKey) != ISO5218Codes {
		t.Error("CodesFor")
	}
}

// FuzzRoundTrip: whatever row Decode accepts encodes back to itself.
func FuzzRoundTrip(f *testing.F) {
	for _, tc := range validRows {
		r := tc.row
		f.Add(r.Name, r.NameSubstitute, r.Address, r.AddressSubstitute, r.BirthDate, r.BirthEra, r.Sex, tc.codes == ISO5218Codes)
	}
	f.Fuzz(func(t *testing.T, name, nameSub, address, addressSub, birth string, era int, sex string, iso bool) {
		codes := CertificateCodes
		if iso {
			codes = ISO5218Codes
		}
		r := Row{name, nameSub, address, addressSub, birth, era, sex}
		a, err := Decode(r, codes)
		if err != nil {
			return
		}
		got, err := Encode(a, codes)
		if err != nil || got != r {
			t.Fatalf("Encode(Decode(%+v)) = %+v, %v", r, got, err)
		}
	})
}
