package reliability

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// insVerify is VERIFY's instruction byte (ISO/IEC 7816-4 §11.5.6).
const insVerify = 0x20

// insSign is the JPKI application's proprietary SIGN instruction
// (docs/card.md "Commands").
const insSign = 0x2A

// allPINs are the PINs whose retry counters every case watches.
var allPINs = []virtual.PINRef{
	virtual.PINJPKIAuth, virtual.PINJPKISign, virtual.PINText,
	virtual.PINTextA, virtual.PINTextB, virtual.PINSurfaceA, virtual.PINSurfaceB,
}

// world is what every operation needs besides the card: the default test
// holder's expected data, trusted roots, and a confirmer over a SQLite store
// in a temporary directory, with eligibility imported for the holder.
type world struct {
	holder   *jpkitest.Holder
	contents virtual.Contents
	roots    *jpki.Roots
	st       store.Store
	conf     *confirm.Confirmer
	signCert *jpki.Certificate
	dbPath   string
	// wrongPIN makes prompt answer a PIN of the right format that is
	// not the card's.
	wrongPIN bool
}

func newWorld(t testing.TB) *world {
	t.Helper()
	h := jpkitest.DefaultHolder()
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{holder: h, contents: h.Contents(), roots: roots}
	w.dbPath = filepath.Join(t.TempDir(), "store.db")
	ctx := context.Background()
	w.st, err = storeopen.Open(ctx, w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	if _, err := w.st.ImportEligibilityCSV(ctx, strings.NewReader(eligibilityCSV(h))); err != nil {
		t.Fatal(err)
	}
	w.conf, err = confirm.New(confirm.Config{
		Roots: roots, Enrolments: w.st, Records: w.st, Eligibility: w.st, Operator: "reliability",
		RevocationPolicy: revocation.PolicySoft,
		Now:              jpkitest.ReferenceTime,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.signCert, err = jpki.Parse(w.contents.SignCert)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// eligibilityCSV is one valid qualification for h's authentication
// certificate (ReferenceTime is 2026-04-01 in Japan).
func eligibilityCSV(h *jpkitest.Holder) string {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write(strings.Split(store.EligibilityCSVHeader, ","))
	cw.Write([]string{confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert), "06123456", "ABC", "1234", "01",
		"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2025-04-01", "", "", "30", "1"})
	cw.Flush()
	return b.String()
}

// newCard makes a fresh virtual card of the default holder.
func (w *world) newCard(t testing.TB, opts ...virtual.Option) *virtual.Card {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(w.contents, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

// prompt answers every PIN the operations ask for with the right value.
// Each call returns a fresh slice, which the library wipes.
func (w *world) prompt(_ context.Context, k card.PINKind, _ int) ([]byte, error) {
	if w.wrongPIN {
		switch k {
		case card.SignPIN:
			return []byte("WRONG1"), nil
		case card.AuthPIN, card.TextPIN:
			return []byte("9999"), nil
		}
	}
	switch k {
	case card.AuthPIN:
		return []byte(w.contents.AuthPIN), nil
	case card.SignPIN:
		return []byte(w.contents.SignPIN), nil
	case card.TextPIN:
		return []byte(w.contents.TextPIN), nil
	case card.TextPINA, card.SurfacePINA:
		return []byte(w.contents.Number), nil
	}
	pb, err := w.holder.PINB()
	return []byte(pb), err
}

// tries reads every retry counter of vc without an APDU.
func tries(vc *virtual.Card) map[virtual.PINRef]int {
	m := make(map[virtual.PINRef]int, len(allPINs))
	for _, p := range allPINs {
		m[p] = vc.TriesLeft(p)
	}
	return m
}

// recorder is an Options.Trace hook that keeps the instruction bytes of
// every command (already redacted by the library: no PIN reaches it).
type recorder struct {
	mu   sync.Mutex
	ins  []byte
	data []bool // whether the command carried data (Lc > 0)
}

func (r *recorder) hook(ev reader.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ins byte
	if len(ev.Command) > 1 {
		ins = ev.Command[1]
	}
	r.ins = append(r.ins, ins)
	r.data = append(r.data, len(ev.Command) > 5)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ins, r.data = nil, nil
}

// verifies counts the VERIFY commands that carried a PIN.
func (r *recorder) verifies() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, ins := range r.ins {
		if ins == insVerify && r.data[i] {
			n++
		}
	}
	return n
}

func (r *recorder) snapshot() ([]byte, []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.ins...), append([]bool(nil), r.data...)
}

// recordCount returns the number of confirmation records after seq and
// the last sequence number.
func recordsAfter(ctx context.Context, st store.Store, seq int64) (int, int64, error) {
	n := 0
	for {
		rs, err := st.ListRecords(ctx, seq, 0)
		if err != nil {
			return 0, 0, err
		}
		if len(rs) == 0 {
			return n, seq, nil
		}
		n += len(rs)
		seq = rs[len(rs)-1].Seq
	}
}

// pcscSession is the virtual card inserted into one vpcd slot, with a
// connection through pcscd that can be renewed after a removal.
type pcscSession struct {
	t    testing.TB
	slot *pcsctest.SlotHandle
	pc   *pcsc.Context
	vc   *virtual.Card
	in   *pcsctest.Inserted
	card *pcsc.Card
}

func newPCSCSession(t testing.TB, vc *virtual.Card) *pcscSession {
	t.Helper()
	s := &pcscSession{t: t, slot: pcsctest.Slot(t), pc: pcsctest.Context(t), vc: vc}
	s.in = pcsctest.Insert(t, s.slot, vc)
	s.connect()
	t.Cleanup(func() {
		if s.card != nil {
			s.card.Close()
		}
	})
	return s
}

func (s *pcscSession) connect() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k, err := s.pc.Connect(ctx, s.slot.Reader)
	if err != nil {
		s.t.Fatalf("connecting to %s: %v", s.slot.Reader, err)
	}
	s.card = k
}

// reinsert puts a card removed by FaultRemove back: it waits until pcscd
// has seen the removal, reinserts the card and connects again.
func (s *pcscSession) reinsert() {
	s.t.Helper()
	s.card.Close()
	s.card = nil
	s.in.Remove(s.t)
	s.vc.Reinsert()
	s.in = pcsctest.Insert(s.t, s.slot, s.vc)
	s.connect()
}
