package card

import (
	"slices"
	"testing"

	"github.com/mynacard/mynacard/card/virtual"
)

func FuzzParsePresence(f *testing.F) {
	ct := virtual.Contents{SignCert: []byte{0x30}, AuthCert: []byte{0x30}}
	f.Add(virtual.EncodePresence(&ct, virtual.DefaultPresenceAbsent))
	f.Add([]byte{0x00, 0x8F, 0x00})
	f.Add([]byte{0, 1, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, open, odd := parsePresence(b)
		all := []certFile{signCert, signCACert, authCert, authCACert}
		for _, cf := range all {
			if slices.Contains(open, cf) && p.has(cf) {
				t.Fatalf("%v both open and present", cf)
			}
		}
		// Only the four-byte 00/01 form settles an absence, and only 8F
		// settles a presence.
		if len(b) != 4 {
			for _, cf := range all {
				if !slices.Contains(open, cf) && !p.has(cf) {
					t.Fatalf("% X settles %v as absent", b, cf)
				}
			}
		}
		if len(b) == 3 && (b[0] != 0x8F || b[1] != 0x8F) && odd == "" {
			t.Fatalf("% X is odd but not reported", b)
		}
	})
}
