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
