package main

import (
	"testing"

	"github.com/mynacard/mynacard/reader"
)

func TestChooseByPresence(t *testing.T) {
	vpcd0, vpcd1 := "Virtual PCD 00 00", "Virtual PCD 00 01"
	usb := "SONY FeliCa Port/PaSoRi 4.0 00 00"
	for _, tc := range []struct {
		name         string
		infos        []reader.Info
		want         string
		wantFallback bool
	}{
		{"no information", nil, "", false},
		{"empty vpcd readers only", []reader.Info{{Name: vpcd0}, {Name: vpcd1}}, "", true},
		{"one vpcd reader holds a card", []reader.Info{{Name: vpcd0}, {Name: vpcd1, CardPresent: true}}, vpcd1, false},
		{"a real reader with a card", []reader.Info{{Name: vpcd0}, {Name: usb, CardPresent: true}}, usb, false},
		{"an empty real reader: wait on it, ambiguity reported", []reader.Info{{Name: vpcd0}, {Name: usb}}, "", false},
		{"two cards: ambiguous", []reader.Info{{Name: vpcd0, CardPresent: true}, {Name: usb, CardPresent: true}}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fb := chooseByPresence(tc.infos)
			if got != tc.want || fb != tc.wantFallback {
				t.Errorf("chooseByPresence = %q, %v; want %q, %v", got, fb, tc.want, tc.wantFallback)
			}
		})
	}
}
