package store

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// IssuerKeyIDPrefix starts an issuer named by its key identifier (the
// authority key identifier of the certificates it issued) instead of its
// name: "keyid:" and the identifier in hex. Root generations of the JPKI
// share one name, so only the key identifier tells them apart.
const IssuerKeyIDPrefix = "keyid:"

// IssuerKeyID returns the issuer identity for a key identifier:
// IssuerKeyIDPrefix and lower-case hex.
func IssuerKeyID(keyID []byte) string {
	return IssuerKeyIDPrefix + hex.EncodeToString(keyID)
}

// errNotDN is why a string is not a distinguished name.
var errNotDN = errors.New("not a distinguished name (TYPE=value, …)")

// dnTypeNames maps the attribute types crypto/x509 writes by name (and
// their OIDs) to that name: the canonical form uses the same names.
var dnTypeNames = map[string]string{
	"C": "C", "O": "O", "OU": "OU", "CN": "CN", "SERIALNUMBER": "SERIALNUMBER", "L": "L", "ST": "ST",
	"STREET": "STREET", "POSTALCODE": "POSTALCODE",
	"2.5.4.6": "C", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER",
	"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.17": "POSTALCODE",
}

// CanonicalIssuer returns the one form the store keeps and compares issuer
// names in, whichever way s writes them:
//
//   - "keyid:HEX" (hex digits in either case, bytes optionally separated
//     by ':'): IssuerKeyIDPrefix and lower-case hex;
//   - a distinguished name in RFC 4514 text, last RDN first, as either
//     crypto/x509's Name.String() writes it (repeated attributes of one
//     type merged into one multi-valued RDN, "OU=b+OU=c") or as the
//     certificate encodes it (pkix.RDNSequence.String(), one RDN per
//     attribute, "OU=c,OU=b"): one attribute per RDN, in the order the
//     certificate encodes them, written last first with crypto/x509's
//     escaping. Attribute type names are matched in any case and the
//     spaces around separators are dropped.
//
// Both forms of a certificate's issuer give the same canonical string when
// the certificate lists its issuer's attributes in crypto/x509's type
// order (C, O, OU, L, ST, STREET, POSTALCODE, SERIALNUMBER, CN), as every
// JPKI certificate does; confirm.IssuerString is then that string. A
// string that is neither gives an error wrapping ErrInvalid.
func CanonicalIssuer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > len(IssuerKeyIDPrefix) && strings.EqualFold(s[:len(IssuerKeyIDPrefix)], IssuerKeyIDPrefix) {
		h := strings.ReplaceAll(s[len(IssuerKeyIDPrefix):], ":", "")
		b, err := hex.DecodeString(h)
		if err != nil || len(b) == 0 {
			return "", fmt.Errorf("%w: issuer key id %q: want hex digits", ErrInvalid, s)
		}
		return IssuerKeyID(b), nil
	}
	rdns, err := parseDN(s)
	if err != nil {
		return "", fmt.Errorf("%w: issuer %q: %w", ErrInvalid, s, err)
	}
	// rdns is as written, last RDN first; the certificate's order is the
	// reverse, and a multi-valued RDN holds its values in that order.
	var seq []dnAttr
	for i := len(rdns) - 1; i >= 0; i-- {
		seq = append(seq, rdns[i]...)
	}
	var b strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		a := seq[i]
		b.WriteString(a.typ)
		b.WriteByte('=')
		if isOID(a.typ) && strings.HasPrefix(a.value, "#") {
			// crypto/x509 writes a type it has no name for as its OID
			// and the value's DER in hex, unescaped.
			b.WriteString(a.value)
			continue
		}
		b.WriteString(escapeDNValue(a.value))
	}
	return b.String(), nil
}

type dnAttr struct{ typ, value string }

// parseDN reads RFC 4514 text into RDNs as written, each a list of
// attributes. Values may use backslash escapes (\, \+ \\ \" \< \> \; \=
// \# and a leading or trailing \ space, or two hex digits); an attribute
// type not named by crypto/x509 is kept as written (a dotted OID with a
// #HEX value is compared as text).
func parseDN(s string) ([][]dnAttr, error) {
	if s == "" {
		return nil, errNotDN
	}
	var rdns [][]dnAttr
	var rdn []dnAttr
	i := 0
	for {
		// type
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, errNotDN
		}
		typ := strings.TrimSpace(s[i : i+eq])
		if typ == "" || strings.ContainsAny(typ, `,+\"`) {
			return nil, errNotDN
		}
		if n, ok := dnTypeNames[strings.ToUpper(typ)]; ok {
			typ = n
		} else if !isOID(typ) {
			return nil, fmt.Errorf("unknown attribute type %q", typ)
		}
		i += eq + 1
		// value, up to an unescaped ',' or '+'
		var v []byte
		trailing := 0 // unescaped spaces at the end of v
		for i < len(s) && len(v) == 0 && s[i] == ' ' {
			i++
		}
		sep := byte(0)
		for i < len(s) {
			c := s[i]
			if c == ',' || c == '+' {
				sep = c
				i++
				break
			}
			if c == '"' {
				return nil, errors.New("quoted values are not supported: escape with \\ instead")
			}
			if c == '\\' {
				if i+1 >= len(s) {
					return nil, errors.New("value ends in a lone backslash")
				}
				if i+2 < len(s) && isHexByte(s[i+1]) && isHexByte(s[i+2]) {
					b, _ := hex.DecodeString(s[i+1 : i+3])
					v = append(v, b...)
					i += 3
				} else {
					v = append(v, s[i+1])
					i += 2
				}
				trailing = 0
				continue
			}
			v = append(v, c)
			if c == ' ' {
				trailing++
			} else {
				trailing = 0
			}
			i++
		}
		v = v[:len(v)-trailing]
		if len(v) == 0 {
			return nil, fmt.Errorf("empty value for %s", typ)
		}
		rdn = append(rdn, dnAttr{typ, string(v)})
		switch sep {
		case '+':
			continue
		case ',':
			rdns = append(rdns, rdn)
			rdn = nil
			continue
		}
		rdns = append(rdns, rdn)
		return rdns, nil
	}
}

// escapeDNValue escapes a value as crypto/x509 does (pkix.RDNSequence's
// String): , + " \ < > ; always, a space at either end, # at the start.
func escapeDNValue(v string) string {
	var b strings.Builder
	for k, c := range v {
		esc := false
		switch c {
		case ',', '+', '"', '\\', '<', '>', ';':
			esc = true
		case ' ':
			esc = k == 0 || k == len(v)-1
		case '#':
			esc = k == 0
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isOID(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || !strings.Contains(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return !strings.Contains(s, "..")
}
