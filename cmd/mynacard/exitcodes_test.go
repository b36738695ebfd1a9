package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pinentry"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
)

// TestDescribeError checks the documented exit code, and a one-line
// message in each language, for every kind of failure.
func TestDescribeError(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("doing it: %w", err) }
	for _, c := range []struct {
		err      error
		code     int
		en, ja   string
		wantHint bool
	}{
		{&card.PINError{Kind: card.SignPIN, Remaining: 4}, exitPINProblem, "wrong signing password: 4 tries left", "残り4回", false},
		{wrap(&card.PINError{Kind: card.AuthPIN, Remaining: 1}), exitPINProblem, "1 try left", "残り1回", true},
		{wrap(&card.PINError{Kind: card.AuthPIN, Remaining: 0}), exitPINProblem, "blocked", "", true},
		{withPIN(card.AuthPIN, wrap(card.ErrLastTry)), exitPINProblem, "refusing to use it", "", true},
		{withPIN(card.SignPIN, wrap(card.ErrPINFormat)), exitPINProblem, "6 to 16 characters", "", false},
		{withPIN(card.TextPIN, wrap(pinentry.ErrNoInput)), exitPINProblem, "no card-information PIN was entered", "", true},
		{wrap(reader.ErrNoReaders), exitCardProblem, "no card reader found", "", true},
		{wrap(reader.ErrCardRemoved), exitCardProblem, "the card was removed", "", true},
		{wrap(card.ErrNotMyNumberCard), exitCardProblem, "not an Individual Number Card", "", true},
		{errCardTimeout, exitCardProblem, "within 30 seconds", "", true},
		{usageErrorf("bad flag"), exitUsage, "bad flag", "", true},
		{&store.ImportErrors{Errors: []*store.ImportError{{Line: 3, Column: "sex", Reason: "must be 1 or 2"}}}, exitError, "1 row rejected; line 3: sex: want 1 (male) or 2 (female)", "3行目：性別（sex）は1（男）か2（女）にしてください", true},
		{&codedError{code: exitNotEligible, msg: "not eligible"}, exitNotEligible, "not eligible", "", false},
		{errors.New("Opening the store: disk on fire"), exitError, "opening the store", "", false},
	} {
		for _, lang := range []string{i18n.English, i18n.Japanese} {
			g := &globals{p: i18n.New(lang), Timeout: defaultTimeout}
			code, msg, hint := g.describeError(c.err)
			if code != c.code {
				t.Errorf("%v (%s): exit %d, want %d", c.err, lang, code, c.code)
			}
			want := c.en
			if lang == i18n.Japanese {
				want = c.ja
			}
			if !strings.Contains(msg, want) {
				t.Errorf("%v (%s): message %q lacks %q", c.err, lang, msg, want)
			}
			if c.wantHint && hint == "" {
				t.Errorf("%v (%s): no hint", c.err, lang)
			}
			var buf bytes.Buffer
			g.stderr = &buf
			g.printError(msg, hint)
			if n := strings.Count(buf.String(), "\n"); n != 1+min(1, len(hint)) {
				t.Errorf("%v (%s): error is not one line (+ hint): %q", c.err, lang, buf.String())
			}
		}
	}
}
