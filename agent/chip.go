package agent

import (
	"context"
	"fmt"
	"net/http"

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
	defer func() { wipe(req.PIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		id, err := s.cfg.Confirmer.IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: prompt, CVKeys: s.cfg.CVKeys})
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
		return s.cfg.Confirmer.CheckAge(ctx, j.Surface(), confirm.AgeOptions{Over: req.Over, Prompt: prompt, CVKeys: s.cfg.CVKeys})
	})
}
