package agent_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// agentProc is an agent that a test stops and starts again on one port.
type agentProc struct {
	srv    *agent.Server
	base   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// serveOn runs an agent with cfg on addr ("127.0.0.1:0" for any port) until
// stop or the end of the test.
func serveOn(t *testing.T, cfg agent.Config, addr string) *agentProc {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := agent.Listen(addr)
	for i := 0; err != nil && i < 50; i++ { // the old agent's port may linger briefly
		time.Sleep(100 * time.Millisecond)
		l, err = agent.Listen(addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &agentProc{srv: srv, base: "http://" + l.Addr().String(), logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { p.done <- srv.Serve(ctx, l) }()
	t.Cleanup(p.stop)
	return p
}

func (p *agentProc) stop() {
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
	}
}

// html returns the page's whole DOM as HTML.
func html(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := run(ctx, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		t.Fatalf("reading the DOM: %v", err)
	}
	return s
}

// personal are the default holder's details that must not outlive their
// use on the page.
var personal = []string{jpkitest.DefaultName, jpkitest.DefaultAddress, "昭和60年4月1日", "06139999"}

// assertWiped fails t if the DOM still holds personal data or typed PIN
// characters.
func assertWiped(t *testing.T, ctx context.Context, when string) {
	t.Helper()
	h := html(t, ctx)
	for _, p := range personal {
		if strings.Contains(h, p) {
			t.Errorf("%s: the DOM still holds %q", when, p)
		}
	}
	if d := text(t, ctx, "#pin-display"); strings.Contains(d, "●") {
		t.Errorf("%s: the PIN display still shows %q", when, d)
	}
}

// waitState waits until the page's state is name (screen() needs the
// screen visible; this also works for a state reached and left quickly).
func waitState(t *testing.T, ctx context.Context, name string, within time.Duration) time.Duration {
	t.Helper()
	begin := time.Now()
	c, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		_, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf("document.body.dataset.state === %q", name), chromedp.WithPollingInterval(20*time.Millisecond)))
		if err == nil {
			return time.Since(begin)
		}
		if c.Err() == nil && documentReplaced(err) {
			continue // the page loaded a new document under the poll: poll that one
		}
		state, _ := run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-state"))
		t.Fatalf("page never reached %q within %v (it shows %q): %v", name, within, state.Value, err)
	}
}

// documentReplaced reports whether a DevTools evaluation failed because the
// document it ran in went away (a navigation or reload in between), which
// says nothing of the page's state.
func documentReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed")
}

// TestKioskLifecycleInChromium drives the page through what a kiosk lives
// through: personal data wiped from the DOM on "done", on idle, on removal
// and on a half-typed PIN; the tries said before the keypad; the layout at
// four screen sizes; an agent restart with a new token (the page says 休止中
// while the agent is away, then pairs again by itself); a failed
// identification with no details; and a card that stops answering (the page
// gives up at its own deadline, the agent answers within its timeout plus
// a second).
func TestKioskLifecycleInChromium(t *testing.T) {
	chromium(t)
	slot := pcsctest.Slot(t)
	pctx := pcsctest.Context(t)
	// Long enough that a loaded CI machine finishes each step well within
	// it (every touch starts it again).
	const idle = 5 * time.Second
	only := agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }}
	a1 := serveOn(t, agent.Config{
		Backend: agent.PCSC(pctx), Confirmer: newConfirmer(t, true), Token: testToken,
		IdleTimeout: idle, Watch: only,
	}, "127.0.0.1:0")
	addr := strings.TrimPrefix(a1.base, "http://")

	ctx := browser(t)
	shot := newShots(t, ctx, "agent-e2e-lifecycle")
	page := a1.base + "/?reader=" + url.QueryEscape(slot.Reader)
	if err := do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	screen(t, ctx, "insert")
	vc := newCard(t)
	in := pcsctest.Insert(t, slot, vc)

	// The tries left are said before the keypad, in words.
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	if got := text(t, ctx, "#pin-tries"); !strings.Contains(got, "あと3回") || !strings.Contains(got, "3 tries left") {
		t.Errorf("tries before typing = %q", got)
	}
	keys(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if h := html(t, ctx); !strings.Contains(h, "06139999") {
		t.Fatalf("qualification result lacks the insurer number")
	}
	// "Done" wipes the DOM at once and asks for the card.
	click(t, ctx, "#result-done")
	screen(t, ctx, "take")
	assertWiped(t, ctx, "after done")
	in.Remove(t)
	screen(t, ctx, "insert")

	// Identification; the result is wiped when the card leaves.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	if got := text(t, ctx, "#pin-title"); !strings.Contains(got, "パスワード") || strings.Contains(got, "暗証番号") {
		t.Errorf("signing password title = %q", got)
	}
	keys(t, ctx, jpkitest.DefaultSignPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if h := html(t, ctx); !strings.Contains(h, jpkitest.DefaultAddress) {
		t.Fatal("identification result lacks the address")
	}
	if !strings.Contains(text(t, ctx, "#test-banner"), "TEST CARD") || !visible(t, ctx, "#test-banner") {
		t.Error("no TEST CARD banner for a card of the test hierarchy")
	}
	in.Remove(t)
	screen(t, ctx, "insert")
	assertWiped(t, ctx, "after removal")
	if visible(t, ctx, "#test-banner") {
		t.Error("TEST CARD banner still up after removal")
	}

	// Idle on the result: wiped after the idle time.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultSignPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	shot.take("result-before-idle")
	d := waitState(t, ctx, "take", idle+5*time.Second)
	assertWiped(t, ctx, "after idle on the result")
	t.Logf("result wiped after %v idle (idle time %v)", d.Round(100*time.Millisecond), idle)
	shot.take("after-idle-take-card")

	// A wrong password: the message calls it パスワード and says the tries
	// in good English.
	in.Remove(t)
	screen(t, ctx, "insert")
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	keys(t, ctx, "WRONG1")
	click(t, ctx, "#pin-ok")
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#pin-error"))); err != nil {
		t.Fatalf("no wrong-password message: %v", err)
	}
	if got := text(t, ctx, "#pin-error"); !strings.Contains(got, "パスワードが違います") || !strings.Contains(got, "Wrong password (4 tries left)") {
		t.Errorf("wrong password message = %q", got)
	}
	// A half-typed password is wiped on idle.
	keys(t, ctx, "AB")
	if got := text(t, ctx, "#pin-display"); !strings.HasPrefix(got, "●●") {
		t.Fatalf("typed characters not shown: %q", got)
	}
	waitState(t, ctx, "take", idle+5*time.Second)
	assertWiped(t, ctx, "after idle on a half-typed password")
	in.Remove(t)
	screen(t, ctx, "insert")
	// Undo the wrong try so that the holder's counter is whole again.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	if got := text(t, ctx, "#pin-tries"); !strings.Contains(got, "4 tries left") {
		t.Errorf("tries after a wrong password = %q", got)
	}
	keys(t, ctx, jpkitest.DefaultSignPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")

	// The layout at kiosk sizes: the main buttons stay on screen.
	for _, sz := range []struct{ w, h int64 }{{800, 600}, {1280, 1024}, {1920, 1080}, {1080, 1920}} {
		if err := do(ctx, chromedp.EmulateViewport(sz.w, sz.h)); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%dx%d", sz.w, sz.h)
		fits(t, ctx, "#result-done", name+" result")
		shot.take(name + "-result")
		click(t, ctx, "#result-done")
		screen(t, ctx, "take")
		in.Remove(t)
		screen(t, ctx, "insert")
		shot.take(name + "-insert")
		in = pcsctest.Insert(t, slot, vc)
		screen(t, ctx, "menu")
		fits(t, ctx, "#choose-identify", name+" menu")
		checkFontSizes(t, ctx, name+" menu")
		shot.take(name + "-menu")
		click(t, ctx, "#choose-identify")
		screen(t, ctx, "pin")
		fits(t, ctx, "#pin-ok", name+" password")
		fits(t, ctx, `#keypad button[data-key="M"]`, name+" password")
		keys(t, ctx, jpkitest.DefaultSignPIN)
		checkFontSizes(t, ctx, name+" password")
		shot.take(name + "-password")
		click(t, ctx, "#pin-ok")
		screen(t, ctx, "result")
		checkFontSizes(t, ctx, name)
	}
	if err := do(ctx, chromedp.EmulateViewport(1280, 1024)); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "#result-done")
	screen(t, ctx, "take")
	in.Remove(t)
	screen(t, ctx, "insert")

	// The agent stops: the page says 休止中 instead of asking for a card.
	a1.stop()
	d = waitState(t, ctx, "offline", 15*time.Second)
	t.Logf("page out of service %v after the agent stopped", d.Round(100*time.Millisecond))
	if got := text(t, ctx, "#screen-offline"); !strings.Contains(got, "休止中") || !strings.Contains(got, "Out of service") {
		t.Errorf("offline screen = %q", got)
	}
	shot.take("agent-down-offline")

	// It comes back on the same port with a new token (and a confirmer
	// that requires production certificates, so that identifications with
	// the test card fail): the page pairs again by itself.
	a2 := serveOn(t, agent.Config{
		Backend: agent.PCSC(pctx), IdleTimeout: idle, Watch: only,
		Confirmer: newConfirmerWith(t, true, func(c *confirm.Config) { c.RequireProduction = true }),
		// The page gives up before the agent does, to show its own
		// deadline.
		OperationTimeout: 4 * time.Second, PageDeadline: 2 * time.Second,
	}, addr)
	if a2.srv.Token() == testToken {
		t.Fatal("the restarted agent kept the token")
	}
	d = waitState(t, ctx, "insert", 20*time.Second)
	t.Logf("page back %v after the agent restarted with a new token", d.Round(100*time.Millisecond))
	shot.take("agent-back-insert")

	// A failed identification shows the reason, and no personal details.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultSignPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if v, _ := run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-verdict")); v.Value != "refused" {
		t.Errorf("verdict = %q, want refused", v.Value)
	}
	assertWiped(t, ctx, "on a failed identification")
	if got := text(t, ctx, "#result-reason") + text(t, ctx, "#result-next"); !strings.Contains(got, "証明書") || !strings.Contains(got, "staff") {
		t.Errorf("failed identification reason = %q", got)
	}
	noRawCodes(t, ctx, "failed identification")
	shot.take("identify-refused")
	click(t, ctx, "#result-done")
	screen(t, ctx, "take")

	// A card that stops answering during SIGN: the page gives up at its
	// own deadline with a reason and a next step; the agent answers
	// within its timeout plus a second.
	vc.SetFaults(virtual.Fault{Kind: virtual.FaultLatency, MatchINS: true, INS: insCardSign, Delay: 8 * time.Second})
	in.Remove(t)
	screen(t, ctx, "insert")
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	begin := time.Now()
	waitState(t, ctx, "error", 10*time.Second)
	gaveUp := time.Since(begin)
	t.Logf("page gave up after %v (its deadline 2s)", gaveUp.Round(100*time.Millisecond))
	if gaveUp > 4*time.Second {
		t.Errorf("page took %v to give up with a 2 s deadline", gaveUp)
	}
	if code, _ := run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-error")); code.Value != "page_timeout" {
		t.Errorf("error code = %q, want page_timeout", code.Value)
	}
	if got := text(t, ctx, "#error-next"); !strings.Contains(got, "place it again") {
		t.Errorf("next step = %q", got)
	}
	noRawCodes(t, ctx, "page deadline")
	shot.take("stalled-card-page-deadline")
	// The page closed its request: the agent lets go of it at once (the
	// abandoned operation keeps the reader busy until the card answers).
	waitLog(t, &running{logs: a2.logs}, "code=client_gone")
	if dur := logDuration(t, a2.logs.String(), "/v1/qualify", "client_gone"); dur > 3*time.Second {
		t.Errorf("agent held the page's abandoned request for %v", dur)
	}
	vc.SetFaults()
	in.Remove(t)
	screen(t, ctx, "insert")
}

func visible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	v, err := run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !e.closest("[hidden]") && e.getClientRects().length > 0; })()`, sel)))
	if err != nil {
		t.Fatalf("visibility of %s: %v", sel, err)
	}
	return v
}

// fits fails t if the element sel is not wholly inside the viewport.
func fits(t *testing.T, ctx context.Context, sel, where string) {
	t.Helper()
	v, err := run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
  return (r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth) ? "" : JSON.stringify([r.left, r.top, r.right, r.bottom, innerWidth, innerHeight]); })()`, sel)))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	if v != "" {
		t.Errorf("%s: %s is not wholly on screen: [left top right bottom width height] = %s", where, sel, v)
	}
}

// checkFontSizes fails t if any visible English text is below 16 px.
func checkFontSizes(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	v, err := run(ctx, chromedp.Evaluate[string](`(() => { const bad = [];
  for (const e of document.querySelectorAll('[lang="en"]')) {
    if (e.closest("[hidden]") || !e.textContent.trim()) continue;
    const px = parseFloat(getComputedStyle(e).fontSize);
    if (px < 16) bad.push(e.textContent.trim().slice(0, 30) + " " + px + "px");
  }
  return bad.join("; "); })()`))
	if err != nil {
		t.Fatal(err)
	}
	if v != "" {
		t.Errorf("%s: English text below 16 px: %s", where, v)
	}
}

// rawCode matches what the page must never show: an API code such as
// "no_source" or "(timeout)".
var rawCode = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b|\((timeout|last_try|valid|unknown)\)`)

// noRawCodes fails t if the visible text holds a raw code.
func noRawCodes(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	s, err := run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		t.Fatal(err)
	}
	if m := rawCode.FindString(s); m != "" {
		t.Errorf("%s: the screen shows the raw code %q in %q", where, m, s)
	}
}

// logDuration returns the duration of the logged request to path with
// error code code.
func logDuration(t *testing.T, logs, path, code string) time.Duration {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, "path="+path) || !strings.Contains(line, "code="+code) {
			continue
		}
		if _, after, ok := strings.Cut(line, "duration="); ok {
			f, _, _ := strings.Cut(after, " ")
			d, err := time.ParseDuration(f)
			if err == nil {
				return d
			}
		}
	}
	t.Fatalf("no %s %s line in the log", path, code)
	return 0
}

// TestKioskNotConfiguredInChromium: an agent with a hard revocation policy
// and no revocation source can confirm nothing; the page says so (休止中,
// not set up) instead of asking for a card.
func TestKioskNotConfiguredInChromium(t *testing.T) {
	chromium(t)
	conf := newConfirmerWith(t, true, func(c *confirm.Config) { c.RevocationPolicy = revocation.PolicyHard; c.Revocation = nil })
	r, _ := memAgent(t, newCard(t), func(c *agent.Config) { c.Confirmer = conf })
	ctx := browser(t)
	shot := newShots(t, ctx, "agent-e2e-not-configured")
	if err := do(ctx, chromedp.Navigate(r.base+"/")); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "offline", 15*time.Second)
	got := text(t, ctx, "#screen-offline")
	if !strings.Contains(got, "休止中") || !strings.Contains(got, "設定が完了していない") || !strings.Contains(got, "not set up") {
		t.Errorf("not-configured screen = %q", got)
	}
	noRawCodes(t, ctx, "not configured")
	shot.take("not-configured")
}
