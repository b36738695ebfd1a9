package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/jpki"
)

// printJSON writes v as indented JSON on stdout. JSON keys are English
// and stable whatever --lang says.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table is a block of aligned columns on one writer. Columns are padded
// by display width (uniseg), so that Japanese labels, two cells wide per
// character, line up too: text/tabwriter counts runes, not cells.
type table struct {
	w    io.Writer
	rows [][]string
}

func (g *globals) newTable() *table { return &table{w: g.stdout} }

// row adds a "label  value" row.
func (t *table) row(label string, value any) {
	t.rows = append(t.rows, []string{label, fmt.Sprint(value)})
}

// cells adds a row of any number of columns.
func (t *table) cells(c ...string) { t.rows = append(t.rows, c) }

// note adds a line under the last row, indented, outside the columns.
func (t *table) note(s string) { t.rows = append(t.rows, []string{"  " + s}) }

// flush writes the rows: every column but the last padded to its widest
// cell plus two spaces. One-cell rows (notes) do not set widths.
func (t *table) flush() {
	var widths []int
	for _, r := range t.rows {
		if len(r) < 2 {
			continue
		}
		for i, c := range r[:len(r)-1] {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], uniseg.StringWidth(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-uniseg.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(t.w, strings.TrimRight(b.String(), " "))
	}
	t.rows = nil
}

// testBanner prints the TEST CARD banner on stdout when the result comes
// from a test card, so that no one mistakes it for a real identification.
func (g *globals) testBanner(w io.Writer, test bool) {
	if test {
		fmt.Fprintf(w, "*** %s ***\n", g.tr(msgTestCard))
	}
}

// dateBoth writes a date in Gregorian and Japanese-era form, with an era
// code 0 shown as unknown, never guessed.
func (g *globals) dateBoth(gregorian string, era int, japanese string) string {
	if gregorian == "" {
		return ""
	}
	if era == int(card.EraUnknown) {
		japanese = g.p.Sprintf(i18n.DateUnknown)
	}
	return g.p.Sprintf(i18n.DateBoth, gregorian, japanese)
}

// attributesDate writes a's birth date as dateBoth does, in its recorded
// era; "" when there is none.
func (g *globals) attributesDate(a *card.Attributes) string {
	if a == nil || a.BirthDate.IsZero() {
		return ""
	}
	return g.dateBoth(a.BirthDate.Format(time.DateOnly), int(a.BirthEra), a.FormatBirthDate())
}

// dateBothTime writes a calendar date (no recorded era) in both forms,
// the era taken from the date itself.
func (g *globals) dateBothTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return g.p.Sprintf(i18n.DateBoth, t.Format(time.DateOnly), card.FormatJapaneseDate(t))
}

// sexWord names a sex given as "male"/"female"/other.
func (g *globals) sexWord(s string) string {
	switch s {
	case "male", "1":
		return g.p.Sprintf(i18n.SexMale)
	case "female", "2":
		return g.p.Sprintf(i18n.SexFemale)
	case "9", "not_applicable":
		return g.p.Sprintf(i18n.SexUnknown)
	}
	return g.tr(msgSexUnknown)
}

// positions writes 0-based rune positions as a 1-based list "2, 5".
func positions(ps []int) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(p + 1)
	}
	return strings.Join(s, ", ")
}

// printAttributes writes the holder's four basic facts, with the
// substitute-character warnings a clerk needs: a name or address with
// substitutes is never presented as exact.
func (g *globals) printAttributes(t *table, a *card.Attributes) {
	if a == nil {
		return
	}
	warn := g.p.Sprintf(i18n.PrefixWarning) + g.p.Sprintf(i18n.Colon)
	t.row(g.p.Sprintf(i18n.FieldName), a.Name)
	if len(a.NameSubstitutes) > 0 {
		t.note(warn + g.p.Sprintf(i18n.SubstituteInName, positions(a.NameSubstitutes)))
	}
	t.row(g.p.Sprintf(i18n.FieldAddress), a.Address)
	if len(a.AddressSubstitutes) > 0 {
		t.note(warn + g.p.Sprintf(i18n.SubstituteInAddress, positions(a.AddressSubstitutes)))
	}
	t.row(g.p.Sprintf(i18n.FieldBirthDate), g.attributesDate(a))
	t.row(g.p.Sprintf(i18n.FieldSex), g.sexWord(a.Sex.Word()))
}

// verdictLines writes one line per check of a confirmation verdict.
func (g *globals) printVerdict(t *table, v confirm.Verdict) {
	p := g.p
	sig := p.Sprintf(i18n.SignatureValid)
	if !v.Signature.OK {
		sig = p.Sprintf(i18n.SignatureInvalid)
		if v.Signature.Detail != "" {
			sig += p.Sprintf(i18n.Colon) + g.signatureWhy(v.Signature.Detail)
		}
	}
	t.row(g.tr(msgFieldSignature), sig)
	t.row(g.tr(msgFieldChain), g.chainText(v.Chain))
	t.row(g.tr(msgFieldRevocation), g.revocationText(v.Revocation))
}

func (g *globals) chainText(c confirm.ChainResult) string {
	switch {
	case !c.OK:
		return g.tr(msgChainFailedWhy, g.chainWhy(c.Code))
	case !c.Production:
		return g.tr(msgChainTestRoot, rootName(c.Generation, c.RootFingerprint))
	}
	return g.p.Sprintf(i18n.ChainPinnedRoot, rootName(c.Generation, c.RootFingerprint))
}

// rootName names a root by generation and fingerprint prefix.
func rootName(gen int, fp string) string {
	if len(fp) > 16 {
		fp = fp[:16] + "…"
	}
	if gen > 0 {
		return fmt.Sprintf("G%d %s", gen, fp)
	}
	return fp
}

func (g *globals) revocationText(r confirm.RevocationResult) string {
	switch r.Status {
	case confirm.RevocationGood:
		return g.p.Sprintf(i18n.NotRevoked, clockJST(time.Now()))
	case confirm.RevocationRevoked:
		if k, ok := i18n.RevokedKey(r.Reason); ok {
			return g.p.Sprintf(k)
		}
		return g.p.Sprintf(i18n.RevokedUnspecified)
	case confirm.RevocationNotChecked:
		return g.tr(msgRevNotChecked)
	}
	return g.tr(msgRevUnknownWhy, g.revocationWhy(r.Code))
}

// verdictError turns a verdict that is not OK into the exit code it
// means: revoked (4) or verification failed (3).
func (g *globals) verdictError(v confirm.Verdict) error {
	if v.OK {
		return nil
	}
	if v.Revocation.Status == confirm.RevocationRevoked {
		hint := g.tr(msgRevokedHint)
		if v.Revocation.RegistrationChanged {
			hint = g.p.Sprintf(i18n.HintIdentifyAgain)
		}
		return &codedError{code: exitRevoked, msg: g.revocationText(v.Revocation), hint: hint}
	}
	hint := g.tr(msgHintVerifyFailed)
	if v.Revocation.Status == confirm.RevocationUnknown && v.Revocation.Code == confirm.RevCodeNoSource {
		hint = g.p.Sprintf(i18n.HintRevocationConfig)
	}
	return &codedError{code: exitVerificationFailed, msg: g.p.Sprintf(i18n.VerificationFailed), hint: hint}
}

// signatureWhy says in words why a signature did not verify; the
// library's own text is in --json (verdict.signature.detail).
func (g *globals) signatureWhy(detail string) string {
	switch {
	case strings.Contains(detail, jpki.ErrCMSContent.Error()):
		return g.tr(msgSigWhyContent)
	case strings.Contains(detail, jpki.ErrCMSSignature.Error()):
		return g.tr(msgSigWhyCMS)
	case strings.Contains(detail, jpki.ErrSignatureInvalid.Error()), strings.Contains(detail, jpki.ErrKeyMismatch.Error()):
		return g.tr(msgSigWhyKey)
	}
	return g.tr(msgSigWhyOther)
}
