package confirm

import (
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jp2"
)

// A chip identification's optional parts: the holder's basic four as text
// from the text application (with the holder's 4-digit PIN), and the face
// photo kept in the record.

// Refusal codes of the text read with the holder's PIN.
const (
	// RefusalChipTextUnverified: the text application's integrity record
	// does not verify to a pinned text CV CA key (ChipVerdict.Text.Reason
	// says why: tampered, signed by another key, a test key...), or it
	// does not cover the basic four that were read.
	RefusalChipTextUnverified RefusalCode = "text_record_not_verified"
	// RefusalChipTextMismatch: the text's birth date or sex are not the
	// verified card face's.
	RefusalChipTextMismatch RefusalCode = "text_does_not_match_face"
)

// ChipText is the holder's basic four as text, read from the text
// application (券面事項入力補助AP) with the holder's PIN and verified to
// the pinned text CV CA key. The Individual Number is not read.
type ChipText struct {
	// Name is family and given name separated by U+3000.
	Name    string `json:"name"`
	Address string `json:"address"`
	// BirthDate is YYYY-MM-DD; BirthDateJapanese the same in the
	// Japanese era.
	BirthDate         string `json:"birth_date"`
	BirthDateJapanese string `json:"birth_date_japanese,omitempty"`
	Sex               string `json:"sex"`
}

// What the text read adds to ChipIdentification.Read.
var chipTextRead = []string{"name_text", "address_text", "birth_date_text", "sex_text", "text_integrity_record"} //nolint:gochecknoglobals // constant list

// PhotoKeep says what a chip identification's record keeps of the face
// photo.
type PhotoKeep int

// What the record keeps of the photo.
const (
	// PhotoHashOnly keeps its SHA-256 only (ChipIdentification.PhotoSHA256):
	// the record proves which photo was shown without holding it.
	PhotoHashOnly PhotoKeep = iota
	// PhotoAsRead keeps the photo as read from the card (JPEG 2000, a JP2
	// file or a bare codestream).
	PhotoAsRead
	// PhotoPNG keeps the photo decoded to PNG.
	PhotoPNG
)

// keptPhoto is the photo in a record's details: Data is base64 in JSON.
type keptPhoto struct {
	Format string `json:"format"`
	Data   []byte `json:"data"`
}

// keepPhoto returns what the record keeps of sf's photo under k: nil for
// PhotoHashOnly.
func keepPhoto(k PhotoKeep, sf *card.Surface) (*keptPhoto, error) {
	switch k {
	case PhotoHashOnly:
		return nil, nil
	case PhotoAsRead:
		// A photo that is not a bare codestream is kept as a JP2 file.
		f := card.FormatJP2.Ext()
		if sf.PhotoFormat == card.FormatJPEG2000Codestream {
			f = card.FormatJPEG2000Codestream.Ext()
		}
		return &keptPhoto{Format: f, Data: append([]byte(nil), sf.FacePhoto...)}, nil
	case PhotoPNG:
		png, err := jp2.ToPNG(sf.FacePhoto)
		if err != nil {
			return nil, fmt.Errorf("keeping the face photo as PNG: %w", err)
		}
		return &keptPhoto{Format: card.FormatPNG.Ext(), Data: png}, nil
	}
	return nil, fmt.Errorf("keeping the face photo: unknown PhotoKeep %d", int(k))
}

// checkText verifies the text read with the holder's PIN to keys and
// compares its birth date and sex with the card face sf. It sets the
// verdict's Text and TextMatchesFace, and id.Text only when both passed.
func checkText(id *ChipIdentification, txt *card.TextRecord, sf *card.Surface, keys *card.CVCAKeys) {
	v := &id.Verdict
	id.Read = append(append([]string(nil), id.Read...), chipTextRead...)
	tv, err := txt.Verify(keys)
	var cv *card.CVVerification
	if err == nil {
		cv = &tv.CVVerification
		if !tv.BasicChecked || !txt.Has(card.TextBasicField) {
			cv, err = nil, errors.New("the integrity record was not checked against the basic four")
		}
	}
	res := cvResult(cv, err)
	v.Text = &res
	if !res.Verified {
		return
	}
	b := txt.Basic
	match := CheckResult{OK: b.BirthDate.Equal(sf.Birth) && b.Sex == sf.Sex}
	if !match.OK {
		match.Detail = "the text's birth date or sex differ from the verified card face"
	}
	v.TextMatchesFace = &match
	if !match.OK {
		return
	}
	id.Text = &ChipText{
		Name: b.Name, Address: b.Address,
		BirthDate: b.BirthDate.Format(dateLayout), BirthDateJapanese: card.FormatJapaneseDate(b.BirthDate),
		Sex: b.Sex.String(),
	}
}
