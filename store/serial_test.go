package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	. "github.com/mynacard/mynacard/store"
)

func TestCanonicalSerial(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0132C4AB", "0132C4AB"},
		{"132c4ab", "0132C4AB"},
		{"0x0132c4ab", "0132C4AB"},
		{"01:32:C4:AB", "0132C4AB"},
		{"00 01", "01"},
		{"0", "00"},
		{"0000", "00"},
		{"80", "80"},
		{"0080", "80"},
		{"", ""},
		{"xyz", ""},
		{strings.Repeat("1", 41), ""},
	} {
		got, err := CanonicalSerial(tc.in)
		if tc.want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CanonicalSerial(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CanonicalSerial(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestDiffAttributes(t *testing.T) {
	a := sampleAttributes()
	b := *a
	enrolment := func(a *card.Attributes) Enrolment { return Enrolment{Kind: card.SignKey, Attributes: a} }
	if d, err := DiffAttributes(enrolment(a), enrolment(&b)); d != nil || err != nil {
		t.Errorf("no change: %v, %v", d, err)
	}
	b.Name, b.BirthEra, b.Sex = "山田\u3000花子", 4, card.SexFemale
	d, err := DiffAttributes(enrolment(a), enrolment(&b))
	if err != nil || len(d) != 3 || d[0].Field != "name" || d[1] != (AttributeChange{"birth_era", "3", "4"}) || d[2].Field != "sex" {
		t.Errorf("DiffAttributes = %v", d)
	}
}
