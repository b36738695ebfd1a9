package agent_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// EnvTestOut names a directory for test artefacts (screenshots); the
// browser test writes under $MYNACARD_TEST_OUT/agent-e2e, and always also
// under testout/agent-e2e in the repository (gitignored); the lifecycle
// test under agent-e2e-lifecycle.
const EnvTestOut = "MYNACARD_TEST_OUT"

// browserStep bounds each wait for the page.
const browserStep = 30 * time.Second

// chromium returns the path of Debian's chromium, or skips t (fails under
// MYNACARD_PCSCTEST_REQUIRE=1).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(pcsctest.EnvRequire) == "1" {
		t.Fatal("chromium is not installed (apt-get install chromium) and " + pcsctest.EnvRequire + "=1")
	}
	t.Skip("chromium is not installed: apt-get install chromium")
	return ""
}

// browser starts a headless Chromium for t with a fresh profile and the
// flags that keep it off the (closed) network.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "ja"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 768),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				t.Logf("page console.%s: %s", e.Type, a.Value)
			}
		case *runtime.EventExceptionThrown:
			t.Errorf("page exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception)
		}
	}))
	t.Cleanup(cancel2)
	// The first call starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// shots saves screenshots of the page's states.
type shots struct {
	t    *testing.T
	ctx  context.Context
	dirs []string
	n    int
}

func newShots(t *testing.T, ctx context.Context, name string) *shots {
	dirs := []string{filepath.Join("..", "testout", name)}
	if d := os.Getenv(EnvTestOut); d != "" {
		dirs = append(dirs, filepath.Join(d, name))
	}
	for _, d := range dirs {
		os.RemoveAll(d)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(d)
		t.Logf("screenshots: %s", abs)
	}
	return &shots{t: t, ctx: ctx, dirs: dirs}
}

func (s *shots) take(name string) {
	s.t.Helper()
	png, err := run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	s.n++
	for _, d := range s.dirs {
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("%02d-%s.png", s.n, name)), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs an action with a step timeout.
func run[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// do runs actions that return nothing with a step timeout.
func do(ctx context.Context, a ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	return chromedp.Do(ctx, a...)
}

// screen waits until the page shows screen name.
func screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#screen-"+name))); err != nil {
		state, _ := run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-state"))
		t.Fatalf("page never showed %q (it shows %q): %v", name, state.Value, err)
	}
}

// keys presses the on-screen keys.
func keys(t *testing.T, ctx context.Context, ks string) {
	t.Helper()
	for _, k := range ks {
		if err := do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#keypad button[data-key="%c"]`, k)))); err != nil {
			t.Fatalf("pressing %c: %v", k, err)
		}
	}
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// TestKioskPageInChromium drives the kiosk page in headless Chromium against
// the agent on the real PC/SC stack (pcscd + vpcd, a harness slot) with the
// virtual card: qualification with the 4-digit PIN on the keypad,
// identification with the signing password, the card pulled on the PIN
// screen and during the operation (the page goes back to "insert your
// card"), and pages on a foreign origin refused.
func TestKioskPageInChromium(t *testing.T) {
	chromium(t)
	slot := pcsctest.Slot(t)
	pctx := pcsctest.Context(t)
	vc := newCard(t)
	integrator := originServer(t, "allowed")
	foreign := originServer(t, "foreign")
	r := start(t, agent.Config{
		Backend:        agent.PCSC(pctx),
		Confirmer:      newConfirmer(t, true),
		AllowedOrigins: []string{integrator.origin},
		Watch:          agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }},
	})
	integrator.agent, foreign.agent = r, r

	ctx := browser(t)
	shot := newShots(t, ctx, "agent-e2e")
	page := r.base + "/?reader=" + url.QueryEscape(slot.Reader)
	if err := do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	screen(t, ctx, "insert")
	shot.take("insert-card")

	// Qualification: insert, 4-digit PIN on the keypad, result.
	in := pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	shot.take("card-detected-menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultAuthPIN)
	shot.take("pin-entered")
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-title"); !strings.Contains(got, "資格を確認しました") {
		t.Errorf("qualification result title = %q", got)
	}
	if got := text(t, ctx, "#result-details"); !strings.Contains(got, "06139999") || !strings.Contains(got, "30%") {
		t.Errorf("qualification details = %q", got)
	}
	shot.take("qualify-result")
	in.Remove(t)
	screen(t, ctx, "insert")

	// Identification with the signing password on the letter keyboard.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-identify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultSignPIN)
	shot.take("password-entered")
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	if got := text(t, ctx, "#result-details"); !strings.Contains(got, jpkitest.DefaultName) || !strings.Contains(got, "昭和60年4月1日") {
		t.Errorf("identification details = %q", got)
	}
	shot.take("identify-result")
	in.Remove(t)
	screen(t, ctx, "insert")

	// A wrong PIN shows the remaining tries and asks again.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	keys(t, ctx, "9999")
	click(t, ctx, "#pin-ok")
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#pin-error"))); err != nil {
		t.Fatalf("no wrong-PIN message: %v", err)
	}
	if got := text(t, ctx, "#pin-error"); !strings.Contains(got, "残り2回") {
		t.Errorf("wrong PIN message = %q", got)
	}
	shot.take("wrong-pin")

	// The card is pulled while the PIN screen is up.
	keys(t, ctx, "1")
	in.Remove(t)
	screen(t, ctx, "insert")
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#notice"))); err != nil {
		t.Fatalf("no removal notice: %v", err)
	}
	shot.take("removed-on-pin-screen")

	// The card is pulled while the operation runs (the card is slow to sign).
	vc.SetFaults(virtual.Fault{Kind: virtual.FaultLatency, MatchINS: true, INS: insCardSign, Delay: 2 * time.Second})
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "working")
	shot.take("working")
	// The page shows "working" before the agent has sent VERIFY: pull the
	// card only once the good VERIFY has reset the counter, while SIGN stalls.
	waitTries(t, vc, virtual.PINJPKIAuth, virtual.MaxTriesJPKIAuth)
	in.Remove(t)
	screen(t, ctx, "insert")
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#notice"))); err != nil {
		t.Fatalf("no removal notice: %v", err)
	}
	shot.take("removed-during-operation")
	vc.SetFaults()
	waitLog(t, r, "code=card_removed")
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("auth PIN tries left = %d, want 3 (the good VERIFY before the pulled SIGN reset the counter)", n)
	}

	// The page recovers: the next card works.
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "pin")
	keys(t, ctx, jpkitest.DefaultAuthPIN)
	click(t, ctx, "#pin-ok")
	screen(t, ctx, "result")
	shot.take("recovered-result")

	in.Remove(t)
	screen(t, ctx, "insert")

	// A card with one auth PIN try left: the agent refuses to spend it and
	// the page says to see the counter.
	lastTry := newCard(t, virtual.WithMaxTries(virtual.PINJPKIAuth, 1))
	// The page reads the tries first and shows no keypad at all.
	in = pcsctest.Insert(t, slot, lastTry)
	screen(t, ctx, "menu")
	click(t, ctx, "#choose-qualify")
	screen(t, ctx, "error")
	if code, _ := run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-error")); code.Value != agent.CodeLastTry {
		t.Errorf("error screen code = %q, want %s", code.Value, agent.CodeLastTry)
	}
	shot.take("last-try-refused")
	if n := lastTry.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Errorf("last try spent: %d left", n)
	}
	click(t, ctx, "#error-back")
	screen(t, ctx, "menu")
	in.Remove(t)
	screen(t, ctx, "insert")

	// A card that is not an Individual Number Card is named as unusable.
	old, err := virtual.NewMyNumberCard(virtual.Contents{Token: "JPKIAPICCTOKEN"})
	if err != nil {
		t.Fatal(err)
	}
	in = pcsctest.Insert(t, slot, old)
	if err := do(ctx, chromedp.WaitVisible(chromedp.CSS("#insert-problem"))); err != nil {
		t.Fatalf("no unusable-card message: %v", err)
	}
	shot.take("unusable-card")
	in.Remove(t)
	in = pcsctest.Insert(t, slot, vc)
	screen(t, ctx, "menu") // detected: no more APDUs from the agent

	// Pages on other origins: the allowed integrator page can read the
	// readers; a foreign page is refused at the preflight, token or not.
	// Neither may read the agent's page, which embeds the session token.
	apdus := vc.Stats().APDUs
	for _, o := range []*originPage{foreign, integrator} {
		if err := do(ctx, chromedp.Navigate(o.url)); err != nil {
			t.Fatal(err)
		}
		out, err := run(ctx, chromedp.Poll[string](`document.getElementById("out").dataset.done === "1" && document.getElementById("out").textContent`))
		if err != nil {
			t.Fatalf("%s page: %v", o.name, err)
		}
		shot.take(o.name + "-origin")
		readPage := !strings.Contains(out, "page REFUSED")
		attackLog(t, "page on "+o.name+" origin "+o.origin+" fetches the agent's page in Chromium", "the browser cannot read it (no CORS on /)",
			!readPage, strings.ReplaceAll(out[strings.LastIndex(out, "\npage")+1:], "|", "/"))
		switch o.name {
		case "foreign":
			if !strings.HasPrefix(out, "REFUSED") || !strings.Contains(out, "qualify REFUSED") {
				t.Errorf("foreign origin page got: %s", out)
			}
			if got := vc.Stats().APDUs; got != apdus {
				t.Errorf("the foreign page reached the card: %d APDUs", got-apdus)
			}
		default:
			if !strings.HasPrefix(out, "OK 200") || !strings.Contains(out, slot.Reader) || !strings.Contains(out, "qualify 200") {
				t.Errorf("allowed origin page got: %s", out)
			}
		}
	}
	waitLog(t, r, "code=origin_not_allowed")
	in.Remove(t)
}

// originPage is a web page on another loopback origin that calls the agent
// from the browser, as an integrator's page would.
type originPage struct {
	name, origin, url string
	agent             *running
}

func originServer(t *testing.T, name string) *originPage {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &originPage{name: name, origin: "http://" + ln.Addr().String()}
	o.url = o.origin + "/"
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page knows the token (the worst case): the origin check
		// alone must stop it.
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><h1>%s page (%s)</h1><pre id="out">pending</pre>
<script>
const A = %q, T = %q, out = document.getElementById("out");
async function go() {
  let s = "";
  try {
    const r = await fetch(A + "/v1/readers", {headers: {%q: T}});
    s += "OK " + r.status + " " + await r.text();
  } catch (e) { s += "REFUSED readers: " + e; }
  try {
    const r = await fetch(A + "/v1/qualify", {method: "POST", headers: {"Content-Type": "application/json", %q: T}, body: JSON.stringify({pin: "1234"})});
    s += "\nqualify " + r.status;
  } catch (e) { s += "\nqualify REFUSED: " + e; }
  try {
    const r = await fetch(A + "/");
    const x = await r.text();
    s += "\npage " + r.status + (x.includes(T) ? " TOKEN READ" : "");
  } catch (e) { s += "\npage REFUSED: " + e; }
  out.textContent = s;
  out.dataset.done = "1";
}
go();
</script></body></html>`, name, o.origin, o.agent.base, testToken, agent.HeaderToken, agent.HeaderToken)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return o
}

// waitLog waits until the agent's log holds s.
func waitLog(t *testing.T, r *running, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("agent log never showed %q", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitTries waits until the virtual card's counter for pin shows want tries
// left, so that a step is known to have reached the card.
func waitTries(t *testing.T, vc *virtual.Card, pin virtual.PINRef, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for vc.TriesLeft(pin) != want {
		if time.Now().After(deadline) {
			t.Fatalf("tries left of %v = %d, want %d within 10 s", pin, vc.TriesLeft(pin), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
