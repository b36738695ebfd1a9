package reader

import (
	"errors"
	"testing"
)

func TestChoose(t *testing.T) {
	two := []string{"Virtual PCD 00 00", "Virtual PCD 00 01"}
	tests := []struct {
		name     string
		names    []string
		selector string
		want     string
		err      error
	}{
		{"none", nil, "", "", ErrNoReaders},
		{"only one", two[:1], "", two[0], nil},
		{"empty ambiguous", two, "", "", ErrAmbiguousReader},
		{"exact", two, "Virtual PCD 00 01", two[1], nil},
		{"index", two, "1", two[1], nil},
		{"index out of range", two, "2", "", ErrReaderNotFound},
		{"index not found is unavailable", two, "-1", "", ErrReaderUnavailable},
		{"substring", two, "00 01", two[1], nil},
		{"substring case", two, "virtual pcd 00 00", two[0], nil},
		{"substring ambiguous", two, "virtual", "", ErrAmbiguousReader},
		{"no match", two, "ACS", "", ErrReaderNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(tt.names, tt.selector)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Choose(%q) error = %v, want %v", tt.selector, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Choose(%q) = %q, %v; want %q", tt.selector, got, err, tt.want)
			}
		})
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{ReaderAdded: "reader-added", ReaderRemoved: "reader-removed", CardInserted: "card-inserted", CardRemoved: "card-removed", 0: "EventKind(0)"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}
