package store

import "strconv"

// DiffAttributes returns the attributes that differ between old and new, in
// the fixed order name, name_substitute, address, address_substitute,
// birth_date, birth_era, sex. It is what [EnrolmentStore.ReplaceEnrolment]
// keeps with a registration change.
func DiffAttributes(old, new Attributes) []AttributeChange {
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
