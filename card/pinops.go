package card

import (
	"context"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// triesLeft selects the PIN EF of k in the current application and sends
// VERIFY with no data (ISO/IEC 7816-4 §11.5.6: "the card returns the
// remaining tries"), which spends nothing. 63Cx gives x; 9000 (some cards:
// already verified in this session) and 6300 (no retry counter) give
// RemainingUnknown, never 0. 63C0, 6983 and 6984 give ErrPINBlocked.
func (s *session) triesLeft(ctx context.Context, k PINKind) (int, error) {
	ref, ok := k.ref()
	if !ok {
		return 0, fmt.Errorf("unknown PIN kind %d", int(k))
	}
	if err := s.selectEF(ctx, ref.ef); err != nil {
		return 0, fmt.Errorf("reading tries of the %s: %w", k, err)
	}
	cmd := apdu.Command{CLA: claISO, INS: apdu.InsVerify, P2: p2SpecificRef}
	resp, err := reader.Exchange(ctx, s.t, cmd, false)
	if err != nil {
		return 0, fmt.Errorf("reading tries of the %s: %w", k, err)
	}
	se := &apdu.StatusError{SW: resp.SW}
	switch n, counted := se.TriesLeft(); {
	case resp.SW == apdu.SWOK, resp.SW == apdu.SWVerifyFailed:
		return RemainingUnknown, nil
	case counted && n > 0:
		return n, nil
	case counted, resp.SW == apdu.SWReferenceDataBlocked, resp.SW == apdu.SWAuthMethodBlocked:
		return 0, fmt.Errorf("reading tries of the %s: %w (%w)", k, ErrPINBlocked, se)
	}
	return 0, fmt.Errorf("reading tries of the %s: %w", k, se)
}

// verify is the one place a PIN is presented to the card. In the current
// application it selects the PIN EF, reads the remaining tries, refuses
// the last one unless Options.AllowLastTry, asks prompt, checks the format
// locally, sends VERIFY once and wipes every copy of the PIN. It never
// retries.
func (s *session) verify(ctx context.Context, k PINKind, prompt PINPrompt) error {
	if prompt == nil {
		return fmt.Errorf("verifying the %s: no PIN prompt given", k)
	}
	remaining, err := s.triesLeft(ctx, k)
	if err != nil {
		return err
	}
	if err := s.checkLastTry(k, remaining); err != nil {
		return err
	}
	raw, err := prompt(ctx, k, remaining)
	defer wipe(raw)
	if err != nil {
		return fmt.Errorf("asking for the %s: %w", k, err)
	}
	pin, err := ValidatePIN(k, raw)
	defer wipe(pin)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.sendVerify(ctx, k, pin)
}

func (s *session) checkLastTry(k PINKind, remaining int) error {
	if remaining == 1 && !s.c.opts.AllowLastTry {
		return fmt.Errorf("verifying the %s: %w", k, ErrLastTry)
	}
	return nil
}

// sendVerify sends VERIFY with pin for the selected PIN EF (§11.5.6,
// P2 = 80). The APDU is encoded here, not by reader.Exchange, so that its
// buffer can be wiped; VERIFY returns no data, so no GET RESPONSE is
// needed.
func (s *session) sendVerify(ctx context.Context, k PINKind, pin []byte) error {
	resp, err := s.transmitSecret(ctx, apdu.Command{CLA: claISO, INS: apdu.InsVerify, P2: p2SpecificRef, Data: pin})
	if err != nil {
		return fmt.Errorf("verifying the %s: %w", k, err)
	}
	return pinResult(k, "verifying", resp.SW)
}

// sendChange sends CHANGE REFERENCE DATA with only the new PIN (§11.5.7,
// P1 = 01), right after a good VERIFY of the same EF.
func (s *session) sendChange(ctx context.Context, k PINKind, newPIN []byte) error {
	resp, err := s.transmitSecret(ctx, apdu.Command{CLA: claISO, INS: apdu.InsChangeReferenceData, P1: p1ChangeNewOnly, P2: p2SpecificRef, Data: newPIN})
	if err != nil {
		return fmt.Errorf("changing the %s: %w", k, err)
	}
	return pinResult(k, "changing", resp.SW)
}

// transmitSecret sends a command whose data is a PIN and wipes the
// encoded APDU afterwards. The trace hook, if any, sees it redacted.
func (s *session) transmitSecret(ctx context.Context, cmd apdu.Command) (apdu.Response, error) {
	raw, err := cmd.ShortBytes()
	defer wipe(raw)
	if err != nil {
		return apdu.Response{}, err
	}
	if err := ctx.Err(); err != nil {
		return apdu.Response{}, err
	}
	s.pinPresented = true
	out, err := s.t.Transmit(ctx, raw)
	if err != nil {
		return apdu.Response{}, err
	}
	return apdu.ParseResponse(out)
}

// pinResult maps the status word of a VERIFY or CHANGE REFERENCE DATA.
func pinResult(k PINKind, verb string, sw uint16) error {
	se := &apdu.StatusError{SW: sw}
	switch n, counted := se.TriesLeft(); {
	case sw == apdu.SWOK:
		return nil
	case counted:
		return &PINError{Kind: k, Remaining: n}
	case sw == apdu.SWVerifyFailed:
		return &PINError{Kind: k, Remaining: RemainingUnknown}
	case sw == apdu.SWReferenceDataBlocked, sw == apdu.SWAuthMethodBlocked:
		return fmt.Errorf("%s the %s: %w (%w)", verb, k, ErrPINBlocked, se)
	}
	return fmt.Errorf("%s the %s: %w", verb, k, se)
}
