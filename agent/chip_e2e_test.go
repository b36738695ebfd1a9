package agent_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// TestKioskChipAndAgeModesInChromium drives the page's age-check and
// chip-identify modes in headless Chromium over the in-memory backend:
// the birth date on the keypad gives only "yes"; 照合番号B gives the photo
// and the name and address images beside the verdict, and the holder's
// optional text PIN the name and address as text; pulling the card
// removes them from the DOM, on the result screen and mid-way.
func TestKioskChipAndAgeModesInChromium(t *testing.T) {
	chromium(t)
	pb, err := jpkitest.DefaultHolder().PINB()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	m := agent.NewMemory(reader.Capabilities{}, testReader)
	r := start(t, agent.Config{Backend: m, Confirmer: newConfirmer(t, true), CVKeys: keys})
	ctx := browser(t)
	dirs := []string{filepath.Join("..", "testout", "agent-chip-e2e")}
	if d := os.Getenv(EnvTestOut); d != "" {
		dirs = append(dirs, filepath.Join(d, "agent-chip-e2e"))
	}
	for _, d := range dirs {
		os.RemoveAll(d)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	shot := &shots{t: t, ctx: ctx, dirs: dirs}
	if err := do(ctx, chromedp.Navigate(r.base+"/")); err != nil {
		t.Fatal(err)
	}
	screen(t, ctx, "insert")
	insert := func(vopts ...virtual.Option) {
		t.Helper()
		if err := m.Insert(testReader, newCard(t, vopts...)); err != nil {
			t.Fatal(err)
		}
		screen(t, ctx, "menu")
	}
	// enterPINB types 照合番号B; the page then asks for the optional text
	// PIN, which is skipped.
	enterPINB := func() {
		t.Helper()
		keys2(t, ctx, pb)
		click(t, ctx, "#pin-ok")
		screen(t, ctx, "pin")
		if got := text(t, ctx, "#pin-title"); !strings.Contains(got, "暗証番号（4桁）") {
			t.Errorf("second step title %q", got)
		}
		click(t, ctx, "#pin-skip")
	}
	body := func() string {
		t.Helper()
		html, err := run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		return html
	}
	count := func(sel string) int {
		t.Helper()
		n, err := run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Age: yes and nothing personal on the page.
	insert()
	checkFontSizes(t, ctx, "menu with the chip and age modes")
	shot.take("chip-menu")
	click(t, ctx, "#choose-age")
	screen(t, ctx, "pin")
	keys2(t, ctx, "600401")
	shot.take("age-pin")
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-title"); !strings.Contains(got, "はい：20歳以上です") {
		t.Errorf("age result %q", got)
	}
	for _, p := range []string{"1985", "昭和", "600401", "山田", "東京"} {
		if strings.Contains(body(), p) {
			t.Errorf("%q on the age result page", p)
		}
	}
	noRawCodes(t, ctx, "age result")
	shot.take("age-yes")
	m.Remove(testReader)
	screen(t, ctx, "insert")

	// Chip identification: photo and images beside the verdict.
	insert()
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	enterPINB()
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-title"); !strings.Contains(got, "写真とご本人を見比べてください") {
		t.Errorf("chip result %q", got)
	}
	if n := count("#result-images img"); n != 3 {
		t.Errorf("%d images on the result", n)
	}
	noRawCodes(t, ctx, "chip result")
	checkFontSizes(t, ctx, "chip result")
	shot.take("chip-identified")
	// "Done" wipes the photo and the details, the card still in the reader.
	click(t, ctx, "#result-done")
	screen(t, ctx, "take")
	if n := count("img"); n != 0 || strings.Contains(body(), "data:image/png") || strings.Contains(body(), "昭和60年") {
		t.Errorf("%d images left after done", n)
	}
	m.Remove(testReader)
	screen(t, ctx, "insert")

	// Again, and the card leaves on the result screen: the photo leaves
	// the DOM.
	insert()
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	enterPINB()
	screen(t, ctx, "result")
	if n := count("#result-images img"); n != 3 {
		t.Errorf("%d images on the second result", n)
	}
	m.Remove(testReader)
	screen(t, ctx, "insert")
	if n := count("img"); n != 0 || strings.Contains(body(), "data:image/png") || strings.Contains(body(), "昭和60年") {
		t.Errorf("%d images left after the card was removed", n)
	}
	shot.take("chip-card-removed")

	// A cloned chip: the refusal screen says the reason and the next step,
	// and shows no photo, no detail and no code.
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	insert(virtual.WithClonedFiles(k))
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	enterPINB()
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-title"); !strings.Contains(got, "本人確認ができませんでした") {
		t.Errorf("cloned chip: title %q", got)
	}
	if got := text(t, ctx, "#result-reason"); !strings.Contains(got, "カードが本物であることを確認できませんでした") || !strings.Contains(got, "did not prove") {
		t.Errorf("cloned chip: reason %q", got)
	}
	if got := text(t, ctx, "#result-next"); !strings.Contains(got, "係員") {
		t.Errorf("cloned chip: next step %q", got)
	}
	if n := count("img"); n != 0 || text(t, ctx, "#result-details") != "" {
		t.Errorf("cloned chip: %d images, details %q", n, text(t, ctx, "#result-details"))
	}
	assertWiped(t, ctx, "cloned chip refusal")
	noRawCodes(t, ctx, "cloned chip refusal")
	shot.take("chip-cloned-refused")
	m.Remove(testReader)
	screen(t, ctx, "insert")

	// With the holder's text PIN: the name and address as text beside the
	// images; a wrong one asks again with the tries left, keeping
	// 照合番号B; the card leaving wipes it all.
	insert()
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	keys2(t, ctx, pb)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "pin")
	if got := text(t, ctx, "#pin-tries"); !strings.Contains(got, "3") {
		t.Errorf("text PIN tries %q", got)
	}
	shot.take("chip-text-pin")
	keys2(t, ctx, "9999")
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "pin")
	if got := text(t, ctx, "#pin-error"); !strings.Contains(got, "暗証番号が違います") || !strings.Contains(got, "残り2回") {
		t.Errorf("wrong text PIN: %q", got)
	}
	keys2(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	h := jpkitest.DefaultHolder()
	if got := text(t, ctx, "#result-details"); !strings.Contains(got, h.Spec.Name) || !strings.Contains(got, h.Spec.Address) || !strings.Contains(got, "氏名（文字）") {
		t.Errorf("chip result with text: details %q", got)
	}
	if n := count("#result-images img"); n != 3 {
		t.Errorf("%d images on the result with text", n)
	}
	noRawCodes(t, ctx, "chip result with text")
	checkFontSizes(t, ctx, "chip result with text")
	shot.take("chip-identified-text")
	m.Remove(testReader)
	screen(t, ctx, "insert")
	if n := count("img"); n != 0 || strings.Contains(body(), h.Spec.Name) || strings.Contains(body(), h.Spec.Address) {
		t.Errorf("%d images, or the text, left after the card was removed", n)
	}

	// A tampered text record: refused, nothing personal shown.
	insert(virtual.WithRecordFault(virtual.TextRecordTampered))
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	keys2(t, ctx, pb)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "pin")
	keys2(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-reason"); !strings.Contains(got, "文字情報") {
		t.Errorf("tampered text: reason %q", got)
	}
	if n := count("img"); n != 0 || strings.Contains(body(), h.Spec.Name) {
		t.Errorf("tampered text: %d images or the name shown", n)
	}
	noRawCodes(t, ctx, "tampered text refusal")
	shot.take("chip-text-tampered")
	m.Remove(testReader)
	screen(t, ctx, "insert")

	// Removed mid-way, on the PIN screen: back to "insert", nothing shown.
	insert()
	click(t, ctx, "#choose-chip")
	screen(t, ctx, "pin")
	keys2(t, ctx, pb[:7])
	m.Remove(testReader)
	screen(t, ctx, "insert")
	if n := count("img"); n != 0 {
		t.Errorf("%d images after removal mid-way", n)
	}
	shot.take("chip-removed-midway")
}

// keys2 presses digits on the numeric keypad.
func keys2(t *testing.T, ctx context.Context, ks string) { keys(t, ctx, ks) }
