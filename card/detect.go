package card

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// CardType is what the JPKI application's token label says the card is.
type CardType int

// Card types, from the label at the start of JPKI EF 0006.
const (
	// Unknown is a JPKI application with an unrecognised label, or no JPKI
	// application at all.
	Unknown CardType = iota
	// MyNumberCard is an Individual Number Card ("JPKIAPICCTOKEN2").
	MyNumberCard
	// PhoneToken is a smartphone's JPKI applet ("JPKIAPGPSETOKEN" on
	// Android's GP secure element, "JPKIAPIOSTOKEN" on iOS). It has no text
	// or surface application, and it wants the PIN for the auth
	// certificate.
	PhoneToken
	// OldResidentCard is a Basic Resident Register card (住基カード,
	// "JPKIAPICCTOKEN"), whose JPKI certificates are no longer issued: it is
	// rejected.
	OldResidentCard
)

// String names the card type.
func (t CardType) String() string {
	switch t {
	case MyNumberCard:
		return "Individual Number Card"
	case PhoneToken:
		return "smartphone JPKI token"
	case OldResidentCard:
		return "Basic Resident Register card"
	}
	return "unknown card"
}

// Token labels (PKCS#11 CK_TOKEN_INFO.label, the first 32 bytes of EF 0006,
// blank-padded).
const (
	labelMyNumberCard = "JPKIAPICCTOKEN2"
	labelAndroid      = "JPKIAPGPSETOKEN"
	labelIOS          = "JPKIAPIOSTOKEN"
	labelOldCard      = "JPKIAPICCTOKEN"
	// tokenLabelLen is the size of CK_TOKEN_INFO.label (PKCS#11 v2.40
	// §3.2): clients read just these bytes of EF 0006.
	tokenLabelLen = 32
)

// ErrNotMyNumberCard reports a card that is not usable as an Individual
// Number Card: no JPKI application (6A82 on its AID), or a token type that
// is rejected. Errors wrapping it say which type was found.
var ErrNotMyNumberCard = errors.New("not an Individual Number Card")

// ParseTokenLabel trims a CK_TOKEN_INFO label (blank or NUL padded) and
// tells which card type it names. It never fails: an unrecognised label is
// Unknown.
func ParseTokenLabel(b []byte) (CardType, string) {
	if len(b) > tokenLabelLen {
		b = b[:tokenLabelLen]
	}
	label := string(bytes.TrimRight(b, " \x00"))
	switch label {
	case labelMyNumberCard:
		return MyNumberCard, label
	case labelAndroid, labelIOS:
		return PhoneToken, label
	case labelOldCard:
		return OldResidentCard, label
	}
	return Unknown, label
}

// Detect tells what card c holds by selecting the JPKI application and
// reading the token label of EF 0006, never by ATR (contactless readers
// invent one). It returns the type and the trimmed label. An unrelated
// card, an old resident-register card and an unknown label give an error
// wrapping ErrNotMyNumberCard; a phone token is accepted.
func Detect(ctx context.Context, c reader.Card) (CardType, string, error) {
	var (
		typ   CardType
		label string
	)
	err := newConn(c, Options{}).transact(ctx, "detecting card", func(ctx context.Context, s *session) error {
		var err error
		typ, label, err = s.detect(ctx)
		return err
	})
	return typ, label, err
}

// detect is Detect inside a transaction.
func (s *session) detect(ctx context.Context) (CardType, string, error) {
	// Any status word other than 9000 (6A82 from most cards, but 6A86,
	// 6D00 or 6E00 from some) means "not this application"; a transport
	// error is passed on as it is.
	var se *apdu.StatusError
	if err := s.selectApp(ctx, aidJPKI); err != nil {
		if errors.As(err, &se) {
			return Unknown, "", fmt.Errorf("%w: no JPKI application (%w)", ErrNotMyNumberCard, err)
		}
		return Unknown, "", err
	}
	label, err := s.readToken(ctx)
	if err != nil {
		if errors.As(err, &se) {
			return Unknown, "", fmt.Errorf("%w: JPKI application without a readable token (%w)", ErrNotMyNumberCard, err)
		}
		return Unknown, "", err
	}
	typ, trimmed := ParseTokenLabel(label)
	switch typ {
	case MyNumberCard, PhoneToken:
		return typ, trimmed, nil
	case OldResidentCard:
		return typ, trimmed, fmt.Errorf("%w: found a %s (token %q), whose JPKI is no longer supported", ErrNotMyNumberCard, typ, trimmed)
	}
	return typ, trimmed, fmt.Errorf("%w: unknown JPKI token %q", ErrNotMyNumberCard, trimmed)
}

// readToken reads the 32-byte label of EF 0006 in the selected JPKI
// application.
func (s *session) readToken(ctx context.Context) ([]byte, error) {
	if err := s.selectEF(ctx, efToken); err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	b, err := s.readEF(ctx, fixedSize(tokenLabelLen))
	if err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	return b, nil
}
