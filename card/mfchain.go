package card

import (
	"context"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// The card's MF-level chain of card-verifiable certificates
// (docs/card-apps.md, "Card-verifiable certificates"): at the card level,
// outside every application, GET DATA 00F8 answers a CVC issued by the
// MF-level CV CA key (5000020) and GET DATA 7F21 one issued by the key
// 00F8 certifies, each as the contents of a 7F21 template [one card].
const (
	insGetData byte = 0xCA // ISO/IEC 7816-4 §11.4.3
	// tagMFUpper and tagMFLower are the GET DATA tags (P1-P2).
	tagMFUpper uint16 = 0x00F8
	tagMFLower uint16 = 0x7F21
)

// aidISD is the GlobalPlatform Issuer Security Domain's default AID
// (GlobalPlatform Card Specification §H.1), selected at power-up
// [one card]: selecting it returns to the card level.
var aidISD = []byte{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00}

// MFChain is the card's MF-level CVC chain: Upper (GET DATA 00F8) is
// issued by a pinned MF-level key, Lower (GET DATA 7F21) by Upper's
// subject key.
type MFChain struct {
	Upper, Lower *CVC
}

// ReadMFChain returns to the card level (SELECT of the ISD, which also
// drops any application's security state) and reads the MF-level chain
// with GET DATA 00F8 and 7F21. It needs no credential.
func (j *JPKI) ReadMFChain(ctx context.Context) (*MFChain, error) {
	var m MFChain
	err := j.c.transact(ctx, "reading the card's MF-level certificates", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidISD); err != nil {
			return err
		}
		for _, d := range []struct {
			tag uint16
			dst **CVC
		}{{tagMFUpper, &m.Upper}, {tagMFLower, &m.Lower}} {
			cmd := apdu.Command{CLA: claISO, INS: insGetData, P1: byte(d.tag >> 8), P2: byte(d.tag), Ne: apdu.MaxShortNe}
			out, err := reader.Do(ctx, s.t, cmd, false)
			if err != nil {
				return fmt.Errorf("GET DATA %04X: %w", d.tag, err)
			}
			if *d.dst, err = ParseCVC(out); err != nil {
				return fmt.Errorf("GET DATA %04X: %w", d.tag, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Verify checks the chain: Upper to a pinned MF-level key of keys (as
// VerifyCVC does), then Lower, which must name Upper's subject as its
// issuer, with Upper's key over its 5F4E value. The result's CVC is
// Lower, the card's own key. Failures are *CVError.
func (m *MFChain) Verify(keys *CVCAKeys) (*CVVerification, error) {
	const record = "MF-level chain"
	if m == nil || m.Upper == nil || m.Lower == nil {
		return nil, &CVError{Record: record, Reason: CVReasonNoRecord}
	}
	k, err := keys.verifyCVC(record, m.Upper, CVUseMF)
	if err != nil {
		return nil, err
	}
	fail := func(r CVReason, err error) (*CVVerification, error) {
		return nil, &CVError{Record: record, Reason: r, IssuerKeyID: m.Lower.IssuerKeyID, Err: err}
	}
	if m.Lower.IssuerKeyID != m.Upper.SubjectKeyID {
		return fail(CVReasonUnknownCA, fmt.Errorf("7F21 names issuer %v, 00F8 certifies %v", m.Lower.IssuerKeyID, m.Upper.SubjectKeyID))
	}
	if err := verifySHA256(m.Upper.PublicKey, m.Lower.Body, m.Lower.Signature); err != nil {
		if verifySHA256(m.Upper.PublicKey, m.Lower.BodyTLV, m.Lower.Signature) == nil {
			return fail(CVReasonCVCSignedOverTLV, nil)
		}
		return fail(CVReasonTampered, err)
	}
	return &CVVerification{CAKey: k, CVC: m.Lower}, nil
}
