package p11

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"unsafe"
)

// ulongSize is sizeof(CK_ULONG): C's unsigned long, the size of Go's uint
// on the LP64 platforms the module is built for (Linux, macOS).
const ulongSize = int(unsafe.Sizeof(uint(0)))

// object is one PKCS#11 object of a token.
type object struct {
	handle  uint
	slot    uint
	class   uint
	private bool
	kind    int
	attrs   map[uint][]byte
}

func ulong(v uint) []byte {
	b := make([]byte, ulongSize)
	if ulongSize == 8 {
		binary.NativeEndian.PutUint64(b, uint64(v))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(v))
	}
	return b
}

func boolean(v bool) []byte {
	if v {
		return []byte{1}
	}
	return []byte{0}
}

// keyID is CKA_ID of each token's key, certificate and public key: one
// byte, so that tools can name them simply (pkcs11-tool --id 01,
// pkcs11:id=%02).
var keyID = [2][]byte{kindAuth: {0x01}, kindSign: {0x02}}

// addKeyObjects adds the certificate, public key and private key of one
// token. The private key is a private object: found only when the token
// is logged in.
func (st *state) addKeyObjects(r *slotReader, kind int, der []byte, c *x509.Certificate) {
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok {
		return
	}
	id := keyID[kind]
	label := []byte(tokenNames[kind].object)
	slot := slotID(r, kind)
	serial, _ := asn1.Marshal(c.SerialNumber)
	sum := sha1.Sum(der)
	spkiHash := sha1.Sum(c.RawSubjectPublicKeyInfo)
	exp := big.NewInt(int64(pub.E)).Bytes()
	common := func(class uint, private bool) map[uint][]byte {
		return map[uint][]byte{
			CKA_CLASS:       ulong(class),
			CKA_TOKEN:       boolean(true),
			CKA_PRIVATE:     boolean(private),
			CKA_MODIFIABLE:  boolean(false),
			CKA_COPYABLE:    boolean(false),
			CKA_DESTROYABLE: boolean(false),
			CKA_LABEL:       label,
			CKA_ID:          id,
		}
	}
	cert := common(CKO_CERTIFICATE, false)
	cert[CKA_CERTIFICATE_TYPE] = ulong(CKC_X_509)
	cert[CKA_TRUSTED] = boolean(false)
	cert[CKA_CERTIFICATE_CATEGORY] = ulong(1) // token user
	cert[CKA_CHECK_VALUE] = sum[:3]
	cert[CKA_START_DATE] = nil
	cert[CKA_END_DATE] = nil
	cert[CKA_SUBJECT] = c.RawSubject
	cert[CKA_ISSUER] = c.RawIssuer
	cert[CKA_SERIAL_NUMBER] = serial
	cert[CKA_VALUE] = der
	cert[CKA_PUBLIC_KEY_INFO] = c.RawSubjectPublicKeyInfo
	cert[CKA_HASH_OF_SUBJECT_PUBLIC_KEY] = spkiHash[:]
	cert[CKA_HASH_OF_ISSUER_PUBLIC_KEY] = nil

	keyCommon := func(m map[uint][]byte) {
		m[CKA_KEY_TYPE] = ulong(CKK_RSA)
		m[CKA_SUBJECT] = c.RawSubject
		m[CKA_START_DATE] = nil
		m[CKA_END_DATE] = nil
		m[CKA_DERIVE] = boolean(false)
		m[CKA_LOCAL] = boolean(true)
		m[CKA_KEY_GEN_MECHANISM] = ulong(Unavailable)
		m[CKA_MODULUS] = pub.N.Bytes()
		m[CKA_MODULUS_BITS] = ulong(uint(pub.N.BitLen()))
		m[CKA_PUBLIC_EXPONENT] = exp
		m[CKA_PUBLIC_KEY_INFO] = c.RawSubjectPublicKeyInfo
		var mechs []byte
		for _, k := range mechanisms {
			mechs = append(mechs, ulong(k)...)
		}
		m[CKA_ALLOWED_MECHANISMS] = mechs
	}
	pubk := common(CKO_PUBLIC_KEY, false)
	keyCommon(pubk)
	pubk[CKA_ENCRYPT] = boolean(false)
	pubk[CKA_VERIFY] = boolean(true)
	pubk[CKA_VERIFY_RECOVER] = boolean(false)
	pubk[CKA_WRAP] = boolean(false)
	pubk[CKA_TRUSTED] = boolean(false)

	// With a PIN helper the token needs no login, so its private key is
	// not a private object.
	privateKey := st.cfg.PINHelper == ""
	priv := common(CKO_PRIVATE_KEY, privateKey)
	keyCommon(priv)
	priv[CKA_SENSITIVE] = boolean(true)
	priv[CKA_DECRYPT] = boolean(false)
	priv[CKA_SIGN] = boolean(true)
	priv[CKA_SIGN_RECOVER] = boolean(false)
	priv[CKA_UNWRAP] = boolean(false)
	priv[CKA_EXTRACTABLE] = boolean(false)
	priv[CKA_ALWAYS_SENSITIVE] = boolean(true)
	priv[CKA_NEVER_EXTRACTABLE] = boolean(true)
	priv[CKA_WRAP_WITH_TRUSTED] = boolean(false)
	priv[CKA_ALWAYS_AUTHENTICATE] = boolean(false)

	cs := r.tok
	for _, o := range []struct {
		class   uint
		private bool
		attrs   map[uint][]byte
	}{{CKO_CERTIFICATE, false, cert}, {CKO_PUBLIC_KEY, false, pubk}, {CKO_PRIVATE_KEY, privateKey, priv}} {
		h := st.nextObject
		st.nextObject++
		st.objects[h] = &object{handle: h, slot: slot, class: o.class, private: o.private, kind: kind, attrs: o.attrs}
		cs.objs[kind] = append(cs.objs[kind], h)
	}
}

// removeKeyObjects destroys a token's objects (a cached signing
// certificate that the card contradicted).
func (st *state) removeKeyObjects(r *slotReader, kind int) {
	for _, h := range r.tok.objs[kind] {
		delete(st.objects, h)
	}
	r.tok.objs[kind] = nil
}

// sensitive are the private key's attributes that are never revealed
// (CKR_ATTRIBUTE_SENSITIVE rather than CKR_ATTRIBUTE_TYPE_INVALID).
var sensitive = map[uint]bool{
	CKA_VALUE: true, CKA_PRIVATE_EXPONENT: true, CKA_PRIME_1: true, CKA_PRIME_2: true,
	CKA_EXPONENT_1: true, CKA_EXPONENT_2: true, CKA_COEFFICIENT: true,
}

// Attribute is one entry of a C_GetAttributeValue or C_FindObjectsInit
// template.
type Attribute struct {
	Type  uint
	Value []byte
}

// AttrResult is the outcome for one requested attribute: its value, or
// the CK_RV that C_GetAttributeValue returns for it
// (CKR_ATTRIBUTE_SENSITIVE or CKR_ATTRIBUTE_TYPE_INVALID; the buffer
// size is the C layer's to check).
type AttrResult struct {
	Value []byte
	RV    RV
}

// visible returns the object h if the session's token may show it.
func (st *state) visible(s *session, h uint) (*object, RV) {
	o := st.objects[h]
	if o == nil || o.slot != s.slot {
		return nil, CKR_OBJECT_HANDLE_INVALID
	}
	if o.private && !st.loggedIn(s) && st.cfg.PINHelper == "" {
		return nil, CKR_OBJECT_HANDLE_INVALID
	}
	return o, CKR_OK
}

// GetAttributeValue is C_GetAttributeValue without the buffer handling.
func (m *Module) GetAttributeValue(sh, h uint, types []uint) ([]AttrResult, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	o, rv := st.visible(s, h)
	if rv != CKR_OK {
		return nil, rv
	}
	out := make([]AttrResult, len(types))
	for i, t := range types {
		v, ok := o.attrs[t]
		switch {
		case ok:
			out[i] = AttrResult{Value: v}
		case o.class == CKO_PRIVATE_KEY && sensitive[t]:
			out[i] = AttrResult{RV: CKR_ATTRIBUTE_SENSITIVE}
		default:
			out[i] = AttrResult{RV: CKR_ATTRIBUTE_TYPE_INVALID}
		}
	}
	return out, CKR_OK
}

// GetObjectSize is C_GetObjectSize: the bytes of the object's attribute
// values.
func (m *Module) GetObjectSize(sh, h uint) (uint, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return 0, rv
	}
	defer st.lock.Unlock()
	o, rv := st.visible(s, h)
	if rv != CKR_OK {
		return 0, rv
	}
	n := 0
	for _, v := range o.attrs {
		n += len(v)
	}
	return uint(n), CKR_OK
}

// FindObjectsInit is C_FindObjectsInit: the matching handles are fixed
// now.
func (m *Module) FindObjectsInit(sh uint, tmpl []Attribute) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	if s.find != nil {
		return CKR_OPERATION_ACTIVE
	}
	found := []uint{}
	r := st.readers[s.slot/2]
	if r.tok != nil {
		for _, h := range r.tok.objs[s.slot%2] {
			o, rv := st.visible(s, h)
			if rv != CKR_OK || !matches(o, tmpl) {
				continue
			}
			found = append(found, h)
		}
	}
	s.find = found
	return CKR_OK
}

func matches(o *object, tmpl []Attribute) bool {
	for _, a := range tmpl {
		v, ok := o.attrs[a.Type]
		if !ok || !bytes.Equal(v, a.Value) {
			return false
		}
	}
	return true
}

// FindObjects is C_FindObjects.
func (m *Module) FindObjects(sh uint, max int) ([]uint, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	if s.find == nil {
		return nil, CKR_OPERATION_NOT_INITIALIZED
	}
	var out []uint
	for len(out) < max && len(s.find) > 0 {
		h := s.find[0]
		s.find = s.find[1:]
		if _, ok := st.objects[h]; ok {
			out = append(out, h)
		}
	}
	return out, CKR_OK
}

// FindObjectsFinal is C_FindObjectsFinal.
func (m *Module) FindObjectsFinal(sh uint) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	if s.find == nil {
		return CKR_OPERATION_NOT_INITIALIZED
	}
	s.find = nil
	return CKR_OK
}
