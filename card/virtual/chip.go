package virtual

import "crypto/rsa"

// WithClonedFiles makes the card a clone: every file is what Contents
// says, copied from the real card (the signed records carry the real
// card's application key in DF24, DF12 and DF42), but the surface
// application key EF 001A that signs challenges is chipKey, another
// chip's key. A verifier that checks a fresh challenge against the
// signed record's key refuses it; one that only checks the records does
// not notice.
func WithClonedFiles(chipKey *rsa.PrivateKey) Option {
	return func(c *config) { c.clonedChipKey = chipKey }
}

// surfaceChipKey is the key EF 001A holds: the application key of the
// contents, or the clone's own key.
func (c *Card) surfaceChipKey(files *rsa.PrivateKey) *rsa.PrivateKey {
	if c.cfg.clonedChipKey != nil && files != nil {
		return c.cfg.clonedChipKey
	}
	return files
}
