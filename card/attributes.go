package card

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/internal/jptext"
)

// nameSeparator separates family and given name (U+3000, IDEOGRAPHIC
// SPACE), in the text application and in the signing certificate alike.
const nameSeparator = '\u3000'

// jsonDateLayout is the Gregorian date of the JSON view, YYYY-MM-DD.
const jsonDateLayout = "2006-01-02"

// Attributes are the holder's four basic facts (基本4情報): name, address,
// birth date and sex. Two places on the card hold them: the text
// application (TextApp.ReadBasic, ReadText, ParseBasicRecord), which has
// no substitute flags and no era, and the signing certificate's
// subjectAltName (jpki.ParseAttributes), which has both. Both produce this
// type; confirm shows it, store keeps it, operator seals it.
//
// Substitute positions are rune indexes from 0 into Name or Address, in
// increasing order. nil means the source flags no character; a list that
// is not nil but empty means the source gave flags, every one '0' (only
// the store keeps that difference, so that a stored row reads back as it
// was written).
//
// It marshals to JSON as confirm's verdicts show it (see
// [Attributes.MarshalJSON]).
type Attributes struct {
	// Name is the holder's name, family and given name separated by
	// U+3000.
	Name string
	// NameSubstitutes lists the positions of Name that are substitute
	// characters (代替文字): characters the registry holds that have no
	// code point and were replaced. Show them marked ([Attributes.MarkedName]);
	// they are not the registered character.
	NameSubstitutes []int
	// Address is the address from the prefecture on (the text application
	// writes its digits full-width).
	Address string
	// AddressSubstitutes lists the substitute-character positions of
	// Address, as NameSubstitutes does for Name.
	AddressSubstitutes []int
	// BirthDate is the Gregorian birth date at 00:00 UTC; zero when the
	// source has none.
	BirthDate time.Time
	// BirthEra is the era the registry records the birth date in (the
	// signing certificate's era code), or EraUnknown when the source does
	// not say: the text application never does. It is never guessed.
	BirthEra Era
	// Sex is the holder's sex: the text application writes its ISO/IEC
	// 5218 code, the certificate its own code ([Sex.CertificateCode]).
	Sex Sex
}

// FamilyName returns the part of Name before the first U+3000, or all of
// Name when it has none.
func (a *Attributes) FamilyName() string {
	for i, r := range a.Name {
		if r == nameSeparator {
			return a.Name[:i]
		}
	}
	return a.Name
}

// GivenName returns the part of Name after the first U+3000, or "".
func (a *Attributes) GivenName() string {
	for i, r := range a.Name {
		if r == nameSeparator {
			return a.Name[i+utf8.RuneLen(r):]
		}
	}
	return ""
}

// FormatBirthDate writes the birth date in its recorded era
// ("昭和64年1月7日"), or with its Gregorian year when the era is unknown.
func (a *Attributes) FormatBirthDate() string { return a.BirthEra.Format(a.BirthDate) }

// HasSubstitutes reports whether the name or the address holds a
// substitute character (代替文字): then neither may be presented as exact
// and the clerk compares with the card face. A nil a has none.
func (a *Attributes) HasSubstitutes() bool {
	return a != nil && (jptext.HasSubstitutes(a.Name, a.NameSubstitutes) || jptext.HasSubstitutes(a.Address, a.AddressSubstitutes))
}

// MarkedName returns Name with each substitute character wrapped in
// 〔 and 〕: "渡〔邉〕　花子" tells the clerk to compare the second
// character with the card face. It is Name when there is none, "" for a
// nil a.
func (a *Attributes) MarkedName() string {
	if a == nil {
		return ""
	}
	return jptext.SubstituteMarkers(a.Name, a.NameSubstitutes)
}

// MarkedAddress returns Address marked as MarkedName marks Name.
func (a *Attributes) MarkedAddress() string {
	if a == nil {
		return ""
	}
	return jptext.SubstituteMarkers(a.Address, a.AddressSubstitutes)
}

// attributesJSON is the JSON view of Attributes.
type attributesJSON struct {
	Name               string `json:"name"`
	NameSubstitutes    []int  `json:"name_substitutes,omitempty"`
	Address            string `json:"address"`
	AddressSubstitutes []int  `json:"address_substitutes,omitempty"`
	BirthDate          string `json:"birth_date"`
	BirthEra           int    `json:"birth_era"`
	BirthDateJapanese  string `json:"birth_date_japanese"`
	Sex                string `json:"sex"`
	SexCode            int    `json:"sex_code"`
	NeedsVisualCheck   bool   `json:"needs_visual_check,omitempty"`
}

// MarshalJSON writes the attributes with stable English keys: name,
// name_substitutes and address_substitutes (rune positions from 0, left
// out when empty), address, birth_date (YYYY-MM-DD, "" when none),
// birth_era (the era code: 1 明治 … 5 令和, 0 unknown),
// birth_date_japanese (the birth date in its recorded era, "昭和60年4月1日";
// "" when none), sex ("male", "female" or "unknown", from the certificate's
// codes 1, 2 and 3), sex_code (the certificate's code) and
// needs_visual_check (true when the name or address holds a substitute
// character; left out when false).
func (a Attributes) MarshalJSON() ([]byte, error) {
	out := attributesJSON{
		Name: a.Name, NameSubstitutes: a.NameSubstitutes,
		Address: a.Address, AddressSubstitutes: a.AddressSubstitutes,
		BirthEra: int(a.BirthEra), Sex: a.Sex.Word(), SexCode: a.Sex.CertificateCode(),
		NeedsVisualCheck: a.HasSubstitutes(),
	}
	if !a.BirthDate.IsZero() {
		out.BirthDate = a.BirthDate.Format(jsonDateLayout)
		out.BirthDateJapanese = a.FormatBirthDate()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes. The derived members
// (birth_date_japanese, sex, needs_visual_check) are not read: sex_code,
// birth_date and birth_era say everything. A birth date that is not
// YYYY-MM-DD, an era or sex code outside the tables, or substitute
// positions outside the text or out of order are an error.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	var in attributesJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	out := Attributes{Name: in.Name, NameSubstitutes: in.NameSubstitutes, Address: in.Address, AddressSubstitutes: in.AddressSubstitutes}
	if in.BirthDate != "" {
		d, err := time.Parse(jsonDateLayout, in.BirthDate)
		if err != nil {
			return fmt.Errorf("card: attributes: birth_date %q is not YYYY-MM-DD", in.BirthDate)
		}
		out.BirthDate = d
	}
	if out.BirthEra = Era(in.BirthEra); out.BirthEra != EraUnknown && !out.BirthEra.Valid() {
		return fmt.Errorf("card: attributes: birth_era %d is not an era code", in.BirthEra)
	}
	var ok bool
	if in.SexCode == 0 {
		out.Sex, ok = SexNotKnown, true
	} else {
		out.Sex, ok = SexFromCertificateCode(in.SexCode)
	}
	if !ok {
		return fmt.Errorf("card: attributes: sex_code %d is not 1, 2 or 3", in.SexCode)
	}
	for _, f := range [...]struct {
		what string
		text string
		pos  []int
	}{{"name_substitutes", out.Name, out.NameSubstitutes}, {"address_substitutes", out.Address, out.AddressSubstitutes}} {
		if err := jptext.CheckPositions(f.text, f.pos); err != nil {
			return fmt.Errorf("card: attributes: %s: %w", f.what, err)
		}
	}
	*a = out
	return nil
}
