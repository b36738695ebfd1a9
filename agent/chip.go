package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/jp2"
)

// ChipIdentifyRequest is the body of POST /v1/chip-identify: chip-reading
// identification (confirm.Confirmer.IdentifyChip) with 照合番号B.
type ChipIdentifyRequest struct {
	Reader string `json:"reader,omitempty"`
	// PIN is 照合番号B: the birth date as Japanese-era YYMMDD, the card's
	// expiry year and the 4-digit security code (14 digits).
	PIN PIN `json:"pin"`
	// TextPIN, when given, is the holder's 4-digit text PIN (券面事項入力補助用):
	// the name, address, birth date and sex are then also read as text,
	// verified to the pinned text CV CA key and answered in text. Its
	// tries are read before 照合番号B is used, with the same last-try rule;
	// a wrong one is 422 wrong_pin with key "text".
	TextPIN PIN `json:"text_pin,omitempty"`
}

// Key names of the text and surface applications' PINs, for GET
// /v1/pin-status and the key of a PIN error.
const (
	// KeyText is the text application's 4-digit PIN.
	KeyText = "text"
	// KeyPINB is the surface application's 照合番号B.
	KeyPINB = "pin_b"
	// KeyBirthDate is the surface application's birth-date key.
	KeyBirthDate = "birth_date"
)

// pinKinds maps the key names to the card's PINs.
var pinKinds = map[string]card.PINKind{ //nolint:gochecknoglobals // immutable table
	card.SignKey.String(): card.SignPIN, card.AuthKey.String(): card.AuthPIN,
	KeyText: card.TextPIN, KeyPINB: card.SurfacePINB, KeyBirthDate: card.SurfaceBirthDate,
}

// pinKeyName is the key name of the PIN an error is about, "" when it
// names none.
func pinKeyName(err error) string {
	var k card.PINKind
	var pk *card.PINKindError
	var pe *card.PINError
	switch {
	case errors.As(err, &pk):
		k = pk.Kind
	case errors.As(err, &pe):
		k = pe.Kind
	default:
		return ""
	}
	for name, kind := range pinKinds {
		if kind == k {
			return name
		}
	}
	return ""
}

// ChipIdentifyAnswer is the answer of POST /v1/chip-identify: the
// identification, and, only when its verdict is OK, the face photo
// decoded to PNG and the card's name and address images (PNG), base64 in
// JSON, for the page to show beside the verdict.
type ChipIdentifyAnswer struct {
	*confirm.ChipIdentification
	FacePNG    []byte `json:"face_png,omitempty"`
	NamePNG    []byte `json:"name_png,omitempty"`
	AddressPNG []byte `json:"address_png,omitempty"`
}

// AgeRequest is the body of POST /v1/age: an age check
// (confirm.Confirmer.CheckAge) that answers only yes or no.
type AgeRequest struct {
	Reader string `json:"reader,omitempty"`
	// Over is the age asked about (1 to confirm.MaxAgeOver).
	Over int `json:"over"`
	// PIN is the birth-date key: the birth date as 6-digit Japanese-era
	// YYMMDD.
	PIN PIN `json:"pin"`
}

func (s *Server) handleChipIdentify(w http.ResponseWriter, r *http.Request) {
	if !s.ready(w) {
		return
	}
	var req ChipIdentifyRequest
	defer func() { wipe(req.PIN); wipe(req.TextPIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	// The operation owns a copy of the text PIN, as runCard's goroutine
	// owns its copy of the PIN: whichever of the operation and this
	// handler claims it first wipes it, so that it is wiped whether or not
	// the operation ever runs.
	var textPIN []byte
	var claimed atomic.Bool
	if len(req.TextPIN) > 0 {
		// Its form is checked before the card is touched or 照合番号B used.
		ok, err := card.ValidatePIN(card.TextPIN, req.TextPIN)
		wipe(ok)
		if err != nil {
			e := toAPIError(err)
			e.Key = KeyText
			writeError(w, e)
			return
		}
		textPIN = bytes.Clone(req.TextPIN)
		defer func() {
			if claimed.CompareAndSwap(false, true) {
				wipe(textPIN)
			}
		}()
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		opts := confirm.ChipOptions{Prompt: prompt, CVKeys: s.cfg.CVKeys}
		if textPIN != nil {
			if !claimed.CompareAndSwap(false, true) {
				return nil, errors.New("agent: the request ended before the card was read")
			}
			defer wipe(textPIN)
			asked := false
			opts.TextPrompt = func(context.Context, card.PINKind, int) ([]byte, error) {
				if asked {
					return nil, errors.New("agent: the text PIN was asked for twice")
				}
				asked = true
				return bytes.Clone(textPIN), nil // the card library wipes its copy
			}
		}
		id, err := s.cfg.Confirmer.IdentifyChip(ctx, j, opts)
		if err != nil {
			return nil, err
		}
		out := ChipIdentifyAnswer{ChipIdentification: id}
		if id.Verdict.OK {
			if out.FacePNG, err = jp2.ToPNG(id.Face.FacePhoto); err != nil {
				return nil, fmt.Errorf("decoding the face photo: %w", err)
			}
			out.NamePNG, out.AddressPNG = id.Face.NameImage, id.Face.AddressImage
		}
		return out, nil
	})
}

func (s *Server) handleAge(w http.ResponseWriter, r *http.Request) {
	if !s.ready(w) {
		return
	}
	var req AgeRequest
	defer func() { wipe(req.PIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	if req.Over < 1 || req.Over > confirm.MaxAgeOver {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("over must be an age from 1 to %d", confirm.MaxAgeOver)))
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		return s.cfg.Confirmer.CheckAge(ctx, j, confirm.AgeOptions{Over: req.Over, Prompt: prompt, CVKeys: s.cfg.CVKeys})
	})
}
