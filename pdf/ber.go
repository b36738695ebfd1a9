package pdf

import "errors"

// errBER reports bytes that are not BER.
var errBER = errors.New("malformed BER")

// berMaxDepth bounds nesting in berToDER.
const berMaxDepth = 64

// berToDER re-encodes the BER element at the start of b with definite
// lengths, and returns it and how many bytes of b it took. NSS (and so
// poppler's pdfsig) writes a signature's outer structures with indefinite
// lengths; the signed attributes inside are DER already (the signature
// covers their exact bytes), and are copied unchanged. Only the length
// form is normalised: primitive contents are copied as they are.
func berToDER(b []byte) ([]byte, int, error) {
	return berElement(b, 0)
}

func berElement(b []byte, depth int) ([]byte, int, error) {
	if depth > berMaxDepth {
		return nil, 0, errBER
	}
	if len(b) < 2 {
		return nil, 0, errBER
	}
	i := 1
	if b[0]&0x1F == 0x1F { // high tag numbers are not used by CMS
		return nil, 0, errBER
	}
	tag := b[:i]
	constructed := b[0]&0x20 != 0
	l := int(b[i])
	i++
	if l == 0x80 { // indefinite
		if !constructed {
			return nil, 0, errBER
		}
		var content []byte
		for {
			if i+1 < len(b) && b[i] == 0 && b[i+1] == 0 {
				i += 2
				break
			}
			if i >= len(b) {
				return nil, 0, errBER
			}
			el, n, err := berElement(b[i:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, el...)
			i += n
		}
		return append(append(append([]byte{}, tag...), derLen(len(content))...), content...), i, nil
	}
	if l > 0x80 {
		n := l & 0x7F
		if n > 4 || i+n > len(b) {
			return nil, 0, errBER
		}
		l = 0
		for _, c := range b[i : i+n] {
			l = l<<8 | int(c)
		}
		i += n
	}
	if l < 0 || i+l > len(b) {
		return nil, 0, errBER
	}
	if !constructed {
		return append(append(append([]byte{}, tag...), derLen(l)...), b[i:i+l]...), i + l, nil
	}
	var content []byte
	for j := i; j < i+l; {
		el, n, err := berElement(b[j:i+l], depth+1)
		if err != nil {
			return nil, 0, err
		}
		content = append(content, el...)
		j += n
	}
	return append(append(append([]byte{}, tag...), derLen(len(content))...), content...), i + l, nil
}

// derLen encodes a DER length.
func derLen(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var out []byte
	for v := n; v > 0; v >>= 8 {
		out = append([]byte{byte(v)}, out...)
	}
	return append([]byte{0x80 | byte(len(out))}, out...)
}
