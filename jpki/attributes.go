package jpki

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// GeneralName and OtherName tags (RFC 5280 §4.2.1.6):
// otherName [0] IMPLICIT OtherName, OtherName ::= SEQUENCE { type-id OID,
// value [0] EXPLICIT ANY }.
const (
	generalNameOtherName = 0
	otherNameValue       = 0
)

// Substitute-character flags (代替文字): one per character of the name or
// address.
const (
	flagNotSubstitute = '0'
	flagSubstitute    = '1'
)

// birthDateLen is the length of EYYYYMMDD.
const birthDateLen = 9

// ErrMalformedAttributes reports a subjectAltName whose JPKI entries
// cannot be parsed. Errors from ParseAttributes wrap it.
var ErrMalformedAttributes = errors.New("jpki: malformed subjectAltName attributes")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedAttributes, fmt.Sprintf(format, args...))
}

// ParseAttributes parses the value of a subjectAltName extension
// (2.5.29.17, RFC 5280 §4.2.1.6: GeneralNames) and returns the JPKI
// otherName entries: the holder's basic four of a signing certificate
// (authentication certificates carry none). The substitute flags
// ('0'/'1' per character) become the positions flagged '1', nil when
// none is; the birth date (EYYYYMMDD) becomes BirthDate at 00:00 UTC and
// BirthEra (EraUnknown when the certificate says 0, never guessed); the
// sex code becomes its card.Sex ([card.SexFromCertificateCode]). Values may be UTF8String or OCTET STRING holding UTF-8.
// Other GeneralName forms and otherNames outside the JPKI arc are skipped.
// It returns nil and no error when the extension holds no JPKI entry, and
// an error wrapping ErrMalformedAttributes when the DER, a value, or a
// repeated entry is wrong.
func ParseAttributes(san []byte) (*card.Attributes, error) {
	vals, err := parseOtherNames(san)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return nil, nil
	}
	a := new(card.Attributes)
	name, hasName := vals[oidKey(jpkioid.Name)]
	if hasName {
		a.Name = name
	}
	if v, ok := vals[oidKey(jpkioid.NameSubstitutes)]; ok {
		if a.NameSubstitutes, err = parseSubstitutes(v, a.Name); err != nil {
			return nil, fmt.Errorf("parsing name substitutes: %w", err)
		}
	}
	if v, ok := vals[oidKey(jpkioid.Sex)]; ok {
		if a.Sex, err = parseSex(v); err != nil {
			return nil, err
		}
	}
	if v, ok := vals[oidKey(jpkioid.BirthDate)]; ok {
		if a.BirthDate, a.BirthEra, err = parseBirthDate(v); err != nil {
			return nil, err
		}
	}
	if v, ok := vals[oidKey(jpkioid.Address)]; ok {
		a.Address = v
	}
	if v, ok := vals[oidKey(jpkioid.AddressSubstitutes)]; ok {
		if a.AddressSubstitutes, err = parseSubstitutes(v, a.Address); err != nil {
			return nil, fmt.Errorf("parsing address substitutes: %w", err)
		}
	}
	return a, nil
}

// jpkiAttributeOIDs are the otherName types ParseAttributes reads.
var jpkiAttributeOIDs = []asn1.ObjectIdentifier{
	jpkioid.Name, jpkioid.NameSubstitutes, jpkioid.Sex, jpkioid.BirthDate, jpkioid.Address, jpkioid.AddressSubstitutes,
}

func oidKey(o asn1.ObjectIdentifier) string { return o.String() }

// parseOtherNames walks GeneralNames and returns the UTF-8 value of every
// JPKI otherName, keyed by dotted OID.
func parseOtherNames(san []byte) (map[string]string, error) {
	in := cryptobyte.String(san)
	var names cryptobyte.String
	if !in.ReadASN1(&names, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, malformed("subjectAltName is not one DER SEQUENCE")
	}
	known := make(map[string]bool, len(jpkiAttributeOIDs))
	for _, o := range jpkiAttributeOIDs {
		known[oidKey(o)] = true
	}
	vals := make(map[string]string)
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return nil, malformed("truncated GeneralName")
		}
		if tag != cbasn1.Tag(generalNameOtherName).ContextSpecific().Constructed() {
			continue // another GeneralName form: not ours
		}
		var oid asn1.ObjectIdentifier
		var wrapped cryptobyte.String
		if !gn.ReadASN1ObjectIdentifier(&oid) {
			return nil, malformed("otherName without a type-id")
		}
		if !gn.ReadASN1(&wrapped, cbasn1.Tag(otherNameValue).ContextSpecific().Constructed()) || !gn.Empty() {
			return nil, malformed("otherName %v: value is not [0] EXPLICIT", oid)
		}
		if !known[oidKey(oid)] {
			continue
		}
		v, err := readAttributeValue(wrapped)
		if err != nil {
			return nil, malformed("otherName %v: %v", oid, err)
		}
		if _, dup := vals[oidKey(oid)]; dup {
			return nil, malformed("otherName %v appears twice", oid)
		}
		vals[oidKey(oid)] = v
	}
	return vals, nil
}

// readAttributeValue reads the single UTF8String or OCTET STRING inside an
// otherName's [0] EXPLICIT wrapper and checks that it is UTF-8.
func readAttributeValue(s cryptobyte.String) (string, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) || !s.Empty() {
		return "", errors.New("value is not one DER element")
	}
	if tag != cbasn1.UTF8String && tag != cbasn1.OCTET_STRING {
		return "", fmt.Errorf("value has tag %#x, want UTF8String or OCTET STRING", uint8(tag))
	}
	if !utf8.Valid(v) {
		return "", errors.New("value is not UTF-8")
	}
	return string(v), nil
}

// parseSubstitutes turns a flag string ('0'/'1' per character of text)
// into the positions flagged '1'. A flag beyond the end of text may only be
// '0'.
func parseSubstitutes(flags, text string) ([]int, error) {
	n := utf8.RuneCountInString(text)
	var pos []int
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case flagNotSubstitute:
		case flagSubstitute:
			if i >= n {
				return nil, malformed("substitute flag at position %d beyond the %d characters of the text", i, n)
			}
			pos = append(pos, i)
		default:
			return nil, malformed("substitute flag %q at position %d is not 0 or 1", flags[i], i)
		}
	}
	return pos, nil
}

func parseSex(v string) (card.Sex, error) {
	if len(v) == 1 {
		if s, ok := card.SexFromCertificateCode(int(v[0]) - '0'); ok {
			return s, nil
		}
	}
	return 0, malformed("sex %q is not 1, 2 or 3", v)
}

// parseBirthDate reads EYYYYMMDD. The era code E must be 0 (unknown) or
// one of the five eras; when it names an era, the date must fall in it.
func parseBirthDate(v string) (time.Time, card.Era, error) {
	if len(v) != birthDateLen {
		return time.Time{}, 0, malformed("birth date %q is not EYYYYMMDD", v)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return time.Time{}, 0, malformed("birth date %q is not EYYYYMMDD", v)
		}
	}
	era := card.Era(v[0] - '0')
	if era != card.EraUnknown && !era.Valid() {
		return time.Time{}, 0, malformed("birth date %q: unknown era code %c", v, v[0])
	}
	d, err := time.Parse("20060102", v[1:])
	if err != nil {
		return time.Time{}, 0, malformed("birth date %q: no such date", v)
	}
	if era != card.EraUnknown && !era.Contains(d) {
		return time.Time{}, 0, malformed("birth date %q: %s is not in era %s", v, d.Format(time.DateOnly), era)
	}
	return d, era, nil
}
