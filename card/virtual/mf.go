package virtual

import (
	"crypto/rand"
	"crypto/rsa"

	"github.com/mynacard/mynacard/apdu"
)

// The card level outside every application (docs/card.md, "Power-up and
// the card level"): at power-up the GlobalPlatform Issuer Security Domain
// is selected [one card], no EF can be selected, and GET DATA answers the
// card-level data objects.

const (
	// aidISD is the GlobalPlatform Issuer Security Domain's default AID
	// (GlobalPlatform Card Specification §H.1), selected at power-up.
	aidISD = "\xA0\x00\x00\x01\x51\x00\x00"
	// isdMinPrefix is the shortest prefix of aidISD that selects it: the
	// RID A0 00 00 01 51 (shorter ones name no registered provider).
	isdMinPrefix = 5

	insGetData      byte = 0xCA // §11.4.3 GET DATA
	insGetChallenge byte = 0x84 // §11.6.3 GET CHALLENGE

	// Card-level GET DATA tags (P1-P2).
	tagContactATR uint16 = 0x5F51 // the contact ATR without TS, answered everywhere
	tagChainUpper uint16 = 0x00F8 // CVC certified by the card-level CV CA
	tagChainLower uint16 = 0x7F21 // CVC certified by the key 00F8 certifies

	// swChallengeExtended answers GET CHALLENGE with an extended Le
	// [one card].
	swChallengeExtended = apdu.SWConditionsNotSatisfied
	// swNoSuchDataObject answers GET DATA of a tag the card has not got
	// where it is asked (§5.6 table 6, 6A88 "referenced data not found").
	swNoSuchDataObject = apdu.SWReferenceDataNotFound
	// swSelectNoApplication answers SELECT P1 00 at the card level
	// [one card]: 6A86, right after reset.
	swSelectNoApplication = apdu.SWIncorrectP1P2
)

// selectISD makes the card level current again, as at power-up: the
// application and its security state are dropped.
func (c *Card) selectISD() {
	c.cur, c.curEF = nil, nil
	clear(c.verified)
}

// selectByFID is SELECT P1 00 as the card answers it [one card]: 6A86 at
// the card level; inside an application, 00 A4 00 00 with no data does
// nothing and answers 9000; an identifier (3F00 included) is not found.
func (c *Card) selectByFID(cmd apdu.Command) apdu.Response {
	switch {
	case c.cur == nil:
		return status(swSelectNoApplication)
	case len(cmd.Data) == 0:
		return status(apdu.SWOK)
	}
	return status(apdu.SWFileNotFound)
}

// getData is GET DATA `00 CA P1 P2 Le` (§11.4.3) of a card-level data
// object: 5F51 anywhere, 00F8 and 7F21 only at the card level. A
// response longer than Le is chained: 61xx and GET RESPONSE (§5.3.4).
func (c *Card) getData(cmd apdu.Command) apdu.Response {
	if len(cmd.Data) > 0 || cmd.Ne == 0 {
		return status(apdu.SWWrongLength)
	}
	tag := uint16(cmd.P1)<<8 | uint16(cmd.P2)
	var data []byte
	switch {
	case tag == tagContactATR:
		if len(c.cfg.atr) < 2 {
			return status(swNoSuchDataObject)
		}
		data = c.cfg.atr[1:] // without TS (ISO/IEC 7816-3 §8.1)
	case c.cur == nil && (tag == tagChainUpper || tag == tagChainLower):
		chain, err := c.mfChainLocked()
		if err != nil {
			return status(apdu.SWNoPreciseDiagnosis)
		}
		data = chain[0]
		if tag == tagChainLower {
			data = chain[1]
		}
	default:
		return status(swNoSuchDataObject)
	}
	if len(data) > cmd.Ne {
		c.pending = append([]byte(nil), data[cmd.Ne:]...)
		c.pendSW, c.hasPend = apdu.SWOK, true
		return apdu.Response{Data: data[:cmd.Ne:cmd.Ne], SW: moreData(len(c.pending))}
	}
	return apdu.Response{Data: append([]byte(nil), data...), SW: apdu.SWOK}
}

// getChallenge is GET CHALLENGE `00 84 00 00 Le` (§11.6.3): Le random
// bytes, 1–256. An extended Le is refused in execute.
func (c *Card) getChallenge(cmd apdu.Command) apdu.Response {
	switch {
	case cmd.P1 != 0 || cmd.P2 != 0:
		return status(apdu.SWIncorrectP1P2)
	case len(cmd.Data) > 0 || cmd.Ne == 0:
		return status(apdu.SWWrongLength)
	}
	b := make([]byte, cmd.Ne)
	if _, err := rand.Read(b); err != nil {
		return status(apdu.SWNoPreciseDiagnosis)
	}
	return apdu.Response{Data: b, SW: apdu.SWOK}
}

// MF chain keys: the card-level CV CA (cvcaMFChain) certifies the
// intermediate in 00F8; the intermediate certifies the card's own key in
// 7F21. Their final key ID bytes follow the CA's. Both keys are committed
// test data (cvca/README.md), used when Contents gives none.
//
//go:generate go test -run ^TestMFChainFixtures$ -update-fixtures
const (
	mfIntermediateDigits = "9100020"
	mfCardKeyDigits      = "9200020"
)

// mfChainLocked returns the contents of the 00F8 and 7F21 templates,
// made on first use from Contents.MFChainKey and Contents.MFCardKey or,
// for a nil one, the committed key of the same role.
func (c *Card) mfChainLocked() ([2][]byte, error) {
	if c.mfChain[0] != nil {
		return c.mfChain, nil
	}
	ca, err := cvcaKey(cvcaMFChain)
	if err != nil {
		return c.mfChain, err
	}
	inter, card := c.mfKeys[0], c.mfKeys[1]
	for _, k := range []struct {
		key    **rsa.PrivateKey
		digits string
	}{{&inter, mfIntermediateDigits}, {&card, mfCardKeyDigits}} {
		if *k.key == nil {
			if *k.key, err = cvKey(k.digits); err != nil {
				return c.mfChain, err
			}
		}
	}
	caID := cvKeyID(cvcaMFChain, cvKeyIDFinalMFChain)
	interID := cvKeyID(mfIntermediateDigits, cvKeyIDFinalMFChain)
	cardID := cvKeyID(mfCardKeyDigits, cvKeyIDFinalMFChain)
	upper, err := cvcContents(caID, interID, &inter.PublicKey, ca)
	if err != nil {
		return c.mfChain, err
	}
	lower, err := cvcContents(interID, cardID, &card.PublicKey, inter)
	if err != nil {
		return c.mfChain, err
	}
	c.mfChain = [2][]byte{upper, lower}
	return c.mfChain, nil
}
