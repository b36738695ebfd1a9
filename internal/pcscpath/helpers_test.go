package pcscpath

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

func TestMain(m *testing.M) {
	intruder.Main()
	pcsctest.Main(m)
}

// testTimeout bounds every operation of a test: a hang through pcscd must
// fail the test, not stall the package.
const testTimeout = 30 * time.Second

// Instruction bytes the tests look for in APDU logs (ISO/IEC 7816-4 §5.4.2
// and docs/card.md, "SIGN", for the proprietary SIGN).
const (
	insSelect     byte = 0xA4
	insReadBinary byte = 0xB0
	insVerify     byte = 0x20
	insSign       byte = 0x2A
)

// APDU sizes used to compute exact byte budgets (ISO/IEC 7816-4 §5.1):
// a header is CLA INS P1 P2, a short Lc or Le field is one byte, an
// extended Le field with no data is three (00 Le1 Le2), and every
// response ends with SW1 SW2.
const (
	headerLen      = 4
	shortLeLen     = 1
	shortLcLen     = 1
	extendedLeLen  = 3
	statusWordLen  = 2
	shortChunk     = 256
	aidLen         = 10
	fileIDLen      = 2
	selectAppLen   = headerLen + shortLcLen + aidLen
	selectEFLen    = headerLen + shortLcLen + fileIDLen
	readShortLen   = headerLen + shortLeLen
	readExtended   = headerLen + extendedLeLen
	certSelectAPDU = 2 // SELECT the JPKI application, SELECT the EF
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// loggedCard is a virtual card that records every command APDU it
// receives, in order, with the data of VERIFY and CHANGE REFERENCE DATA
// masked (reader.Redact), so tests can check what reached the card and in
// which order, whichever process sent it.
type loggedCard struct {
	*virtual.Card
	mu   sync.Mutex
	cmds [][]byte
	// total counts every command since the card was made, as
	// virtual.Fault.At does.
	total int
	// onCommand, if set, sees each (redacted) command before the card
	// does, on the vpcd connection's goroutine.
	onCommand func([]byte)
}

// Transmit records capdu and passes it to the card.
func (c *loggedCard) Transmit(capdu []byte) []byte {
	red, _ := reader.Redact(bytes.Clone(capdu))
	c.mu.Lock()
	c.cmds = append(c.cmds, red)
	c.total++
	hook := c.onCommand
	c.mu.Unlock()
	if hook != nil {
		hook(red)
	}
	return c.Card.Transmit(capdu)
}

// setOnCommand installs the command hook.
func (c *loggedCard) setOnCommand(f func([]byte)) {
	c.mu.Lock()
	c.onCommand = f
	c.mu.Unlock()
}

// commands returns the commands recorded since the last reset.
func (c *loggedCard) commands() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.cmds...)
}

// received returns how many commands the card has received since it was
// made.
func (c *loggedCard) received() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// resetLog forgets the commands recorded so far.
func (c *loggedCard) resetLog() {
	c.mu.Lock()
	c.cmds = nil
	c.mu.Unlock()
}

// rig is one virtual card in one vpcd slot, connected through pcscd.
type rig struct {
	holder   *jpkitest.Holder
	contents virtual.Contents
	vc       *loggedCard
	slot     *pcsctest.SlotHandle
	in       *pcsctest.Inserted
	reader   *pcsc.Card
	j        *card.JPKI
	// count sees every APDU j exchanges (Options.Trace).
	count *card.Counter
}

// rigConfig says how to build a rig.
type rigConfig struct {
	// extended declares the reader as passing extended-length APDUs
	// (pcsc.WithExtendedLength).
	extended bool
	// cardOpts configure the virtual card.
	cardOpts []virtual.Option
	// opts are the card package options; Trace is set by the rig.
	opts card.Options
	// edit changes the default holder's contents before the card is made.
	edit func(*virtual.Contents)
	// holder, if set, replaces the default holder; its VirtualOptions
	// are added to cardOpts.
	holder *jpkitest.Holder
}

// newRig makes the default holder's card, inserts it in a slot, connects
// to it through pcscd and opens its JPKI application.
func newRig(t testing.TB, cfg rigConfig) *rig {
	t.Helper()
	r := &rig{holder: jpkitest.DefaultHolder(), count: new(card.Counter)}
	if cfg.holder != nil {
		r.holder = cfg.holder
	}
	r.contents = r.holder.Contents()
	if cfg.edit != nil {
		cfg.edit(&r.contents)
	}
	vc, err := virtual.NewMyNumberCard(r.contents, append(r.holder.VirtualOptions(), cfg.cardOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.vc = &loggedCard{Card: vc}
	r.slot = pcsctest.Slot(t)
	r.in = pcsctest.Insert(t, r.slot, r.vc)
	r.reader = connect(t, r.slot, cfg.extended)
	opts := cfg.opts
	opts.Trace = r.count.Hook(opts.Trace)
	r.j, err = card.OpenJPKI(ctxT(t), r.reader, opts)
	if err != nil {
		t.Fatalf("OpenJPKI through %s: %v", r.slot.Reader, err)
	}
	r.count.Reset()
	r.vc.ResetStats()
	r.vc.resetLog()
	return r
}

// connect connects to the card in slot through pcscd.
func connect(t testing.TB, slot *pcsctest.SlotHandle, extended bool) *pcsc.Card {
	t.Helper()
	pc := pcsctest.Context(t, pcsc.WithExtendedLength(extended))
	k, err := pc.Connect(ctxT(t), slot.Reader)
	if err != nil {
		t.Fatalf("connecting to %s: %v", slot.Reader, err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// prompt is a PIN prompt that answers a fixed PIN and records its calls.
type prompt struct {
	pin string
	mu  sync.Mutex
	// calls counts the questions; seen is the remaining count of each.
	calls int
	seen  []int
	// given keeps every slice handed to the library, to check that it
	// was wiped.
	given [][]byte
	// during, if set, runs inside the prompt (so inside the card
	// transaction) before it answers.
	during func(ctx context.Context)
}

func answer(pin string) *prompt { return &prompt{pin: pin} }

// ask is the card.PINPrompt.
func (p *prompt) ask(ctx context.Context, _ card.PINKind, remaining int) ([]byte, error) {
	p.mu.Lock()
	p.calls++
	p.seen = append(p.seen, remaining)
	during := p.during
	pin := []byte(p.pin)
	p.given = append(p.given, pin)
	p.mu.Unlock()
	if during != nil {
		during(ctx)
	}
	return pin, nil
}

// wiped reports whether every PIN slice handed out is all zero bytes.
func (p *prompt) wiped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.given {
		for _, c := range b {
			if c != 0 {
				return false
			}
		}
	}
	return len(p.given) > 0
}

func (p *prompt) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// sha256Info returns the SHA-256 digest of msg and its DigestInfo.
func sha256Info(t testing.TB, msg string) (digest, info []byte) {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	info, err := jpki.DigestInfo(crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return sum[:], info
}

// insOf returns the INS byte of each command.
func insOf(cmds [][]byte) []byte {
	out := make([]byte, 0, len(cmds))
	for _, c := range cmds {
		if len(c) > 1 {
			out = append(out, c[1])
		}
	}
	return out
}

// newContents returns the default holder's card contents.
func newContents() virtual.Contents { return jpkitest.DefaultHolder().Contents() }
