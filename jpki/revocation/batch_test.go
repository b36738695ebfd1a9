package revocation

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// pairLines streams n batch lines "<key>,<serial>" alternating listed and
// unlisted synthetic serials, without holding them.
type pairLines struct {
	key   string
	n, i  int
	width int // of the synthetic serials (0: 4 bytes)
	buf   []byte
}

func (p *pairLines) Read(b []byte) (int, error) {
	for len(p.buf) < len(b) && p.i < p.n {
		p.buf = append(append(p.buf, p.key...), ',')
		if p.width <= 4 {
			serial := int64(jpkitest.SyntheticSerialBase) + int64(p.i) // even: listed, odd: not
			p.buf = append(strconv.AppendInt(p.buf, serial, 16), '\n')
		} else {
			s := jpkitest.SyntheticSerial(p.i/2, p.width)
			s[len(s)-1] |= byte(p.i & 1) // listed serials are even
			p.buf = append(hex.AppendEncode(p.buf, s), '\n')
		}
		p.i++
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}

func TestBatch(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 1000})))
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	in := &pairLines{key: key, n: 2000}
	byReason := map[Reason]int{}
	st, err := set.Batch(context.Background(), ReadPairs(in), refTime, func(p Pair, r Result) error {
		listed := (p.Line-1)%2 == 0
		if listed != (r.Status == StatusRevoked) || (!listed && r.Status != StatusGood) {
			return fmt.Errorf("line %d: %v %v", p.Line, r.Status, r.Err)
		}
		if listed {
			want := jpkitest.SyntheticCRLEntry((p.Line - 1) / 2)
			if int(r.Reason) != want.Reason || !r.RevokedAt.Equal(want.RevokedAt) {
				return fmt.Errorf("line %d: %v at %v", p.Line, r.Reason, r.RevokedAt)
			}
			byReason[r.Reason]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 2000 || st.Revoked != 1000 || st.Good != 1000 || st.Unknown != 0 || len(st.ByReason) != len(jpkitest.CRLReasons()) {
		t.Fatalf("stats %+v", st)
	}

	// Malformed lines, unknown issuers and comments.
	other, _ := signRoot(2)
	input := strings.Join([]string{
		"# comment",
		"",
		key + ",10000000",
		key + ",0010000001",
		"nonsense",
		key + ",zz",
		hex.EncodeToString(other.SubjectKeyId) + ",10000000",
	}, "\n")
	var got []string
	st, err = set.Batch(context.Background(), ReadPairs(strings.NewReader(input)), refTime, func(p Pair, r Result) error {
		got = append(got, fmt.Sprintf("%d:%v", p.Line, r.Status))
		if r.Status == StatusUnknown && r.Err == nil {
			return errors.New("unknown without reason")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "3:revoked 4:good 5:unknown 6:unknown 7:unknown"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Stale CRL: unlisted serials are unknown in a batch too.
	if st, _ := set.Batch(context.Background(), ReadPairs(strings.NewReader(key+",10000001\n")), refTime.Add(72*60*60*1e9), nil); st.Unknown != 1 {
		t.Fatalf("stale batch %+v", st)
	}
}

func TestDecodeSerialHex(t *testing.T) {
	for in, want := range map[string]string{"0": "00", "1": "01", "80": "0080", "0080": "0080", "00000001": "01", "132C4AB": "0132c4ab", "FF00": "00ff00"} {
		got, err := decodeSerialHex(nil, []byte(in))
		if err != nil || hex.EncodeToString(got) != want {
			t.Errorf("%s: %x %v, want %s", in, got, err, want)
		}
	}
}

// TestBatchConstantMemory checks that a batch holds nothing per pair: the
// allocations of 100,000 pairs are about those of 10,000 times ten, and
// there are few per pair (the revoked answers' source strings).
func TestBatchConstantMemory(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 1000})))
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	run := func(n int) float64 {
		return testing.AllocsPerRun(1, func() {
			set.Batch(context.Background(), ReadPairs(&pairLines{key: key, n: n}), refTime, nil)
		})
	}
	small, large := run(10_000), run(100_000)
	if perPair := (large - small) / 90_000; perPair > 2 {
		t.Fatalf("%.2f allocations per pair", perPair)
	}
}

// TestBatchChunks runs batches of every length around the chunk size:
// each pair is answered once, in input order, with the pair's own bytes
// (the chunk copies them: the reader reuses its buffers), whatever the
// pairs' positions in a chunk.
func TestBatchChunks(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100})))
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	for _, n := range []int{0, 1, batchChunk - 1, batchChunk, batchChunk + 1, 2*batchChunk + 3, 5 * batchChunk} {
		var lines []int
		st, err := set.Batch(context.Background(), ReadPairs(&pairLines{key: key, n: n}), refTime, func(p Pair, r Result) error {
			lines = append(lines, p.Line)
			serial := int64(jpkitest.SyntheticSerialBase) + int64(p.Line-1)
			if got := hex.EncodeToString(p.Serial); got != fmt.Sprintf("%08x", serial) {
				return fmt.Errorf("line %d: serial %s", p.Line, got)
			}
			if hex.EncodeToString(p.IssuerKeyID) != key {
				return fmt.Errorf("line %d: issuer %x", p.Line, p.IssuerKeyID)
			}
			if listed := (p.Line-1)%2 == 0 && (p.Line-1)/2 < 100; listed != (r.Status == StatusRevoked) {
				return fmt.Errorf("line %d: %v", p.Line, r.Status)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if st.Total != n || st.Good+st.Revoked+st.Unknown != n || len(lines) != n {
			t.Fatalf("n=%d: %+v, %d emitted", n, st, len(lines))
		}
		for i, l := range lines {
			if l != i+1 {
				t.Fatalf("n=%d: emitted lines %v", n, lines)
			}
		}
	}
}

// failAfter yields lines of pairLines, then an I/O error.
type failAfter struct {
	r    io.Reader
	left int
}

func (f *failAfter) Read(b []byte) (int, error) {
	if f.left <= 0 {
		return 0, errors.New("disk gone")
	}
	if len(b) > f.left {
		b = b[:f.left]
	}
	n, err := f.r.Read(b)
	f.left -= n
	return n, err
}

// TestBatchStops checks what a batch has answered when it stops: on
// emit's error nothing after that pair is emitted; on an I/O error every
// pair read before it is answered and the failed line is counted; on a
// cancelled context the batch stops with the context's error.
func TestBatchStops(t *testing.T) {
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	set.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100})))
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	lineLen := len(key) + 1 + 8 + 1

	for _, stopAt := range []int{1, batchChunk / 2, batchChunk, batchChunk + 1} {
		emitted := 0
		boom := errors.New("emit failed")
		st, err := set.Batch(context.Background(), ReadPairs(&pairLines{key: key, n: 3 * batchChunk}), refTime, func(p Pair, r Result) error {
			emitted++
			if p.Line == stopAt {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) || emitted != stopAt || st.Total != stopAt {
			t.Fatalf("emit error at %d: %v, %d emitted, %+v", stopAt, err, emitted, st)
		}
	}

	for _, good := range []int{0, 3, batchChunk, batchChunk + 5} {
		emitted := 0
		in := &failAfter{r: &pairLines{key: key, n: 1000}, left: good * lineLen}
		st, err := set.Batch(context.Background(), ReadPairs(in), refTime, func(Pair, Result) error { emitted++; return nil })
		if err == nil || !strings.Contains(err.Error(), "disk gone") {
			t.Fatalf("I/O error after %d lines: %v", good, err)
		}
		if emitted != good || st.Total != good+1 || st.Good+st.Revoked+st.Unknown != good {
			t.Fatalf("I/O error after %d lines: %d emitted, %+v", good, emitted, st)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := set.Batch(ctx, ReadPairs(&pairLines{key: key, n: 10}), refTime, nil); !errors.Is(err, context.Canceled) || st.Total != 0 {
		t.Fatalf("cancelled: %+v %v", st, err)
	}
}
