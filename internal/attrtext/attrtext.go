// Package attrtext converts the holder's attributes (card.Attributes) to
// and from the text the store keeps in its seven attribute columns, which
// the operator's record hash and export file also cover. The text is the
// one each record kind has always written, so that stored rows and sealed
// chains stay valid:
//
//   - name and address as given;
//   - substitute flags: "" when the positions are nil, otherwise one '0'
//     or '1' per character of the text ('1' at each position); a
//     non-nil empty list is flags all '0';
//   - birth date YYYYMMDD (Gregorian), "" when there is none;
//   - birth era as its code, 0 to 5;
//   - sex as one digit in the code table of the record's key kind: the
//     signing certificate's code (0 none, 1 male, 2 female, 3 unknown)
//     for attributes of a signing certificate, ISO/IEC 5218 (0, 1, 2, 9)
//     for those read from the card face with the authentication key (chip
//     identification).
//
// No attributes (a nil *card.Attributes) is the empty row. Decode is the
// inverse of Encode on every row Encode can write: a row that Decode
// accepts encodes back to the same text, and a row it does not (flags of
// the wrong length or with other characters, an unknown sex digit, a
// birth date that is no date, an era outside 0 to 5, a sex column left
// empty beside other attributes) is an error, never silently changed.
package attrtext

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jptext"
)

// dateLayout is the birth date column, YYYYMMDD.
const dateLayout = "20060102"

// Substitute flag characters.
const (
	flagPlain      = '0'
	flagSubstitute = '1'
)

// Row is the stored text of one holder's attributes, column by column.
type Row struct {
	Name              string
	NameSubstitute    string
	Address           string
	AddressSubstitute string
	BirthDate         string
	BirthEra          int
	Sex               string
}

// SexCodes is the code table a row's sex column is written in.
type SexCodes int

const (
	// CertificateCodes are the signing certificate's: 1 male, 2 female,
	// 3 unknown, and 0 when the certificate has no sex entry.
	CertificateCodes SexCodes = iota
	// ISO5218Codes are the card face's and the text application's.
	ISO5218Codes
)

// CodesFor returns the table of attributes kept with a certificate of
// kind k: a signing certificate's attributes come from the certificate,
// any other record's (the chip identification's, with the authentication
// certificate) from the card face.
func CodesFor(k card.KeyKind) SexCodes {
	if k == card.SignKey {
		return CertificateCodes
	}
	return ISO5218Codes
}

// ErrText reports a row whose text does not convert. Errors from Encode
// and Decode wrap it.
var ErrText = errors.New("attributes text does not convert")

func fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrText, fmt.Sprintf(format, args...))
}

// Encode returns the row text of a in table t. It fills every column it
// can and returns the first error: substitute positions outside their
// text or out of order, a birth date whose year has not four digits, an
// era that is not a code, or a sex the table has no code for.
func Encode(a *card.Attributes, t SexCodes) (Row, error) {
	if a == nil {
		return Row{}, nil
	}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	r := Row{Name: a.Name, Address: a.Address, BirthEra: int(a.BirthEra)}
	var err error
	r.NameSubstitute, err = Flags(a.Name, a.NameSubstitutes)
	keep(err)
	r.AddressSubstitute, err = Flags(a.Address, a.AddressSubstitutes)
	keep(err)
	if !a.BirthDate.IsZero() {
		r.BirthDate = a.BirthDate.Format(dateLayout)
		if len(r.BirthDate) != len(dateLayout) || r.BirthDate == "00010101" {
			keep(fail("birth date %s has no four-digit year or is the zero date", a.BirthDate.Format(time.DateOnly)))
		}
	}
	if !validEra(r.BirthEra) {
		keep(fail("birth era %d is not an era code", r.BirthEra))
	}
	r.Sex, err = sexText(a.Sex, t)
	keep(err)
	if len(errs) > 0 {
		return r, errs[0]
	}
	return r, nil
}

// Decode returns the attributes of row r in table t: nil for the empty
// row, an error wrapping ErrText for a row Encode cannot have written.
func Decode(r Row, t SexCodes) (*card.Attributes, error) {
	if r == (Row{}) {
		return nil, nil
	}
	a := &card.Attributes{Name: r.Name, Address: r.Address, BirthEra: card.Era(r.BirthEra)}
	var err error
	if a.NameSubstitutes, err = Positions(r.Name, r.NameSubstitute); err != nil {
		return nil, fmt.Errorf("name substitute: %w", err)
	}
	if a.AddressSubstitutes, err = Positions(r.Address, r.AddressSubstitute); err != nil {
		return nil, fmt.Errorf("address substitute: %w", err)
	}
	if r.BirthDate != "" {
		d, perr := time.Parse(dateLayout, r.BirthDate)
		if perr != nil || d.Format(dateLayout) != r.BirthDate {
			return nil, fail("birth date %q is not YYYYMMDD", r.BirthDate)
		}
		if d.IsZero() { // 0001-01-01 is time.Time's zero: no birth date
			return nil, fail("birth date %q is the zero date", r.BirthDate)
		}
		a.BirthDate = d
	}
	if !validEra(r.BirthEra) {
		return nil, fail("birth era %d is not an era code", r.BirthEra)
	}
	if a.Sex, err = sexOf(r.Sex, t); err != nil {
		return nil, err
	}
	return a, nil
}

// Flags writes positions as substitute flags for text: "" for nil,
// otherwise one flag per character.
func Flags(text string, positions []int) (string, error) {
	if positions == nil {
		return "", nil
	}
	if err := jptext.CheckPositions(text, positions); err != nil {
		return "", fmt.Errorf("%w: %w", ErrText, err)
	}
	b := []byte(strings.Repeat(string(flagPlain), utf8.RuneCountInString(text)))
	for _, p := range positions {
		b[p] = flagSubstitute
	}
	return string(b), nil
}

// Positions reads substitute flags for text: nil for "", otherwise the
// positions flagged '1' (a non-nil empty list when none is). Flags must
// be one '0' or '1' per character.
func Positions(text, flags string) ([]int, error) {
	if flags == "" {
		return nil, nil
	}
	if n := utf8.RuneCountInString(text); len(flags) != n {
		return nil, fail("%d flags for %d characters", len(flags), n)
	}
	pos := []int{}
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case flagPlain:
		case flagSubstitute:
			pos = append(pos, i)
		default:
			return nil, fail("flag %q at %d is not 0 or 1", flags[i], i)
		}
	}
	return pos, nil
}

func validEra(e int) bool {
	return e == int(card.EraUnknown) || card.Era(e).Valid()
}

func sexText(s card.Sex, t SexCodes) (string, error) {
	switch {
	case s == card.SexNotKnown:
		return "0", nil
	case t == ISO5218Codes && (s == card.SexMale || s == card.SexFemale || s == card.SexNotApplicable):
		return strconv.Itoa(s.ISO5218()), nil
	case t == CertificateCodes && s.CertificateCode() != 0:
		return strconv.Itoa(s.CertificateCode()), nil
	}
	return "", fail("sex %v has no code in the table", s)
}

func sexOf(text string, t SexCodes) (card.Sex, error) {
	if len(text) == 1 {
		n := int(text[0]) - '0'
		if n == 0 {
			return card.SexNotKnown, nil
		}
		switch t {
		case CertificateCodes:
			if s, ok := card.SexFromCertificateCode(n); ok {
				return s, nil
			}
		case ISO5218Codes:
			if s := card.Sex(n); s == card.SexMale || s == card.SexFemale || s == card.SexNotApplicable {
				return s, nil
			}
		}
	}
	if t == CertificateCodes {
		return 0, fail("sex %q is not a certificate code (0, 1, 2 or 3)", text)
	}
	return 0, fail("sex %q is not an ISO/IEC 5218 code (0, 1, 2 or 9)", text)
}

// RecordError reports a stored record whose attribute text does not
// convert: no writer writes such a row, so it was changed after it was
// written. The store returns it (wrapped) from reads; the operator's
// verification reports the record as edited.
type RecordError struct {
	Seq int64
	Err error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("record %d: reading attributes: %v", e.Seq, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }
