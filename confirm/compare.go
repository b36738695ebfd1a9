package confirm

import (
	"strconv"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jptext"
)

// Names of the text comparison types of internal/jptext, so that users
// of confirm can name what FieldComparison and FieldChange hold.
type (
	// TextDifference is one differing stretch of two names or addresses.
	TextDifference = jptext.Difference
	// TextPosition is a pair of rune indexes into the two texts.
	TextPosition = jptext.Position
	// TextDifferenceKind says what a TextDifference looks like.
	TextDifferenceKind = jptext.Kind
)

// FieldStatus is how one attribute compares.
type FieldStatus string

// Field statuses. A field with substitute characters (代替文字) is never
// FieldSame.
const (
	// FieldSame: equal (names and addresses after folding only full-width
	// vs half-width digits and Latin letters, and U+3000 vs U+0020).
	FieldSame FieldStatus = "same"
	// FieldDiffers: a difference the clerk must look at.
	FieldDiffers FieldStatus = "differs"
	// FieldCheckCardFace: a substitute character makes the text uncertain
	// and nothing else differs (any difference is at a substitute
	// character): compare with the card face.
	FieldCheckCardFace FieldStatus = "check_card_face"
)

// FieldName names a holder attribute in FieldComparison.Field and
// FieldChange.Field.
type FieldName string

// Attribute field names.
const (
	AttrName              FieldName = "name"
	AttrNameSubstitute    FieldName = "name_substitute"
	AttrAddress           FieldName = "address"
	AttrAddressSubstitute FieldName = "address_substitute"
	AttrBirthDate         FieldName = "birth_date"
	AttrBirthEra          FieldName = "birth_era"
	AttrSex               FieldName = "sex"
)

// FieldComparison is one attribute compared between two sources, A and B
// (what they are is said by the function that compares).
type FieldComparison struct {
	Field  FieldName   `json:"field"`
	A      string      `json:"a"`
	B      string      `json:"b"`
	Status FieldStatus `json:"status"`
	// NeedsVisualCheck: A or B has a substitute character.
	NeedsVisualCheck bool `json:"needs_visual_check,omitempty"`
	// Differences lists, for a name or address, every difference left
	// after the safe folds, with its rune positions in A and B.
	Differences []TextDifference `json:"differences,omitempty"`
	// Uncertain lists the substitute positions, aligned across A and B.
	Uncertain []TextPosition `json:"uncertain,omitempty"`
	// Detail explains a non-text comparison (sex codes of two schemes).
	Detail string `json:"detail,omitempty"`
}

// AttributeComparison compares the four basic details (基本4情報) of two
// sources field by field.
type AttributeComparison struct {
	// Equal: every field is FieldSame.
	Equal bool `json:"equal"`
	// NeedsVisualCheck: some field is uncertain because of a substitute
	// character: compare with the card face.
	NeedsVisualCheck bool `json:"needs_visual_check"`
	// Fields in a fixed order: name, address, birth_date, then birth_era
	// (old vs new only), sex.
	Fields []FieldComparison `json:"fields"`
}

// Field returns the comparison of the named field (AttrXxx).
func (c AttributeComparison) Field(name FieldName) (FieldComparison, bool) {
	for _, f := range c.Fields {
		if f.Field == name {
			return f, true
		}
	}
	return FieldComparison{}, false
}

func (c *AttributeComparison) add(f FieldComparison) {
	c.Fields = append(c.Fields, f)
	c.NeedsVisualCheck = c.NeedsVisualCheck || f.NeedsVisualCheck
	c.Equal = true
	for _, f := range c.Fields {
		c.Equal = c.Equal && f.Status == FieldSame
	}
}

// compareText compares two names or two addresses with internal/jptext.
func compareText(field FieldName, a, b string, aSubst, bSubst []int) FieldComparison {
	r := jptext.Compare(a, b, aSubst, bSubst)
	f := FieldComparison{
		Field: field, A: a, B: b, NeedsVisualCheck: r.NeedsVisualCheck,
		Differences: r.Differences, Uncertain: r.Uncertain,
	}
	f.Status = textStatus(r.Equal, r.NeedsVisualCheck, r.Differences)
	return f
}

// textStatus: FieldCheckCardFace when a substitute character makes the
// text uncertain and every difference, if any, touches a substitute (the
// registered characters may be the same); FieldDiffers when any other
// difference remains.
func textStatus(equal, visual bool, ds []TextDifference) FieldStatus {
	if equal {
		return FieldSame
	}
	for _, d := range ds {
		if !d.Substitute {
			return FieldDiffers
		}
	}
	if visual {
		return FieldCheckCardFace
	}
	return FieldDiffers
}

// compareExact compares values that must match exactly.
func compareExact(field FieldName, a, b string) FieldComparison {
	f := FieldComparison{Field: field, A: a, B: b, Status: FieldSame}
	if a != b {
		f.Status = FieldDiffers
	}
	return f
}

// CompareAttributes compares a holder's old attributes (A) with new ones
// (B), as in a registration change: names and addresses with the safe
// folds only (internal/jptext), birth date, birth era code and sex code
// exactly. A nil side compares as empty.
func CompareAttributes(old, new *card.Attributes) AttributeComparison {
	if old == nil {
		old = &card.Attributes{}
	}
	if new == nil {
		new = &card.Attributes{}
	}
	var c AttributeComparison
	c.add(compareText(AttrName, old.Name, new.Name, old.NameSubstitutes, new.NameSubstitutes))
	c.add(compareText(AttrAddress, old.Address, new.Address, old.AddressSubstitutes, new.AddressSubstitutes))
	c.add(compareExact(AttrBirthDate, jsonDate(old.BirthDate), jsonDate(new.BirthDate)))
	c.add(compareExact(AttrBirthEra, strconv.Itoa(int(old.BirthEra)), strconv.Itoa(int(new.BirthEra))))
	c.add(compareExact(AttrSex, strconv.Itoa(old.Sex.CertificateCode()), strconv.Itoa(new.Sex.CertificateCode())))
	return c
}

// CompareWithText compares a signing certificate's attributes (A) with
// the text application's basic four (B, card.TextApp.ReadBasic or
// ReadText): name and address with the safe folds only (the text
// application writes the address with full-width digits, a certificate
// may not), the birth date exactly, and the sex through the mapping of
// the certificate's codes to ISO/IEC 5218 (card.SexFromCertificateCode).
// The text application has no substitute flags: a certificate substitute
// makes the field FieldCheckCardFace at best. A nil certAttrs (an
// authentication certificate) differs in every field.
func CompareWithText(certAttrs *card.Attributes, basic card.Attributes) AttributeComparison {
	a := certAttrs
	if a == nil {
		a = &card.Attributes{}
	}
	var c AttributeComparison
	c.add(compareText(AttrName, a.Name, basic.Name, a.NameSubstitutes, basic.NameSubstitutes))
	c.add(compareText(AttrAddress, a.Address, basic.Address, a.AddressSubstitutes, basic.AddressSubstitutes))
	c.add(compareExact(AttrBirthDate, jsonDate(a.BirthDate), jsonDate(basic.BirthDate)))
	c.add(compareSex(a.Sex, basic.Sex))
	return c
}

// jsonDate writes a date as the JSON view does, YYYY-MM-DD, or "" for
// none.
func jsonDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// compareSex compares the certificate's sex with the text's; a
// certificate without a sex entry matches nothing.
func compareSex(cert, text card.Sex) FieldComparison {
	f := FieldComparison{
		Field: AttrSex, A: cert.Word(), B: text.String(), Status: FieldDiffers,
		Detail: "certificate code " + strconv.Itoa(cert.CertificateCode()) + ", ISO/IEC 5218 code " + strconv.Itoa(text.ISO5218()),
	}
	if cert.CertificateCode() != 0 && cert == text {
		f.Status = FieldSame
	}
	return f
}
