package confirm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestIdentifyChipText: with the holder's text PIN the basic four are
// read as text, verified to the text CV key and recorded; a tampered text
// record is refused with its own code while the card face verifies.
func TestIdentifyChipText(t *testing.T) {
	h := jpkitest.DefaultHolder()
	ct := h.Contents()
	ctx := context.Background()
	for _, tampered := range []bool{false, true} {
		e := newEnv(t)
		var vopts []virtual.Option
		if tampered {
			vopts = append(vopts, virtual.WithRecordFault(virtual.TextRecordTampered))
		}
		j, vc := chipCard(t, ct, card.Options{}, vopts...)
		id, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(testPINB(t)), TextPrompt: pin(ct.TextPIN), CVKeys: testCVKeys(t)})
		if err != nil {
			t.Fatal(err)
		}
		v := id.Verdict
		if !v.Face.Verified || v.Text == nil {
			t.Fatalf("tampered %v: face %+v text %+v", tampered, v.Face, v.Text)
		}
		if !slices.Contains(id.Read, "name_text") || slices.Contains(id.Read, "number") {
			t.Errorf("read %v", id.Read)
		}
		if vc.TriesLeft(virtual.PINText) != virtual.MaxTriesText {
			t.Errorf("text PIN tries %d after the right PIN", vc.TriesLeft(virtual.PINText))
		}
		r := e.records()
		if len(r) != 1 {
			t.Fatalf("%d records", len(r))
		}
		if tampered {
			if v.OK || v.Refusal != confirm.RefusalChipTextUnverified || v.Text.Verified || v.Text.Reason != card.CVReasonTampered.Code() || id.Text != nil {
				t.Errorf("tampered text: verdict %+v, text %+v", v, id.Text)
			}
			if r[0].Attributes.Name != "" || !strings.Contains(r[0].Details, string(confirm.RefusalChipTextUnverified)) {
				t.Errorf("record of a tampered text: %+v", r[0])
			}
			continue
		}
		if !v.OK || !v.Text.Verified || v.Text.CAKey != "9000033" || !v.Text.TestKey || v.TextMatchesFace == nil || !v.TextMatchesFace.OK {
			t.Fatalf("verdict %+v text %+v", v, v.Text)
		}
		if id.Text == nil || id.Text.Name != ct.Name || id.Text.Address != ct.Address || id.Text.BirthDate != "1985-04-01" || id.Text.Sex != "male" {
			t.Errorf("text %+v", id.Text)
		}
		if a := r[0].Attributes; a.Name != ct.Name || a.Address != ct.Address {
			t.Errorf("record attributes %+v", a)
		}
		if strings.Contains(r[0].Details, ct.Number) {
			t.Error("the record holds the Individual Number")
		}
	}
}

// TestIdentifyChipTextPIN: a wrong text PIN is an error with the tries
// left and nothing recorded; its last try is refused before 照合番号B is
// asked for.
func TestIdentifyChipTextPIN(t *testing.T) {
	ct := jpkitest.DefaultHolder().Contents()
	ctx := context.Background()
	e := newEnv(t)
	j, vc := chipCard(t, ct, card.Options{})
	_, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(testPINB(t)), TextPrompt: pin("0000"), CVKeys: testCVKeys(t)})
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Kind != card.TextPIN || pe.Remaining != virtual.MaxTriesText-1 {
		t.Fatalf("wrong text PIN: %v", err)
	}
	if vc.TriesLeft(virtual.PINText) != virtual.MaxTriesText-1 || len(e.records()) != 0 {
		t.Errorf("tries %d, %d records", vc.TriesLeft(virtual.PINText), len(e.records()))
	}
	// A malformed text PIN never reaches the card.
	if _, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(testPINB(t)), TextPrompt: pin("12"), CVKeys: testCVKeys(t)}); !errors.Is(err, card.ErrPINFormat) {
		t.Errorf("2-digit text PIN: %v", err)
	}
	if vc.TriesLeft(virtual.PINText) != virtual.MaxTriesText-1 {
		t.Error("a malformed text PIN reached the card")
	}
	j, _ = chipCard(t, ct, card.Options{}, virtual.WithMaxTries(virtual.PINText, 1))
	askedB := false
	promptB := func(context.Context, card.PINKind, int) ([]byte, error) {
		askedB = true
		return []byte(testPINB(t)), nil
	}
	if _, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: promptB, TextPrompt: pin(ct.TextPIN), CVKeys: testCVKeys(t)}); !errors.Is(err, card.ErrLastTry) || askedB {
		t.Errorf("last text PIN try: %v, 照合番号B asked %v", err, askedB)
	}
}

// TestIdentifyChipKeepPhoto: the record keeps the photo's hash only by
// default, the photo as read or as PNG when asked, and never the photo of
// a refused identification.
func TestIdentifyChipKeepPhoto(t *testing.T) {
	ct := jpkitest.DefaultHolder().Contents()
	ctx := context.Background()
	type details struct {
		PhotoSHA256 string `json:"photo_sha256"`
		Photo       *struct {
			Format string `json:"format"`
			Data   []byte `json:"data"`
		} `json:"photo"`
	}
	for _, tc := range []struct {
		keep   confirm.PhotoKeep
		vopts  []virtual.Option
		format string
	}{
		{keep: confirm.PhotoHashOnly},
		{keep: confirm.PhotoAsRead, format: "jp2"},
		{keep: confirm.PhotoPNG, format: "png"},
		{keep: confirm.PhotoPNG, vopts: []virtual.Option{virtual.WithRecordFault(virtual.RecordTampered)}},
	} {
		e := newEnv(t)
		j, _ := chipCard(t, ct, card.Options{}, tc.vopts...)
		id, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(testPINB(t)), CVKeys: testCVKeys(t), KeepPhoto: tc.keep})
		if err != nil {
			t.Fatal(err)
		}
		var d details
		if err := json.Unmarshal([]byte(e.records()[0].Details), &d); err != nil {
			t.Fatal(err)
		}
		if d.PhotoSHA256 == "" || id.PhotoKept != tc.format {
			t.Errorf("keep %d: hash %q, kept %q", tc.keep, d.PhotoSHA256, id.PhotoKept)
		}
		switch tc.format {
		case "":
			if d.Photo != nil {
				t.Errorf("keep %d (ok %v): the record holds the photo", tc.keep, id.Verdict.OK)
			}
		case "jp2":
			if d.Photo == nil || d.Photo.Format != tc.format || !bytes.Equal(d.Photo.Data, id.Face.FacePhoto) {
				t.Errorf("as read: %+v", d.Photo)
			}
		case "png":
			if d.Photo == nil || d.Photo.Format != tc.format || !bytes.HasPrefix(d.Photo.Data, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("PNG: %+v", d.Photo)
			}
		}
	}
}

// TestChipAndAgeWithoutAuthCert: a card whose authentication certificate
// cannot be read cannot be checked for revocation: both a chip
// identification and an age check refuse it, and nothing is recorded.
func TestChipAndAgeWithoutAuthCert(t *testing.T) {
	ct := jpkitest.DefaultHolder().Contents()
	ct.AuthCert = nil
	ctx := context.Background()
	e := newEnv(t)
	j, _ := chipCard(t, ct, card.Options{})
	id, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(testPINB(t)), CVKeys: testCVKeys(t)})
	if err != nil || id.Verdict.OK || id.Verdict.Refusal != confirm.RefusalChipNoAuthCert || !id.Verdict.Face.Verified {
		t.Fatalf("chip: %v %+v", err, id)
	}
	res, err := e.confirmer(nil).CheckAge(ctx, j, confirm.AgeOptions{Over: 20, Prompt: pin(testBirthKey), CVKeys: testCVKeys(t)})
	if err != nil || res.OK || res.Answer || res.Refusal != confirm.RefusalChipNoAuthCert {
		t.Fatalf("age: %v %+v", err, res)
	}
	if n := len(e.records()); n != 0 {
		t.Errorf("%d records", n)
	}
}
