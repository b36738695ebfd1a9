package main

import (
	"testing"

	"github.com/mynacard/mynacard/reader"
)

func TestChooseByPresence(t *testing.T) {
	vpcd0, vpcd1 := "Virtual PCD 00 00", "Virtual PCD 00 01"
	usb := "SONY FeliCa Port/PaSoRi 4.0 00 00"
	for _, tc := range []struct {
		name  string
		infos []reader.Info
		want  string
	}{
		{"no information", nil, ""},
		// No card anywhere: ambiguity reported, never the built-in
		// virtual card.
		{"empty vpcd readers only", []reader.Info{{Name: vpcd0}, {Name: vpcd1}}, ""},
		{"one vpcd reader holds a card", []reader.Info{{Name: vpcd0}, {Name: vpcd1, CardPresent: true}}, vpcd1},
		{"a real reader with a card", []reader.Info{{Name: vpcd0}, {Name: usb, CardPresent: true}}, usb},
		{"an empty real reader: ambiguity reported", []reader.Info{{Name: vpcd0}, {Name: usb}}, ""},
		{"two cards: ambiguous", []reader.Info{{Name: vpcd0, CardPresent: true}, {Name: usb, CardPresent: true}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := chooseByPresence(tc.infos); got != tc.want {
				t.Errorf("chooseByPresence = %q, want %q", got, tc.want)
			}
		})
	}
}
