package p11

import (
	"crypto/subtle"

	"golang.org/x/sys/unix"
)

// heldPIN is a logged-in token's PIN, kept only so that each signature
// can verify it again after the card's security state was cleared. Its
// memory is locked (mlock, best effort: not swapped out) and wiped on
// logout. Go's collector does not move heap objects, so the locked bytes
// are the only copy besides the short-lived ones handed to the card layer,
// which wipes them.
type heldPIN struct {
	b      []byte
	locked bool
}

func holdPIN(pin []byte) *heldPIN {
	p := &heldPIN{b: make([]byte, len(pin))}
	p.locked = unix.Mlock(p.b) == nil
	copy(p.b, pin)
	return p
}

// copyOut returns a copy for the card layer, which wipes it after use.
func (p *heldPIN) copyOut() []byte { return append([]byte(nil), p.b...) }

func (p *heldPIN) equal(pin []byte) bool { return subtle.ConstantTimeCompare(p.b, pin) == 1 }

func (p *heldPIN) wipe() {
	if p == nil {
		return
	}
	clear(p.b)
	if p.locked {
		_ = unix.Munlock(p.b)
	}
	p.b = nil
}

func wipe(b []byte) { clear(b) }
