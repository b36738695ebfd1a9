package virtual

import (
	"crypto/subtle"
	"strings"

	"github.com/mynacard/mynacard/apdu"
)

// Class byte tests (ISO/IEC 7816-4 §5.4.1).
const (
	claFurtherInterindustry byte = 0x40 // b7 set: further interindustry classes
	claRFU                  byte = 0x20 // b6 set with b7 clear: reserved
	claChaining             byte = 0x10 // b5: command chaining (§5.3.3)
	claInvalid              byte = 0xFF // PPS / invalid class
	// swChainingUnsupported answers a CLA with the chaining bit (6884,
	// §5.6 table 6): the card does not support command chaining.
	swChainingUnsupported uint16 = 0x6884
)

func status(sw uint16) apdu.Response { return apdu.Response{SW: sw} }

// respond runs one command APDU and applies GET RESPONSE chaining.
func (c *Card) respond(raw []byte) []byte {
	if len(raw) >= 2 && raw[0] == claInterindustry && raw[1] == apdu.InsGetResponse {
		return c.getResponse(raw).Bytes()
	}
	c.clearPending()
	resp := c.execute(raw)
	t := c.cfg.chainThreshold
	if t > 0 && len(resp.Data) > t && !c.hasPend {
		c.pending = append([]byte(nil), resp.Data[t:]...)
		c.pendSW, c.hasPend = resp.SW, true
		return apdu.Response{Data: resp.Data[:t], SW: moreData(len(c.pending))}.Bytes()
	}
	return resp.Bytes()
}

func moreData(n int) uint16 {
	if n >= apdu.MaxShortNe {
		return swMoreData // 6100: 256 or more bytes remain
	}
	return swMoreData | uint16(n)
}

func (c *Card) clearPending() {
	c.pending, c.pendSW, c.hasPend = nil, 0, false
}

// getResponse answers GET RESPONSE `00 C0 00 00 Le` (§11.7.1) from the
// data left by the previous command.
func (c *Card) getResponse(raw []byte) apdu.Response {
	cmd, _, err := apdu.ParseCommand(raw)
	switch {
	case err != nil || len(cmd.Data) > 0 || cmd.Ne == 0:
		return status(apdu.SWWrongLength)
	case cmd.P1 != 0 || cmd.P2 != 0:
		return status(apdu.SWIncorrectP1P2)
	case !c.hasPend:
		return status(swNothingToGet)
	}
	n := min(cmd.Ne, len(c.pending))
	chunk := c.pending[:n]
	c.pending = c.pending[n:]
	if len(c.pending) > 0 {
		return apdu.Response{Data: chunk, SW: moreData(len(c.pending))}
	}
	sw := c.pendSW
	c.clearPending()
	return apdu.Response{Data: chunk, SW: sw}
}

// execute checks the class and instruction, parses the command and
// dispatches it.
func (c *Card) execute(raw []byte) apdu.Response {
	if len(raw) < 4 {
		return status(apdu.SWWrongLength)
	}
	cla, ins := raw[0], raw[1]
	switch {
	case cla == claInvalid || cla&claFurtherInterindustry != 0 || cla&claRFU != 0:
		return status(apdu.SWClassNotSupported)
	case cla&claSMMask != 0:
		return status(apdu.SWSecureMessagingDenied)
	case cla&claChaining != 0:
		return status(swChainingUnsupported)
	case cla&claChannelMask != 0:
		return status(swLogicalChannel)
	}
	var handler func(apdu.Command) apdu.Response
	switch {
	case cla == claInterindustry && ins == apdu.InsSelect:
		handler = c.selectFile
	case cla == claInterindustry && ins == apdu.InsReadBinary:
		handler = c.readBinary
	case cla == claInterindustry && ins == insReadRecord:
		handler = c.readRecord
	case cla == claInterindustry && ins == apdu.InsVerify:
		handler = c.verify
	case cla == claInterindustry && ins == apdu.InsChangeReferenceData:
		handler = c.changeReferenceData
	case cla == claProprietary && ins == apdu.InsComputeSignature:
		handler = c.sign
	case cla == claInterindustry && ins == insGetData:
		handler = c.getData
	case cla == claInterindustry && ins == insGetChallenge:
		handler = c.getChallenge
	default:
		return status(apdu.SWInstructionNotSupported)
	}
	cmd, extended, err := apdu.ParseCommand(raw)
	if err != nil || (extended && c.cfg.noExtended) {
		return status(apdu.SWWrongLength)
	}
	if extended && ins == insGetChallenge {
		return status(swChallengeExtended)
	}
	return handler(cmd)
}

// selectFile is SELECT (§11.2.2): by DF name (P1 04, a prefix will do),
// an EF under the current application (P1 02), and P1 00 as the card
// answers it (selectByFID); the MF is never selectable.
func (c *Card) selectFile(cmd apdu.Command) apdu.Response {
	if cmd.P2 != p2SelectNoData && cmd.P2 != p2SelectFCI {
		return status(apdu.SWIncorrectP1P2)
	}
	switch cmd.P1 {
	case p1SelectDFName:
		if len(cmd.Data) == 0 || len(cmd.Data) > 16 { // §8.2.1.2: 1–16 bytes
			return status(swNcInconsistent)
		}
		if strings.HasPrefix(aidISD, string(cmd.Data)) && len(cmd.Data) >= isdMinPrefix {
			c.selectISD()
			return status(apdu.SWOK)
		}
		for _, a := range c.apps {
			// A prefix of the DF name selects it (ISO/IEC 7816-4 §11.2.2,
			// P2 first occurrence), the first in card order when several
			// share it.
			if strings.HasPrefix(a.aid, string(cmd.Data)) {
				if c.cur != a || reselectDropsState {
					clear(c.verified)
				}
				c.cur, c.curEF = a, nil
				return status(apdu.SWOK) // no FCI, also for P2 = 00
			}
		}
		return status(apdu.SWFileNotFound) // current DF unchanged
	case p1SelectFID:
		return c.selectByFID(cmd)
	case p1SelectEF:
		if len(cmd.Data) != 2 {
			return status(swNcInconsistent)
		}
		fid := uint16(cmd.Data[0])<<8 | uint16(cmd.Data[1])
		if c.cur == nil || fid == fidMF {
			return status(apdu.SWFileNotFound)
		}
		f, ok := c.cur.files[fid]
		if !ok {
			return status(apdu.SWFileNotFound)
		}
		c.curEF = f
		return status(apdu.SWOK)
	default: // P1 00 (MF/DF/EF by identifier), 08/09 (by path) …
		return status(apdu.SWIncorrectP1P2)
	}
}

func (c *Card) bySFI(sfi byte) *file {
	if c.cur == nil || sfi == 0 {
		return nil
	}
	return c.cur.files[uint16(sfi)]
}

func (c *Card) mayRead(f *file) bool {
	if len(f.readers) == 0 {
		return true
	}
	for _, p := range f.readers {
		if c.verified[p] {
			return true
		}
	}
	return false
}

// readBinary is READ BINARY with an even INS (§11.3.3): P1-P2 a 15-bit
// offset, or P1 = 1 0 0 SFI and P2 the offset (the EF becomes current).
func (c *Card) readBinary(cmd apdu.Command) apdu.Response {
	if len(cmd.Data) > 0 || cmd.Ne == 0 {
		return status(apdu.SWWrongLength)
	}
	f, off := c.curEF, int(cmd.P1)<<8|int(cmd.P2)
	if cmd.P1&p1ReadSFI != 0 {
		if cmd.P1&0x60 != 0 {
			return status(apdu.SWIncorrectP1P2)
		}
		if f = c.bySFI(cmd.P1 & sfiMask); f == nil {
			return status(apdu.SWFileNotFound)
		}
		c.curEF, off = f, int(cmd.P2)
	}
	if f == nil {
		return status(swNoCurrentEF)
	}
	if f.kind != kindBinary {
		return status(swIncompatibleFile)
	}
	if !c.mayRead(f) {
		return status(apdu.SWSecurityStatusNotMet)
	}
	if off >= len(f.data) {
		return status(swPastEndOfFile)
	}
	end := off + cmd.Ne
	if end > len(f.data) {
		return c.endOfFile(f.data, off, cmd.Ne)
	}
	return apdu.Response{Data: f.data[off:end], SW: apdu.SWOK}
}

// readRecord is READ RECORD (§11.4.3) of one record by number: P1 the
// record number, P2 04 (current EF) or SFI<<3|04.
func (c *Card) readRecord(cmd apdu.Command) apdu.Response {
	if len(cmd.Data) > 0 || cmd.Ne == 0 {
		return status(apdu.SWWrongLength)
	}
	if cmd.P2&0x07 != p2ReadRecordCur || cmd.P1 == 0 {
		return status(apdu.SWIncorrectP1P2)
	}
	f := c.curEF
	if sfi := cmd.P2 >> 3; sfi != 0 {
		if f = c.bySFI(sfi); f == nil {
			return status(apdu.SWFileNotFound)
		}
		c.curEF = f
	}
	if f == nil {
		return status(swNoCurrentEF)
	}
	if f.kind != kindRecord {
		return status(swIncompatibleFile)
	}
	if int(cmd.P1) > len(f.records) {
		return status(apdu.SWRecordNotFound)
	}
	rec := f.records[cmd.P1-1]
	if cmd.Ne < len(rec) {
		return apdu.Response{Data: rec[:cmd.Ne], SW: c.cfg.shortReadSW}
	}
	return apdu.Response{Data: rec, SW: apdu.SWOK}
}

// referenced resolves P2 of VERIFY, CHANGE REFERENCE DATA and SIGN: 80
// is the current EF, 80|SFI (81–9E) the EF whose identifier's low five
// bits are SFI (§11.5.6 table 65 b5-b1, used by this card as an SFI). The
// current EF is not changed.
func (c *Card) referenced(p2 byte) (*file, uint16) {
	switch {
	case p2 == p2SpecificRef:
		if c.curEF == nil {
			return nil, swNoCurrentEF
		}
		return c.curEF, apdu.SWOK
	case p2&^sfiMask == p2SpecificRef && p2&sfiMask != sfiMask:
		if f := c.bySFI(p2 & sfiMask); f != nil {
			return f, apdu.SWOK
		}
		return nil, apdu.SWReferenceDataNotFound
	}
	return nil, apdu.SWIncorrectP1P2
}

func (c *Card) referencedPIN(p2 byte) (*pinFile, uint16) {
	f, sw := c.referenced(p2)
	if f == nil {
		return nil, sw
	}
	if f.kind != kindPIN {
		return nil, swIncompatibleFile
	}
	return f.pin, apdu.SWOK
}

// verify is VERIFY (§11.5.6) with P1 00 and P2 80 or 80|SFI.
func (c *Card) verify(cmd apdu.Command) apdu.Response {
	if cmd.P1 != 0 {
		return status(apdu.SWIncorrectP1P2)
	}
	p, sw := c.referencedPIN(cmd.P2)
	if p == nil {
		return status(sw)
	}
	if len(cmd.Data) == 0 {
		// §11.5.6: no data field asks for the retry counter; no try spent.
		if sw, ok := c.cfg.variants.triesQuery[p.ref]; ok {
			return status(sw)
		}
		switch {
		case p.tries == 0:
			return status(uint16(c.cfg.variants.blockedQuery))
		case c.verified[p.ref] && c.cfg.emptyVerifyVerified:
			return status(apdu.SWOK)
		}
		return status(triesSW(p.tries))
	}
	if p.tries == 0 {
		return status(apdu.SWReferenceDataBlocked)
	}
	if !verifyWrongLengthSpendsTry && !p.format.ok(cmd.Data) {
		return status(apdu.SWWrongLength)
	}
	// The PIN is compared as stored, byte for byte (case-sensitive).
	if subtle.ConstantTimeCompare(cmd.Data, p.value) == 1 {
		p.tries = p.max
		c.verified[p.ref] = true
		return status(apdu.SWOK)
	}
	p.tries--
	c.verified[p.ref] = false
	return status(triesSW(p.tries))
}

// triesSW is 63Cx (§5.6 table 5: counter x, 0–15).
func triesSW(n int) uint16 { return 0x63C0 | uint16(n&0x0F) }

// changeReferenceData is CHANGE REFERENCE DATA (§11.5.7) with P1 01 (new
// PIN only), allowed after a good VERIFY of the same PIN since the
// application was selected.
func (c *Card) changeReferenceData(cmd apdu.Command) apdu.Response {
	if cmd.P1 != p1ChangeNewOnly {
		return status(apdu.SWIncorrectP1P2)
	}
	p, sw := c.referencedPIN(cmd.P2)
	switch {
	case p == nil:
		return status(sw)
	case p.tries == 0:
		return status(apdu.SWReferenceDataBlocked)
	case !c.verified[p.ref]:
		return status(apdu.SWSecurityStatusNotMet)
	case !p.changeable:
		return status(swChangeNotAllowed)
	case !p.format.ok(cmd.Data):
		return status(apdu.SWWrongData)
	}
	clear(p.value) // wipe the old reference data
	p.value = append([]byte(nil), cmd.Data...)
	p.tries = p.max
	return status(apdu.SWOK)
}

// sign is the JPKI proprietary SIGN `80 2A P1 P2 Lc data 00`: P1 the
// scheme (SignScheme), P2 80 (the current EF) or 80|SFI.
func (c *Card) sign(cmd apdu.Command) apdu.Response {
	if cmd.P1 > byte(SignSHA256PSS) {
		return status(swSignSchemeUnsupported)
	}
	f, sw := c.referenced(cmd.P2)
	if cmd.P2 == p2SignCurrentKey && c.curEF != nil {
		f = c.curEF
	}
	if f == nil {
		return status(sw)
	}
	if f.kind != kindKey {
		return status(swIncompatibleFile)
	}
	if f.keyPIN != pinNone && !c.verified[f.keyPIN] {
		return status(apdu.SWSecurityStatusNotMet)
	}
	if f.ecKey != nil {
		return c.signECDSA(cmd, f)
	}
	k := f.key.Size()
	switch {
	case len(cmd.Data) == 0:
		return status(apdu.SWWrongLength)
	case cmd.Ne != signatureNeNone && cmd.Ne < k:
		return status(swWrongLe | uint16(k&0xFF))
	}
	sig, sw := signWith(cmd.P1, f.key, cmd.Data)
	if sw != apdu.SWOK {
		return status(sw)
	}
	return apdu.Response{Data: sig, SW: apdu.SWOK}
}
