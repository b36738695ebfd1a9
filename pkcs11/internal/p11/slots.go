package p11

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/reader"
)

// Token kinds: the slot ID's low bit.
const (
	kindAuth = 0
	kindSign = 1
)

// slotReader is one reader and the two slots it gives.
type slotReader struct {
	index   int
	name    string
	present bool
	atr     []byte
	// notMNC is the ATR of a card found not to be an Individual Number
	// Card, so that it is not probed again until it leaves.
	notMNC []byte
	tok    *cardState
}

// cardState is one Individual Number Card in a reader, from its detection
// to its removal.
type cardState struct {
	rc      reader.Card
	j       *card.JPKI
	authDER []byte
	auth    *x509.Certificate
	// signDER is the signing certificate: from the cache before the
	// signing password (signCached), or read from the card after it.
	signDER    []byte
	sign       *x509.Certificate
	signCached bool
	// pins holds the PIN of each token while it is logged in (nil when
	// logged out); see the package comment.
	pins [2]*heldPIN
	// objs are the handles of each token's objects.
	objs [2][]uint
}

func slotID(r *slotReader, kind int) uint { return uint(2*r.index + kind) }

// kindEnabled reports whether the configuration exposes the kind of key.
func (st *state) kindEnabled(kind int) bool {
	if kind == kindAuth {
		return st.cfg.Auth
	}
	return st.cfg.Sign
}

// refresh lists the readers, registers new allowed ones and records card
// presence. A card that left drops its state (logins, PINs, objects).
func (st *state) refresh() error {
	ctx, cancel := st.opCtx()
	defer cancel()
	infos, err := st.b.Readers(ctx)
	if err != nil && !errors.Is(err, reader.ErrNoReaders) && !errors.Is(err, reader.ErrNoService) {
		return err
	}
	seen := map[string]bool{}
	for _, in := range infos {
		if !st.cfg.allowed(in.Name) {
			continue
		}
		seen[in.Name] = true
		r := st.reader(in.Name)
		if !in.CardPresent || (r.present && !bytes.Equal(r.atr, in.ATR)) {
			st.dropCard(r)
			r.notMNC = nil
		}
		r.present, r.atr = in.CardPresent, in.ATR
	}
	for _, r := range st.readers {
		if !seen[r.name] {
			st.dropCard(r)
			r.present, r.atr, r.notMNC = false, nil, nil
		}
	}
	return nil
}

// reader returns the slotReader of name, registering it if new.
func (st *state) reader(name string) *slotReader {
	for _, r := range st.readers {
		if r.name == name {
			return r
		}
	}
	r := &slotReader{index: len(st.readers), name: name}
	st.readers = append(st.readers, r)
	return r
}

// slot returns the reader and kind of a slot ID.
func (st *state) slot(id uint) (*slotReader, int, RV) {
	i := int(id / 2)
	kind := int(id % 2)
	if i >= len(st.readers) {
		// A slot ID from an earlier run of the application, before this
		// instance listed the readers.
		_ = st.refresh()
	}
	if i >= len(st.readers) || !st.kindEnabled(kind) {
		return nil, 0, CKR_SLOT_ID_INVALID
	}
	return st.readers[i], kind, CKR_OK
}

// ensureCard connects to the card in r and detects it, once per
// insertion. It returns nil (and no error) when r holds no Individual
// Number Card.
func (st *state) ensureCard(r *slotReader) (*cardState, error) {
	if !r.present {
		return nil, nil
	}
	if r.tok != nil {
		return r.tok, nil
	}
	if r.notMNC != nil && bytes.Equal(r.notMNC, r.atr) {
		return nil, nil
	}
	ctx, cancel := st.opCtx()
	defer cancel()
	rc, err := st.b.Connect(ctx, r.name)
	if err != nil {
		if errRemoved(err) {
			r.present = false
			return nil, nil
		}
		return nil, err
	}
	j, err := card.OpenJPKI(ctx, rc, card.Options{AllowLastTry: st.cfg.AllowLastTry})
	if err == nil && j.Type() != card.MyNumberCard {
		err = card.ErrNotMyNumberCard
	}
	if err != nil {
		_ = rc.Close()
		if errors.Is(err, card.ErrNotMyNumberCard) {
			r.notMNC = append([]byte{0}, r.atr...)[1:]
			return nil, nil
		}
		if errRemoved(err) {
			r.present = false
			return nil, nil
		}
		return nil, err
	}
	authDER, err := j.ReadCertificate(ctx, card.AuthKey)
	var auth *x509.Certificate
	if err == nil {
		auth, err = x509.ParseCertificate(authDER)
	}
	if err != nil {
		_ = rc.Close()
		if errRemoved(err) {
			r.present = false
			return nil, nil
		}
		return nil, err
	}
	cs := &cardState{rc: rc, j: j, authDER: authDER, auth: auth}
	r.tok = cs
	if st.cfg.Auth {
		st.addKeyObjects(r, kindAuth, authDER, auth)
	}
	if st.cfg.Sign && st.cfg.SignCertCache {
		if der := st.cachedSignCert(authDER); der != nil {
			if c, err := x509.ParseCertificate(der); err == nil {
				if _, ok := c.PublicKey.(interface{ Size() int }); ok {
					cs.signDER, cs.sign, cs.signCached = der, c, true
					st.addKeyObjects(r, kindSign, der, c)
				}
			}
		}
	}
	return cs, nil
}

// cardKey names the card by its authentication certificate, which is
// readable without a PIN.
func cardKey(authDER []byte) string {
	h := sha256.Sum256(authDER)
	return hex.EncodeToString(h[:])
}

// dropCard forgets the card in r: its sessions are closed, held PINs
// wiped, objects destroyed and the connection closed.
func (st *state) dropCard(r *slotReader) {
	cs := r.tok
	if cs == nil {
		return
	}
	r.tok = nil
	for _, kind := range []int{kindAuth, kindSign} {
		cs.pins[kind].wipe()
		cs.pins[kind] = nil
		for _, h := range cs.objs[kind] {
			delete(st.objects, h)
		}
		cs.objs[kind] = nil
		id := slotID(r, kind)
		for h, s := range st.sessions {
			if s.slot == id {
				delete(st.sessions, h)
			}
		}
	}
	_ = cs.rc.Close()
}

// cardFailed handles an error from the card: a card that left is
// dropped. It returns the CK_RV for err.
func (st *state) cardFailed(r *slotReader, err error) RV {
	if errRemoved(err) {
		st.dropCard(r)
		r.present = false
		return CKR_DEVICE_REMOVED
	}
	return rvFor(err)
}

// rvFor maps an error of the card layer to a CK_RV.
func rvFor(err error) RV {
	var pe *card.PINError
	switch {
	case err == nil:
		return CKR_OK
	case errRemoved(err):
		return CKR_DEVICE_REMOVED
	case errors.Is(err, card.ErrLastTry), errors.Is(err, card.ErrPINBlocked):
		return CKR_PIN_LOCKED
	case errors.As(err, &pe), errors.Is(err, card.ErrPINFormat):
		return CKR_PIN_INCORRECT
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CKR_FUNCTION_FAILED
	}
	return CKR_DEVICE_ERROR
}

// GetSlotList is C_GetSlotList.
func (m *Module) GetSlotList(tokenPresent bool) ([]uint, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	if err := st.refresh(); err != nil {
		return nil, CKR_DEVICE_ERROR
	}
	var ids []uint
	for _, r := range st.readers {
		if tokenPresent {
			cs, err := st.ensureCard(r)
			if err != nil || cs == nil {
				continue
			}
		}
		for _, kind := range []int{kindAuth, kindSign} {
			if st.kindEnabled(kind) {
				ids = append(ids, slotID(r, kind))
			}
		}
	}
	return ids, CKR_OK
}

// SlotInfo is CK_SLOT_INFO.
type SlotInfo struct {
	Description, Manufacturer string
	Flags                     uint
}

// GetSlotInfo is C_GetSlotInfo.
func (m *Module) GetSlotInfo(id uint) (SlotInfo, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return SlotInfo{}, rv
	}
	defer st.lock.Unlock()
	r, kind, rv := st.slot(id)
	if rv != CKR_OK {
		return SlotInfo{}, rv
	}
	if err := st.refresh(); err != nil {
		return SlotInfo{}, CKR_DEVICE_ERROR
	}
	info := SlotInfo{Description: r.name + " " + tokenNames[kind].slot, Manufacturer: "mynacard", Flags: CKF_REMOVABLE_DEVICE | CKF_HW_SLOT}
	if cs, err := st.ensureCard(r); err == nil && cs != nil {
		info.Flags |= CKF_TOKEN_PRESENT
	}
	return info, CKR_OK
}

// tokenNames are the labels of the two tokens.
var tokenNames = [2]struct{ slot, label, object string }{
	kindAuth: {"(JPKI auth)", "JPKI 利用者証明用", "JPKI 利用者証明用"},
	kindSign: {"(JPKI sign)", "JPKI 署名用", "JPKI 署名用"},
}

// PIN lengths and tries of the two tokens' PINs (card.ValidatePIN and
// docs/card.md): the authentication PIN is 4 digits with 3 tries, the
// signing password 6–16 characters with 5.
var pinLimits = [2]struct{ min, max, tries int }{
	kindAuth: {4, 4, 3},
	kindSign: {6, 16, 5},
}

// TokenInfo is CK_TOKEN_INFO.
type TokenInfo struct {
	Label, Manufacturer, Model, Serial string
	Flags                              uint
	Sessions, RWSessions               uint
	MinPIN, MaxPIN                     uint
	// TriesLeft is what the card said (card.RemainingUnknown if it did
	// not), for tests and logs.
	TriesLeft int
}

// GetTokenInfo is C_GetTokenInfo. The tries left are read from the card
// (an empty VERIFY, which spends none) and reported as
// CKF_USER_PIN_COUNT_LOW (fewer than the card's full count),
// CKF_USER_PIN_FINAL_TRY (one) and CKF_USER_PIN_LOCKED (none).
func (m *Module) GetTokenInfo(id uint) (TokenInfo, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return TokenInfo{}, rv
	}
	defer st.lock.Unlock()
	r, kind, rv := st.slot(id)
	if rv != CKR_OK {
		return TokenInfo{}, rv
	}
	cs, rv := st.tokenCard(r)
	if rv != CKR_OK {
		return TokenInfo{}, rv
	}
	ti := TokenInfo{
		Label:        tokenNames[kind].label,
		Manufacturer: "J-LIS",
		Model:        tokenModel,
		Serial:       cardKey(cs.authDER)[:16],
		Flags:        CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED,
		MinPIN:       uint(pinLimits[kind].min),
		MaxPIN:       uint(pinLimits[kind].max),
	}
	if st.cfg.PINHelper != "" {
		ti.Flags = ti.Flags&^CKF_LOGIN_REQUIRED | CKF_PROTECTED_AUTH_PATH
	}
	for _, s := range st.sessions {
		if s.slot == id {
			ti.Sessions++
			if s.rw {
				ti.RWSessions++
			}
		}
	}
	n, rv := st.triesLeft(r, cs, kind)
	if rv != CKR_OK {
		return TokenInfo{}, rv
	}
	ti.TriesLeft = n
	ti.Flags |= pinFlags(kind, n)
	return ti, CKR_OK
}

// pinFlags turns the tries left into token flags.
func pinFlags(kind, n int) uint {
	switch {
	case n == card.RemainingUnknown:
		return 0
	case n <= 0:
		return CKF_USER_PIN_LOCKED
	case n == 1:
		return CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW
	case n < pinLimits[kind].tries:
		return CKF_USER_PIN_COUNT_LOW
	}
	return 0
}

// triesLeft reads the tries left of the token's PIN; 0 for a blocked PIN.
func (st *state) triesLeft(r *slotReader, cs *cardState, kind int) (int, RV) {
	ctx, cancel := st.opCtx()
	defer cancel()
	n, err := st.withCard(ctx, r, cs, func(ctx context.Context) (int, error) {
		return cs.j.PINStatus(ctx, pinKind(kind))
	})
	if errors.Is(err, card.ErrPINBlocked) {
		return 0, CKR_OK
	}
	if err != nil {
		return 0, st.cardFailed(r, err)
	}
	return n, CKR_OK
}

// withCard runs a card operation that sends no VERIFY, reconnecting and
// running it again once when another application reset the card.
func (st *state) withCard(ctx context.Context, r *slotReader, cs *cardState, fn func(ctx context.Context) (int, error)) (int, error) {
	n, err := fn(ctx)
	if errors.Is(err, reader.ErrCardReset) {
		if rc, ok := cs.rc.(Reconnecter); ok {
			if err := rc.Reconnect(ctx); err != nil {
				return 0, err
			}
			return fn(ctx)
		}
	}
	return n, err
}

func pinKind(kind int) card.PINKind {
	if kind == kindAuth {
		return card.AuthPIN
	}
	return card.SignPIN
}

func keyKind(kind int) card.KeyKind {
	if kind == kindAuth {
		return card.AuthKey
	}
	return card.SignKey
}

// tokenCard refreshes r and returns its card, or CKR_TOKEN_NOT_PRESENT.
func (st *state) tokenCard(r *slotReader) (*cardState, RV) {
	if err := st.refresh(); err != nil {
		return nil, CKR_DEVICE_ERROR
	}
	cs, err := st.ensureCard(r)
	if err != nil {
		return nil, st.cardFailed(r, err)
	}
	if cs == nil {
		return nil, CKR_TOKEN_NOT_PRESENT
	}
	return cs, CKR_OK
}

// Mechanisms the tokens offer: RSA PKCS #1 v1.5 with the caller's
// DigestInfo, and the same with the hash computed here. The card's PSS
// variant is not implemented by the card layer, so no PSS mechanism.
var mechanisms = []uint{CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS}

// GetMechanismList is C_GetMechanismList.
func (m *Module) GetMechanismList(id uint) ([]uint, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return nil, rv
	}
	defer st.lock.Unlock()
	r, _, rv := st.slot(id)
	if rv != CKR_OK {
		return nil, rv
	}
	if _, rv := st.tokenCard(r); rv != CKR_OK {
		return nil, rv
	}
	return append([]uint(nil), mechanisms...), CKR_OK
}

// MechanismInfo is CK_MECHANISM_INFO.
type MechanismInfo struct {
	MinKey, MaxKey, Flags uint
}

// GetMechanismInfo is C_GetMechanismInfo.
func (m *Module) GetMechanismInfo(id, mech uint) (MechanismInfo, RV) {
	st, rv := m.enter()
	if rv != CKR_OK {
		return MechanismInfo{}, rv
	}
	defer st.lock.Unlock()
	r, _, rv := st.slot(id)
	if rv != CKR_OK {
		return MechanismInfo{}, rv
	}
	if _, rv := st.tokenCard(r); rv != CKR_OK {
		return MechanismInfo{}, rv
	}
	for _, k := range mechanisms {
		if k == mech {
			return MechanismInfo{MinKey: 2048, MaxKey: 2048, Flags: CKF_HW | CKF_SIGN}, CKR_OK
		}
	}
	return MechanismInfo{}, CKR_MECHANISM_INVALID
}

// tokenModel is CK_TOKEN_INFO.model: the JPKI token label of an
// Individual Number Card (card.ParseTokenLabel), which fits its 16 bytes.
const tokenModel = "JPKIAPICCTOKEN2"
