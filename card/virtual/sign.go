package virtual

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"

	"github.com/mynacard/mynacard/apdu"
)

// SignScheme is P1 of the JPKI SIGN `80 2A P1 P2` (docs/card.md, "SIGN"):
// which padding the card applies and whether it hashes the data itself.
// Every value but SignVerbatim was seen on one card only [one card].
type SignScheme byte

// The SIGN schemes.
const (
	// SignVerbatim pads the data as given with PKCS#1 v1.5 type 1 (send a
	// DigestInfo) [card].
	SignVerbatim SignScheme = 0x00
	// SignSHA256Bare hashes the data with SHA-256 and pads the bare 32-byte
	// hash, without a DigestInfo.
	SignSHA256Bare SignScheme = 0x01
	// SignPrehashedDigestInfo takes a 32-byte SHA-256 hash and pads its
	// DigestInfo.
	SignPrehashedDigestInfo SignScheme = 0x02
	// SignSHA256DigestInfo hashes the data and pads its DigestInfo.
	SignSHA256DigestInfo SignScheme = 0x03
	// SignPrehashedPSS takes a 32-byte SHA-256 hash and signs it with
	// RSASSA-PSS (salt as long as the hash, random).
	SignPrehashedPSS SignScheme = 0x04
	// SignSHA256PSS hashes the data and signs with RSASSA-PSS.
	SignSHA256PSS SignScheme = 0x05
)

// signPSSSaltLength is the PSS salt length the virtual card uses: as long
// as the hash (RFC 8017 §9.1 recommends it). The card's own is not known;
// a verifier should accept any salt length (rsa.PSSSaltLengthAuto).
const signPSSSaltLength = rsa.PSSSaltLengthEqualsHash

// swSignBadHashLength answers SIGN P1 02 or 04 whose data is not one
// SHA-256 hash (docs/card.md lists 6985 or 6700 for a bad input length).
const swSignBadHashLength = apdu.SWWrongLength

// signWith applies scheme p1 of key to data and returns the signature or
// the status word that refuses it.
func signWith(p1 byte, key *rsa.PrivateKey, data []byte) ([]byte, uint16) {
	var (
		hashed []byte
		pss    bool
		hash   = crypto.SHA256
	)
	switch SignScheme(p1) {
	case SignVerbatim:
		if len(data) > key.Size()-11 { // RFC 8017 §9.2: at least 8 bytes of FF padding
			return nil, swSignInputTooLong
		}
		hashed, hash = data, crypto.Hash(0)
	case SignSHA256Bare:
		h := sha256.Sum256(data)
		hashed, hash = h[:], crypto.Hash(0)
	case SignPrehashedDigestInfo, SignPrehashedPSS:
		if len(data) != sha256.Size {
			return nil, swSignBadHashLength
		}
		hashed, pss = data, SignScheme(p1) == SignPrehashedPSS
	case SignSHA256DigestInfo, SignSHA256PSS:
		h := sha256.Sum256(data)
		hashed, pss = h[:], SignScheme(p1) == SignSHA256PSS
	default:
		return nil, swSignSchemeUnsupported
	}
	var (
		sig []byte
		err error
	)
	if pss {
		sig, err = rsa.SignPSS(rand.Reader, key, hash, hashed, &rsa.PSSOptions{SaltLength: signPSSSaltLength})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, key, hash, hashed)
	}
	if err != nil {
		return nil, swSignInputTooLong
	}
	return sig, apdu.SWOK
}
