package pcscpath

import (
	"errors"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
)

// Status words of the unrelated card (ISO/IEC 7816-4 §5.6, table 6).
const (
	swFileNotFound    = 0x6A82
	swInsNotSupported = 0x6D00
)

// unrelatedCard is a card that holds none of the Individual Number Card's
// applications, such as a payment card: it answers 6A82 to every SELECT,
// as the real card does to an AID it lacks, and 6D00 to anything else.
type unrelatedCard struct{}

func (unrelatedCard) ATR() []byte { return []byte{0x3B, 0x00} }

func (unrelatedCard) Transmit(c []byte) []byte {
	sw := uint16(swInsNotSupported)
	if len(c) > 1 && c[1] == insSelect {
		sw = swFileNotFound
	}
	return []byte{byte(sw >> 8), byte(sw)}
}

// TestDetect tells cards apart by the JPKI token label read through pcscd,
// never by ATR: every virtual card here has the same ATR.
func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		token   string // "" is the unrelated card
		want    card.CardType
		label   string
		refused bool
	}{
		{"my number card", virtual.DefaultToken, card.MyNumberCard, "JPKIAPICCTOKEN2", false},
		{"android phone token", "JPKIAPGPSETOKEN", card.PhoneToken, "JPKIAPGPSETOKEN", false},
		{"old resident card", "JPKIAPICCTOKEN", card.OldResidentCard, "JPKIAPICCTOKEN", true},
		{"unrelated card answering 6A82", "", card.Unknown, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw pcsctest.Card = unrelatedCard{}
			if tt.token != "" {
				r := newContents()
				r.Token = tt.token
				vc, err := virtual.NewMyNumberCard(r)
				if err != nil {
					t.Fatal(err)
				}
				raw = vc
			}
			slot := pcsctest.Slot(t)
			pcsctest.Insert(t, slot, raw)
			k := connect(t, slot, false)

			typ, label, err := card.Detect(ctxT(t), k)
			if typ != tt.want || label != tt.label {
				t.Errorf("Detect = %v %q, want %v %q", typ, label, tt.want, tt.label)
			}
			if got := errors.Is(err, card.ErrNotMyNumberCard); got != tt.refused {
				t.Errorf("Detect error %v: matches ErrNotMyNumberCard = %v, want %v", err, got, tt.refused)
			}
			if !tt.refused && err != nil {
				t.Fatalf("Detect: %v", err)
			}

			j, err := card.OpenJPKI(ctxT(t), k, card.Options{})
			if tt.refused {
				if !errors.Is(err, card.ErrNotMyNumberCard) {
					t.Fatalf("OpenJPKI = %v, want an error matching ErrNotMyNumberCard", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenJPKI: %v", err)
			}
			if j.Type() != tt.want {
				t.Errorf("OpenJPKI type = %v, want %v", j.Type(), tt.want)
			}
			if tok, err := j.Token(ctxT(t)); err != nil || tok != tt.label {
				t.Errorf("Token = %q, %v; want %q", tok, err, tt.label)
			}
		})
	}
}
