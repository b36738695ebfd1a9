package piv

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"math/big"
	"strings"

	"github.com/mynacard/mynacard/apdu"
)

// swNoApplication answers commands sent before the PIV application was
// selected: with no application to handle them the instruction is unknown.
const swNoApplication = swInsNotSupported

func status(sw uint16) apdu.Response { return apdu.Response{SW: sw} }

func ok(data []byte) apdu.Response { return apdu.Response{Data: data, SW: swOK} }

// transmit is Transmit under the lock.
func (c *Card) transmit(b []byte) apdu.Response {
	cmd, _, err := apdu.ParseCommand(b)
	if err != nil {
		c.chained, c.pending = nil, nil
		return status(swWrongLength)
	}
	if cmd.INS == insGetResponse && cmd.CLA == claInterindustry {
		return c.getResponse()
	}
	c.pending = nil // unfetched response data is lost (ISO/IEC 7816-4 §5.3.4)
	if cmd.CLA&^claChainingBit != claInterindustry {
		c.chained = nil
		return status(swClassNotSupported)
	}
	hdr := [4]byte{claInterindustry, cmd.INS, cmd.P1, cmd.P2}
	if c.chained != nil && hdr != c.chainedHdr {
		// A different command breaks the chain (ISO/IEC 7816-4 §5.1.1.1).
		c.chained = nil
	}
	if cmd.CLA&claChainingBit != 0 {
		if len(c.chained)+len(cmd.Data) > maxCommandChaining {
			c.chained = nil
			return status(swWrongLength)
		}
		c.chainedHdr = hdr
		c.chained = append(c.chained, cmd.Data...)
		if c.chained == nil {
			c.chained = []byte{}
		}
		return status(swOK)
	}
	if c.chained != nil {
		cmd.Data = append(c.chained, cmd.Data...)
		c.chained = nil
	}
	return c.chunk(c.dispatch(cmd))
}

// chunk sends at most maxResponseChunk data bytes and keeps the rest for
// GET RESPONSE, announcing it with 61xx (xx = 00 for 256 or more).
func (c *Card) chunk(r apdu.Response) apdu.Response {
	if r.SW != swOK || len(r.Data) <= maxResponseChunk {
		return r
	}
	c.pending = r.Data[maxResponseChunk:]
	return apdu.Response{Data: r.Data[:maxResponseChunk], SW: swBytesRemaining | uint16(min(len(c.pending), maxResponseChunk)&0xFF)}
}

func (c *Card) getResponse() apdu.Response {
	if c.pending == nil {
		return status(swConditionsNotSatisfied)
	}
	rest := c.pending
	c.pending = nil
	return c.chunk(ok(rest))
}

func (c *Card) dispatch(cmd apdu.Command) apdu.Response {
	if cmd.INS == insSelect {
		return c.selectApp(cmd)
	}
	if !c.selected {
		return status(swNoApplication)
	}
	switch cmd.INS {
	case insYKGetVersion:
		return ok(c.cfg.version[:])
	case insYKGetSerial:
		return ok(binary.BigEndian.AppendUint32(nil, c.cfg.serial))
	case insYKGetMetadata:
		return c.metadata(cmd)
	case insGetData:
		return c.getData(cmd)
	case insVerify:
		return c.verify(cmd)
	case insGeneralAuth:
		return c.generalAuthenticate(cmd)
	}
	return status(swInsNotSupported)
}

// selectApp is SELECT by DF name (SP 800-73-4 Part 2 §3.1.1): the PIV AID,
// possibly right-truncated, selects the application and answers its
// application property template; any other AID is not found (as a real
// token answers, so that clients probing for other applications are not
// misled).
func (c *Card) selectApp(cmd apdu.Command) apdu.Response {
	if cmd.P1 != p1SelectByName {
		return status(swIncorrectP1P2)
	}
	if len(cmd.Data) < minPartialAID || !strings.HasPrefix(aidPIV, string(cmd.Data)) {
		return status(swNotFound)
	}
	c.selected = true
	var tmpl []byte
	tmpl = apdu.AppendTLV(tmpl, tagAID, []byte(aidPIV[len(aidPIVRID):]))
	tmpl = apdu.AppendTLV(tmpl, tagCoexistentAuth, apdu.AppendTLV(nil, tagAID, []byte(aidPIVRID)))
	return ok(apdu.AppendTLV(nil, tagAPT, tmpl))
}

// getData is GET DATA (SP 800-73-4 Part 2 §3.1.2) of a certificate object:
// 53 { 70 cert, 71 00, FE 00 } (Part 1 Appendix A).
func (c *Card) getData(cmd apdu.Command) apdu.Response {
	if cmd.P1 != p1GetDataCurrent || cmd.P2 != p2GetDataCurrent {
		return status(swIncorrectP1P2)
	}
	tlvs, err := apdu.ParseTLVs(cmd.Data)
	if err != nil {
		return status(swWrongData)
	}
	list, found := apdu.Find(tlvs, tagTagList)
	if !found || len(list) == 0 || len(list) > 3 {
		return status(swWrongData)
	}
	var tag uint32
	for _, b := range list {
		tag = tag<<8 | uint32(b)
	}
	slot, known := slotForObject(tag)
	if !known {
		return status(swNotFound)
	}
	k := c.cfg.slots[slot]
	if k == nil || len(k.cert) == 0 {
		return status(swNotFound)
	}
	var obj []byte
	obj = apdu.AppendTLV(obj, tagCertificate, k.cert)
	obj = apdu.AppendTLV(obj, tagCertInfo, []byte{0x00})
	obj = apdu.AppendTLV(obj, tagErrorDetection, nil)
	return ok(apdu.AppendTLV(nil, tagDataObject, obj))
}

// metadata is the YubiKey GET METADATA (INS F7, P2 the key reference).
func (c *Card) metadata(cmd apdu.Command) apdu.Response {
	if cmd.P1 != 0 {
		return status(swIncorrectP1P2)
	}
	var m []byte
	switch ref := cmd.P2; ref {
	case keyRefPIN:
		isDefault := byte(0)
		if c.pinMatches(padPIN([]byte(DefaultPIN))) {
			isDefault = 1
		}
		m = apdu.AppendTLV(m, tagMetaAlgorithm, []byte{algPINMarker})
		m = apdu.AppendTLV(m, tagMetaDefault, []byte{isDefault})
		m = apdu.AppendTLV(m, tagMetaRetries, []byte{byte(c.cfg.tries), byte(c.triesLeft)})
	case keyRefCardMgmt:
		m = apdu.AppendTLV(m, tagMetaAlgorithm, []byte{alg3DES})
		m = apdu.AppendTLV(m, tagMetaPolicy, []byte{0, touchPolicyNever})
		m = apdu.AppendTLV(m, tagMetaDefault, []byte{1})
	default:
		k := c.cfg.slots[Slot(ref)]
		if k == nil {
			return status(swNotFound)
		}
		pub, err := publicTemplate(k)
		if err != nil {
			return status(swFunctionNotSupported)
		}
		m = apdu.AppendTLV(m, tagMetaAlgorithm, []byte{k.alg})
		m = apdu.AppendTLV(m, tagMetaPolicy, []byte{byte(k.policy), touchPolicyNever})
		m = apdu.AppendTLV(m, tagMetaOrigin, []byte{originImported})
		m = apdu.AppendTLV(m, tagMetaPublicKey, pub)
	}
	return ok(m)
}

// publicTemplate is the public key as SP 800-73-4 Part 2 table 25/26 give
// it inside 7F49, without the 7F49 wrapper (as YubiKey metadata does).
func publicTemplate(k *slotKey) ([]byte, error) {
	switch key := k.signer.(type) {
	case *ecdsa.PrivateKey:
		pub, err := key.PublicKey.ECDH()
		if err != nil {
			return nil, err
		}
		return apdu.AppendTLV(nil, tagECPoint, pub.Bytes()), nil
	case *rsa.PrivateKey:
		t := apdu.AppendTLV(nil, tagRSAModulus, key.N.Bytes())
		return apdu.AppendTLV(t, tagRSAExponent, big.NewInt(int64(key.E)).Bytes()), nil
	}
	return nil, ErrUnsupportedKey
}

// verify is VERIFY of the PIV PIN (SP 800-73-4 Part 2 §3.2.1): empty data
// asks the status (9000 when verified, 63Cx otherwise), P1 FF resets it,
// and an 8-byte FF-padded PIN is checked against the retry counter.
func (c *Card) verify(cmd apdu.Command) apdu.Response {
	if cmd.P2 != keyRefPIN {
		return status(swRefDataNotFound)
	}
	switch cmd.P1 {
	case 0:
	case p1VerifyResetState:
		if len(cmd.Data) != 0 {
			return status(swWrongData)
		}
		c.pinVerified, c.pinFresh = false, false
		return status(swOK)
	default:
		return status(swIncorrectP1P2)
	}
	if len(cmd.Data) == 0 {
		switch {
		case c.triesLeft == 0:
			return status(swAuthMethodBlocked)
		case c.pinVerified:
			return status(swOK)
		}
		return status(swTriesLeft | uint16(c.triesLeft))
	}
	if len(cmd.Data) != pivPINLength {
		return status(swWrongData)
	}
	if c.triesLeft == 0 {
		return status(swAuthMethodBlocked)
	}
	if !c.pinMatches(cmd.Data) {
		c.triesLeft--
		c.pinVerified, c.pinFresh = false, false
		return status(swTriesLeft | uint16(c.triesLeft))
	}
	c.triesLeft = c.cfg.tries
	c.pinVerified = true
	c.pinFresh = true
	return status(swOK)
}

// generalAuthenticate is GENERAL AUTHENTICATE with a slot's private key
// (SP 800-73-4 Part 2 §3.2.4, Appendix A.4): P1 the algorithm, P2 the
// slot, data 7C { 82 00, 81 challenge }; the answer is 7C { 82 signature }.
// ECDSA signatures are DER; RSA is the raw private-key operation on the
// padded block the host sends.
func (c *Card) generalAuthenticate(cmd apdu.Command) apdu.Response {
	if cmd.P2 == keyRefCardMgmt {
		return status(swFunctionNotSupported) // no management-key authentication
	}
	slot := Slot(cmd.P2)
	if _, isSlot := slot.certObject(); !isSlot {
		return status(swIncorrectP1P2)
	}
	k := c.cfg.slots[slot]
	if k == nil {
		return status(swNotFound)
	}
	if cmd.P1 != k.alg {
		return status(swIncorrectP1P2)
	}
	challenge, good := parseDynAuth(cmd.Data)
	if !good {
		return status(swWrongData)
	}
	switch k.policy {
	case PINPolicyOnce:
		if !c.pinVerified {
			return status(swSecurityStatusNotMet)
		}
	case PINPolicyAlways:
		// "PIN Always": one VERIFY allows one signature.
		fresh := c.pinFresh
		c.pinFresh = false
		if !c.pinVerified || !fresh {
			return status(swSecurityStatusNotMet)
		}
	}
	sig, sw := sign(k, challenge)
	if sw != swOK {
		return status(sw)
	}
	return ok(apdu.AppendTLV(nil, tagDynAuth, apdu.AppendTLV(nil, tagResponse, sig)))
}

// parseDynAuth returns the challenge of 7C { 82 00, 81 challenge }.
func parseDynAuth(data []byte) ([]byte, bool) {
	outer, rest, err := apdu.ReadTLV(data)
	if err != nil || len(rest) != 0 || outer.Tag != tagDynAuth {
		return nil, false
	}
	inner, err := apdu.ParseTLVs(outer.Value)
	if err != nil {
		return nil, false
	}
	resp, hasResp := apdu.Find(inner, tagResponse)
	challenge, hasChallenge := apdu.Find(inner, tagChallenge)
	if !hasResp || len(resp) != 0 || !hasChallenge || len(challenge) == 0 {
		return nil, false
	}
	return challenge, true
}

func sign(k *slotKey, challenge []byte) ([]byte, uint16) {
	switch key := k.signer.(type) {
	case *ecdsa.PrivateKey:
		if len(challenge) > (key.Curve.Params().BitSize+7)/8 {
			return nil, swWrongData
		}
		sig, err := ecdsa.SignASN1(rand.Reader, key, challenge)
		if err != nil {
			return nil, swFunctionNotSupported
		}
		return sig, swOK
	case *rsa.PrivateKey:
		if len(challenge) != key.Size() {
			return nil, swWrongData
		}
		m := new(big.Int).SetBytes(challenge)
		if m.Cmp(key.N) >= 0 {
			return nil, swWrongData
		}
		s := new(big.Int).Exp(m, key.D, key.N)
		return s.FillBytes(make([]byte, key.Size())), swOK
	}
	return nil, swFunctionNotSupported
}
