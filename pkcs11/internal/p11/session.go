package p11

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"hash"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/reader"
)

// session is one PKCS#11 session.
type session struct {
	slot uint
	rw   bool
	find []uint // nil: no search active
	sign *signOp
}

// signOp is an active signature operation.
type signOp struct {
	mech uint
	key  *object
	h    hash.Hash // nil for CKM_RSA_PKCS
	buf  []byte    // CKM_RSA_PKCS input so far
	// contextPIN records a C_Login(CKU_CONTEXT_SPECIFIC) for this
	// operation (accepted, and checked against the held PIN).
	multipart bool
}

// session returns the locked state and the session sh.
func (m *Module) session(sh uint) (*state, *session, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return nil, nil, rv
	}
	s := st.sessions[sh]
	if s == nil {
		st.lock.Unlock()
		return nil, nil, CKR_SESSION_HANDLE_INVALID
	}
	return st, s, CKR_OK
}

func (st *state) loggedIn(s *session) bool {
	r := st.readers[s.slot/2]
	return r.tok != nil && r.tok.pins[s.slot%2] != nil
}

// OpenSession is C_OpenSession. Read/write sessions are accepted (OpenSSH
// asks for one) although nothing can be written: the token is not flagged
// write-protected for that reason, and object creation is not supported.
func (m *Module) OpenSession(id uint, flags uint) (uint, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return 0, rv
	}
	defer st.lock.Unlock()
	r, _, rv := st.slot(id)
	if rv != CKR_OK {
		return 0, rv
	}
	if flags&CKF_SERIAL_SESSION == 0 {
		return 0, CKR_SESSION_PARALLEL_NOT_SUPPORTED
	}
	if _, rv := st.tokenCard(r); rv != CKR_OK {
		return 0, rv
	}
	h := st.nextSession
	st.nextSession++
	st.sessions[h] = &session{slot: id, rw: flags&CKF_RW_SESSION != 0}
	return h, CKR_OK
}

// CloseSession is C_CloseSession. Closing a token's last session logs it
// out (PKCS#11 §5.6) and wipes its PIN.
func (m *Module) CloseSession(sh uint) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	delete(st.sessions, sh)
	st.logoutIfIdle(s.slot)
	return CKR_OK
}

// CloseAllSessions is C_CloseAllSessions.
func (m *Module) CloseAllSessions(id uint) RV {
	st, rv := m.enter()
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	if _, _, rv := st.slot(id); rv != CKR_OK {
		return rv
	}
	for h, s := range st.sessions {
		if s.slot == id {
			delete(st.sessions, h)
		}
	}
	st.logoutIfIdle(id)
	return CKR_OK
}

func (st *state) logoutIfIdle(id uint) {
	for _, s := range st.sessions {
		if s.slot == id {
			return
		}
	}
	r := st.readers[id/2]
	if r.tok != nil {
		r.tok.pins[id%2].wipe()
		r.tok.pins[id%2] = nil
	}
}

// SessionInfo is CK_SESSION_INFO.
type SessionInfo struct {
	Slot, State, Flags uint
}

// GetSessionInfo is C_GetSessionInfo.
func (m *Module) GetSessionInfo(sh uint) (SessionInfo, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return SessionInfo{}, rv
	}
	defer st.lock.Unlock()
	in := SessionInfo{Slot: s.slot, Flags: CKF_SERIAL_SESSION}
	li := st.loggedIn(s)
	switch {
	case s.rw && li:
		in.State = CKS_RW_USER_FUNCTIONS
	case s.rw:
		in.State = CKS_RW_PUBLIC_SESSION
	case li:
		in.State = CKS_RO_USER_FUNCTIONS
	default:
		in.State = CKS_RO_PUBLIC_SESSION
	}
	if s.rw {
		in.Flags |= CKF_RW_SESSION
	}
	return in, CKR_OK
}

// Login is C_Login. pin is not kept: the caller wipes it. See the package
// comment for what a login does with the card.
func (m *Module) Login(sh uint, userType uint, pin []byte) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	r := st.readers[s.slot/2]
	kind := int(s.slot % 2)
	switch userType {
	case CKU_USER:
	case CKU_CONTEXT_SPECIFIC:
		// Only meaningful right after C_SignInit; the keys are not
		// CKA_ALWAYS_AUTHENTICATE, so this only confirms the PIN the
		// token was logged in with, without a VERIFY.
		if s.sign == nil {
			return CKR_OPERATION_NOT_INITIALIZED
		}
		if r.tok == nil || r.tok.pins[kind] == nil {
			return CKR_USER_NOT_LOGGED_IN
		}
		norm, err := card.ValidatePIN(pinKind(kind), pin)
		defer wipe(norm)
		if err != nil || !r.tok.pins[kind].equal(norm) {
			return CKR_PIN_INCORRECT
		}
		return CKR_OK
	case CKU_SO:
		// The card has no security officer the holder could log in as.
		return CKR_USER_TYPE_INVALID
	default:
		return CKR_USER_TYPE_INVALID
	}
	cs := r.tok
	if cs == nil {
		return CKR_DEVICE_REMOVED
	}
	if cs.pins[kind] != nil {
		return CKR_USER_ALREADY_LOGGED_IN
	}
	if pin == nil {
		if st.cfg.PINHelper != "" {
			// Protected authentication path: the helper is asked at each
			// signature; there is nothing to verify now.
			return CKR_OK
		}
		return CKR_ARGUMENTS_BAD
	}
	norm, err := card.ValidatePIN(pinKind(kind), pin)
	if err != nil {
		return CKR_PIN_INCORRECT // format: nothing was sent to the card
	}
	defer wipe(norm)
	ctx, cancel := st.opCtx()
	defer cancel()
	prompted := false
	prompt := func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		prompted = true
		return append([]byte(nil), norm...), nil
	}
	var der []byte
	for attempt := 0; ; attempt++ {
		prompted = false
		if kind == kindAuth {
			der, err = cs.j.ReadCertificateWithPIN(ctx, card.AuthKey, prompt)
		} else {
			der, err = cs.j.ReadSignCertificate(ctx, prompt)
		}
		// Another application's reset before our VERIFY: reconnect and
		// run the login once more. Once the PIN was handed over, never.
		if attempt == 0 && !prompted && errors.Is(err, errCardReset) {
			if rc, ok := cs.rc.(Reconnecter); ok && rc.Reconnect(ctx) == nil {
				continue
			}
		}
		break
	}
	if err != nil {
		return st.cardFailed(r, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return CKR_DEVICE_ERROR
	}
	if kind == kindAuth {
		if !bytes.Equal(der, cs.authDER) {
			// A different card under the same connection: never mix.
			st.dropCard(r)
			return CKR_DEVICE_REMOVED
		}
	} else if !bytes.Equal(der, cs.signDER) {
		// No cached certificate, or one the card contradicts: the card's
		// own replaces it (the old objects' handles become invalid).
		if cs.signDER != nil {
			st.removeKeyObjects(r, kindSign)
		}
		cs.signDER, cs.sign, cs.signCached = der, c, false
		st.addKeyObjects(r, kindSign, der, c)
		st.storeSignCert(cs.authDER, der)
	} else {
		cs.signCached = false
	}
	cs.pins[kind] = holdPIN(norm)
	return CKR_OK
}

// Logout is C_Logout.
func (m *Module) Logout(sh uint) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	r := st.readers[s.slot/2]
	if r.tok == nil || r.tok.pins[s.slot%2] == nil {
		return CKR_USER_NOT_LOGGED_IN
	}
	r.tok.pins[s.slot%2].wipe()
	r.tok.pins[s.slot%2] = nil
	for _, o := range st.sessions {
		if o.slot == s.slot {
			o.sign = nil
		}
	}
	return CKR_OK
}

var hashOf = map[uint]crypto.Hash{
	CKM_SHA1_RSA_PKCS:   crypto.SHA1,
	CKM_SHA224_RSA_PKCS: crypto.SHA224,
	CKM_SHA256_RSA_PKCS: crypto.SHA256,
	CKM_SHA384_RSA_PKCS: crypto.SHA384,
	CKM_SHA512_RSA_PKCS: crypto.SHA512,
}

// digestInfoPrefix is the DER of DigestInfo up to the digest (RFC 8017
// §9.2 note 1).
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// SignatureLen is the length of every signature: RSA-2048.
const SignatureLen = 256

// maxRawInput is the most CKM_RSA_PKCS can sign: k − 11 bytes.
const maxRawInput = SignatureLen - 11

// SignInit is C_SignInit.
func (m *Module) SignInit(sh, mech uint, param []byte, key uint) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	if s.sign != nil {
		return CKR_OPERATION_ACTIVE
	}
	o := st.objects[key]
	if o == nil || o.slot != s.slot || (o.private && !st.loggedIn(s) && st.cfg.PINHelper == "") {
		if o != nil && o.slot == s.slot && o.private {
			return CKR_USER_NOT_LOGGED_IN
		}
		return CKR_KEY_HANDLE_INVALID
	}
	if o.class != CKO_PRIVATE_KEY {
		return CKR_KEY_FUNCTION_NOT_PERMITTED
	}
	op := &signOp{mech: mech, key: o}
	switch mech {
	case CKM_RSA_PKCS:
	default:
		h, ok := hashOf[mech]
		if !ok {
			return CKR_MECHANISM_INVALID
		}
		op.h = h.New()
	}
	if len(param) != 0 {
		return CKR_MECHANISM_PARAM_INVALID
	}
	s.sign = op
	return CKR_OK
}

// SignLength is the signature length C_Sign and C_SignFinal report for a
// size query, or an error if no signature operation is active.
func (m *Module) SignLength(sh uint) (int, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return 0, rv
	}
	defer st.lock.Unlock()
	if s.sign == nil {
		return 0, CKR_OPERATION_NOT_INITIALIZED
	}
	return SignatureLen, CKR_OK
}

// Sign is C_Sign (single part); the operation ends, whatever the outcome.
func (m *Module) Sign(sh uint, data []byte) ([]byte, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	op := s.sign
	if op == nil {
		return nil, CKR_OPERATION_NOT_INITIALIZED
	}
	s.sign = nil
	if op.multipart {
		return nil, CKR_OPERATION_ACTIVE
	}
	if op.h != nil {
		op.h.Write(data)
	} else {
		op.buf = data
	}
	return st.finishSign(s, op)
}

// SignUpdate is C_SignUpdate.
func (m *Module) SignUpdate(sh uint, part []byte) RV {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return rv
	}
	defer st.lock.Unlock()
	op := s.sign
	if op == nil {
		return CKR_OPERATION_NOT_INITIALIZED
	}
	op.multipart = true
	if op.h != nil {
		op.h.Write(part)
		return CKR_OK
	}
	if len(op.buf)+len(part) > maxRawInput {
		s.sign = nil
		return CKR_DATA_LEN_RANGE
	}
	op.buf = append(op.buf, part...)
	return CKR_OK
}

// SignFinal is C_SignFinal.
func (m *Module) SignFinal(sh uint) ([]byte, RV) {
	st, s, rv := m.session(sh)
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	op := s.sign
	if op == nil {
		return nil, CKR_OPERATION_NOT_INITIALIZED
	}
	s.sign = nil
	return st.finishSign(s, op)
}

// errCardReset is another application's reset of the card.
var errCardReset = reader.ErrCardReset

// finishSign makes the signature on the card: tries read, last try
// refused unless allowed, the held PIN verified once, SIGN, and the card's
// security state cleared — all in the card layer's one transaction. A
// signature whose clearing failed (card.ErrSecurityNotCleared) is not
// returned.
func (st *state) finishSign(s *session, op *signOp) ([]byte, RV) {
	var di []byte
	if op.h != nil {
		di = append(append([]byte(nil), digestInfoPrefix[hashOf[op.mech]]...), op.h.Sum(nil)...)
	} else {
		di = op.buf
		if len(di) == 0 || len(di) > maxRawInput {
			return nil, CKR_DATA_LEN_RANGE
		}
	}
	r := st.readers[s.slot/2]
	kind := int(s.slot % 2)
	cs := r.tok
	if cs == nil {
		return nil, CKR_DEVICE_REMOVED
	}
	held := cs.pins[kind]
	if held == nil && st.cfg.PINHelper == "" {
		return nil, CKR_USER_NOT_LOGGED_IN
	}
	ctx, cancel := st.opCtx()
	defer cancel()
	prompted := false
	prompt := func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		prompted = true
		if held == nil {
			return st.askHelper(ctx, kind, remaining)
		}
		return held.copyOut(), nil
	}
	var sig []byte
	var err error
	for attempt := 0; ; attempt++ {
		prompted = false
		sig, err = cs.j.Sign(ctx, keyKind(kind), prompt, di)
		if attempt == 0 && !prompted && errors.Is(err, errCardReset) {
			if rc, ok := cs.rc.(Reconnecter); ok && rc.Reconnect(ctx) == nil {
				continue
			}
		}
		break
	}
	var pe *card.PINError
	switch {
	case err == nil:
		return sig, CKR_OK
	case errors.Is(err, errHelper):
		return nil, CKR_FUNCTION_CANCELED
	case errors.As(err, &pe) && held == nil:
		// The holder mistyped the PIN in the helper: the signature is
		// refused; the next one asks again.
		return nil, CKR_PIN_INCORRECT
	case errors.As(err, &pe):
		// The PIN changed since the login (a try was spent): log out, so
		// the held PIN is never sent again.
		cs.pins[kind].wipe()
		cs.pins[kind] = nil
		return nil, CKR_USER_NOT_LOGGED_IN
	case errors.Is(err, card.ErrLastTry), errors.Is(err, card.ErrPINBlocked):
		return nil, CKR_FUNCTION_REJECTED
	}
	return nil, st.cardFailed(r, err)
}
