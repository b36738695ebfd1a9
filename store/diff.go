package store

import (
	"fmt"
	"strconv"

	"github.com/mynacard/mynacard/internal/attrtext"
)

// DiffAttributes returns the attributes that differ between the old and
// the new enrolment, in the fixed order name, name_substitute, address,
// address_substitute, birth_date, birth_era, sex. Old and New are the
// stored text (see the package documentation, "Attributes"). It is what
// [EnrolmentStore.ReplaceEnrolment] keeps with a registration change.
// Attributes that cannot be stored are an error wrapping ErrInvalid.
func DiffAttributes(old, new Enrolment) ([]AttributeChange, error) {
	o, err := attrtext.Encode(old.Attributes, attrtext.CodesFor(old.Kind))
	if err != nil {
		return nil, fmt.Errorf("%w: old attributes: %w", ErrInvalid, err)
	}
	n, err := attrtext.Encode(new.Attributes, attrtext.CodesFor(new.Kind))
	if err != nil {
		return nil, fmt.Errorf("%w: new attributes: %w", ErrInvalid, err)
	}
	return diffRows(o, n), nil
}

// diffRows is DiffAttributes of two rows.
func diffRows(old, new attrtext.Row) []AttributeChange {
	pairs := [...]struct{ field, o, n string }{
		{"name", old.Name, new.Name},
		{"name_substitute", old.NameSubstitute, new.NameSubstitute},
		{"address", old.Address, new.Address},
		{"address_substitute", old.AddressSubstitute, new.AddressSubstitute},
		{"birth_date", old.BirthDate, new.BirthDate},
		{"birth_era", strconv.Itoa(old.BirthEra), strconv.Itoa(new.BirthEra)},
		{"sex", old.Sex, new.Sex},
	}
	var changes []AttributeChange
	for _, p := range pairs {
		if p.o != p.n {
			changes = append(changes, AttributeChange{Field: p.field, Old: p.o, New: p.n})
		}
	}
	return changes
}
