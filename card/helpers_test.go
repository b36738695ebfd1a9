package card_test

import (
	"context"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// counting wraps a RawCard and counts the APDUs it receives by INS.
type counting struct {
	reader.RawCard
	mu    sync.Mutex
	byINS map[byte]int
	total int
	// all counts every APDU since the wrapper was made (reset keeps it),
	// as virtual.Fault.At does.
	all int
	// extendedSeen counts APDUs sent with extended length fields.
	extendedSeen int
	// sent keeps the APDUs since reset.
	sent [][]byte
}

// commands returns the APDUs sent since reset.
func (c *counting) commands() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.sent...)
}

// testCVKeys is the CV CA key set that trusts the virtual card's keys.
func testCVKeys(t testing.TB) *card.CVCAKeys {
	t.Helper()
	k, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCounting(c reader.RawCard) *counting { return &counting{RawCard: c, byINS: map[byte]int{}} }

func (c *counting) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	c.total++
	c.all++
	c.sent = append(c.sent, append([]byte(nil), capdu...))
	if len(capdu) > 1 {
		c.byINS[capdu[1]]++
	}
	if len(capdu) >= 7 && capdu[4] == 0 {
		c.extendedSeen++
	}
	c.mu.Unlock()
	return c.RawCard.Transmit(capdu)
}

func (c *counting) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byINS = map[byte]int{}
	c.sent = nil
	c.total = 0
	c.extendedSeen = 0
}

func (c *counting) count(ins byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byINS[ins]
}

// unrelatedCard answers sw to everything (6A82, as a payment card answers
// a SELECT of an AID it does not hold, by default), or 9000 to SELECT and
// sw to the rest when selectOK is set.
type unrelatedCard struct {
	sw       uint16
	selectOK bool
}

func (u unrelatedCard) ATR() []byte { return []byte{0x3B, 0x00} }
func (u unrelatedCard) Transmit(c []byte) []byte {
	if u.selectOK && len(c) > 1 && c[1] == insSelect {
		return []byte{0x90, 0x00}
	}
	if u.sw == 0 {
		return []byte{0x6A, 0x82}
	}
	return []byte{byte(u.sw >> 8), byte(u.sw)}
}

const (
	insSelect     = 0xA4
	insReadBinary = 0xB0
	insVerify     = 0x20
	insSign       = 0x2A
	insChange     = 0x24
)

// fixture is a virtual card of the default test holder behind a loopback
// reader.
type fixture struct {
	h    *jpkitest.Holder
	vc   *virtual.Card
	cnt  *counting
	rc   reader.Card
	j    *card.JPKI
	opts card.Options
}

var (
	holderOnce sync.Once
	holder     *jpkitest.Holder
)

func defaultHolder() *jpkitest.Holder {
	holderOnce.Do(func() { holder = jpkitest.DefaultHolder() })
	return holder
}

type fixtureConfig struct {
	contents func(*virtual.Contents)
	vopts    []virtual.Option
	caps     reader.Capabilities
	opts     card.Options
}

func newFixture(t testing.TB, cfg fixtureConfig) *fixture {
	t.Helper()
	h := defaultHolder()
	ct := h.Contents()
	if cfg.contents != nil {
		cfg.contents(&ct)
	}
	vc, err := virtual.NewMyNumberCard(ct, cfg.vopts...)
	if err != nil {
		t.Fatalf("NewMyNumberCard: %v", err)
	}
	cnt := newCounting(vc)
	rc := reader.Loopback("virtual", cnt, cfg.caps)
	j, err := card.OpenJPKI(context.Background(), rc, cfg.opts)
	if err != nil {
		t.Fatalf("OpenJPKI: %v", err)
	}
	cnt.reset()
	return &fixture{h: h, vc: vc, cnt: cnt, rc: rc, j: j, opts: cfg.opts}
}

// prompt returns a PINPrompt answering pin, recording what it was told
// and keeping the slices it returned so tests can check they were wiped.
type recorder struct {
	mu        sync.Mutex
	pin       string
	calls     int
	remaining []int
	kinds     []card.PINKind
	returned  [][]byte
}

func (r *recorder) prompt(_ context.Context, k card.PINKind, remaining int) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.remaining = append(r.remaining, remaining)
	r.kinds = append(r.kinds, k)
	b := []byte(r.pin)
	r.returned = append(r.returned, b)
	return b, nil
}

func (r *recorder) assertWiped(t testing.TB) {
	t.Helper()
	for i, b := range r.returned {
		for _, c := range b {
			if c != 0 {
				t.Errorf("prompt result %d not wiped: %q", i, b)
				break
			}
		}
	}
}

func pin(s string) *recorder { return &recorder{pin: s} }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func errVerificationFailed() error { return apdu.ErrVerificationFailed }

// certEF names one certificate file in tests: the certificate of key, or
// the CA certificate that issued it.
type certEF struct {
	key card.KeyKind
	ca  bool
}

var (
	authCertEF   = certEF{card.AuthKey, false}
	authCACertEF = certEF{card.AuthKey, true}
	signCertEF   = certEF{card.SignKey, false}
	signCACertEF = certEF{card.SignKey, true}
)

func (c certEF) String() string {
	if c.ca {
		return c.key.String() + " CA certificate"
	}
	return c.key.String() + " certificate"
}

// readCertEF reads c with ReadCertificate or ReadCACertificate.
func readCertEF(ctx context.Context, j *card.JPKI, c certEF) ([]byte, error) {
	if c.ca {
		return j.ReadCACertificate(ctx, c.key)
	}
	return j.ReadCertificate(ctx, c.key)
}
