package operator_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
)

// sealSlice seals records in memory as the store would: numbered from
// first, each chained to the one before (prev is the hash before first).
func sealSlice(t testing.TB, key operator.Key, first int64, prev []byte, recs []store.Record) []store.Record {
	t.Helper()
	out := make([]store.Record, len(recs))
	for i, r := range recs {
		r.Seq = first + int64(i)
		if err := operator.Seal(context.Background(), key, prev, &r); err != nil {
			t.Fatalf("sealing record %d: %v", r.Seq, err)
		}
		prev = r.RecordHash
		out[i] = r
	}
	return out
}

func samples(n int) []store.Record {
	out := make([]store.Record, n)
	for i := range out {
		out[i] = sampleRecord(i)
	}
	return out
}

// checkSealVerify seals three records with k and verifies them.
func checkSealVerify(t *testing.T, k operator.Key) {
	t.Helper()
	recs := sealSlice(t, k, 1, nil, samples(3))
	rep, err := operator.VerifyChain(context.Background(), operator.FromSlice(recs),
		operator.VerifyOptions{TrustedCerts: []*x509.Certificate{k.Certificate()}})
	if err != nil || rep.Verified != 3 {
		t.Fatalf("VerifyChain = %+v, %v", rep, err)
	}
}

func mustKey(t testing.TB, name string) operator.Key {
	t.Helper()
	priv, cert := newECKey(t, name)
	k, err := operator.NewKey(priv, cert)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerifyTrust(t *testing.T) {
	ctx := context.Background()
	alice, mallory := mustKey(t, "Alice"), mustKey(t, "Mallory")
	recs := sealSlice(t, alice, 1, nil, samples(5))

	// Mallory rewrites record 3 and re-seals the rest of the chain with
	// her own key: the chain holds together, the signer does not.
	forged := append([]store.Record(nil), recs[:2]...)
	edited := samples(5)[2:]
	edited[0].Attributes.Name = "偽　名"
	forged = append(forged, sealSlice(t, mallory, 3, recs[1].RecordHash, edited)...)

	trustAlice := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{alice.Certificate()}}
	_, err := operator.VerifyChain(ctx, operator.FromSlice(forged), trustAlice)
	var ce *operator.ChainError
	if !errors.As(err, &ce) || ce.Seq != 3 || !errors.Is(err, operator.ErrUntrustedSigner) {
		t.Fatalf("forged chain = %v, want record 3 untrusted", err)
	}

	rep, err := operator.VerifyChain(ctx, operator.FromSlice(forged), operator.VerifyOptions{AnyCert: true})
	if err != nil {
		t.Fatalf("forged chain in any-certificate mode: %v", err)
	}
	if len(rep.Signers) != 2 || rep.Signers[0].Records != 2 || rep.Signers[1].FirstSeq != 3 ||
		rep.Signers[1].LastSeq != 5 || rep.Signers[1].Cert.Subject.CommonName != "Mallory" {
		t.Fatalf("signers = %+v, want Alice 1–2 and Mallory 3–5", rep.Signers)
	}

	// A certificate reissued for the same key stays trusted.
	reissued := mustReissue(t, alice)
	if _, err := operator.VerifyChain(ctx, operator.FromSlice(recs), operator.VerifyOptions{TrustedCerts: []*x509.Certificate{reissued}}); err != nil {
		t.Fatalf("trusting a reissued certificate for the same key: %v", err)
	}

	if _, err := operator.VerifyChain(ctx, operator.FromSlice(recs), operator.VerifyOptions{}); !errors.Is(err, operator.ErrNoTrustChoice) {
		t.Fatalf("VerifyChain without a trust choice = %v, want ErrNoTrustChoice", err)
	}
}

func mustReissue(t *testing.T, k operator.Key) *x509.Certificate {
	t.Helper()
	return selfSigned(t, k, "Alice (renewed)")
}

func TestVerifyChainCases(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	anyCert := operator.VerifyOptions{AnyCert: true}
	sealed := sealSlice(t, key, 1, nil, samples(4))
	unsealed := samples(2)
	unsealed[0].Seq, unsealed[1].Seq = 1, 2
	withPrefix := append(append([]store.Record(nil), unsealed...), sealSlice(t, key, 3, nil, samples(2))...)

	for _, tc := range []struct {
		name     string
		recs     []store.Record
		opts     operator.VerifyOptions
		wantSeq  int64
		want     error
		verified int
	}{
		{"good", sealed, anyCert, 0, nil, 4},
		{"empty", nil, anyCert, 0, operator.ErrNothingVerified, 0},
		{"only unsealed", unsealed, operator.VerifyOptions{AnyCert: true, AllowUnsealedPrefix: true}, 0, operator.ErrNothingVerified, 0},
		{"head on an unsealed prefix record", withPrefix, operator.VerifyOptions{AnyCert: true, AllowUnsealedPrefix: true, ExpectHead: &operator.Head{Seq: 2, RecordHash: make([]byte, 32)}}, 2, operator.ErrHeadMismatch, 0},
		{"duplicate", []store.Record{sealed[0], sealed[1], sealed[1]}, anyCert, 2, operator.ErrSequenceOrder, 2},
		{"out of order", []store.Record{sealed[0], sealed[2], sealed[1]}, anyCert, 3, operator.ErrSequenceGap, 1},
		{"unsealed prefix refused", withPrefix, anyCert, 1, operator.ErrUnsealed, 0},
		{"unsealed prefix allowed", withPrefix, operator.VerifyOptions{AnyCert: true, AllowUnsealedPrefix: true}, 0, nil, 2},
		{"unsealed after sealed", append(sealSlice(t, key, 1, nil, samples(1)), unsealed[1]), operator.VerifyOptions{AnyCert: true, AllowUnsealedPrefix: true}, 2, operator.ErrUnsealed, 1},
		{"chain not starting empty", sealSlice(t, key, 1, []byte("x"), samples(1)), anyCert, 1, operator.ErrPrevHashMismatch, 0},
		{"head matches", sealed, operator.VerifyOptions{AnyCert: true, ExpectHead: &operator.Head{Seq: 2, RecordHash: sealed[1].RecordHash}}, 0, nil, 4},
		{"head differs", sealed, operator.VerifyOptions{AnyCert: true, ExpectHead: &operator.Head{Seq: 2, RecordHash: sealed[0].RecordHash}}, 2, operator.ErrHeadMismatch, 1},
		{"head beyond", sealed, operator.VerifyOptions{AnyCert: true, ExpectHead: &operator.Head{Seq: 9}}, 5, operator.ErrTruncated, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := operator.VerifyChain(ctx, operator.FromSlice(tc.recs), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("VerifyChain = %v, want %v", err, tc.want)
			}
			if rep.Verified != tc.verified {
				t.Errorf("verified %d, want %d", rep.Verified, tc.verified)
			}
			if tc.want == nil {
				return
			}
			var ce *operator.ChainError
			if !errors.As(err, &ce) || ce.Seq != tc.wantSeq {
				t.Fatalf("VerifyChain = %v, want record %d named", err, tc.wantSeq)
			}
		})
	}
}

func TestVerifyChainSourceError(t *testing.T) {
	boom := errors.New("disk on fire")
	src := func(yield func(store.Record, error) bool) { yield(store.Record{}, boom) }
	_, err := operator.VerifyChain(context.Background(), src, operator.VerifyOptions{AnyCert: true})
	var ce *operator.ChainError
	if !errors.Is(err, boom) || errors.As(err, &ce) {
		t.Fatalf("VerifyChain over a failing source = %v, want the source's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := operator.VerifyChain(ctx, operator.FromSlice(samples(1)), operator.VerifyOptions{AnyCert: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("VerifyChain with a cancelled context = %v", err)
	}
}

// liar signs with one key but presents another's certificate.
type liar struct {
	operator.Key
	cert *x509.Certificate
}

func (l liar) Certificate() *x509.Certificate { return l.cert }

// wrongSigner has the certificate's public key but signs with another key.
type wrongSigner struct {
	operator.Key
	signer crypto.Signer
}

func (w wrongSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return w.signer.Sign(r, d, o)
}

func TestSealRefusals(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	otherPriv, otherCert := newECKey(t, "Other")

	r := sampleRecord(0)
	r.Seq = 1
	r.Details = "bad \xff utf-8"
	if err := operator.Seal(ctx, key, nil, &r); !errors.Is(err, operator.ErrInvalidText) || r.RecordHash != nil {
		t.Fatalf("Seal of invalid UTF-8 = %v, want ErrInvalidText and no seal", err)
	}
	r = sampleRecord(0)
	if err := operator.Seal(ctx, liar{key, otherCert}, nil, &r); !errors.Is(err, operator.ErrKeyMismatch) {
		t.Fatalf("Seal with another key's certificate = %v, want ErrKeyMismatch", err)
	}
	if err := operator.Seal(ctx, wrongSigner{key, otherPriv}, nil, &r); !errors.Is(err, operator.ErrKeyMismatch) || r.Signature != nil {
		t.Fatalf("Seal by a signer that is not the certificate's = %v, want ErrKeyMismatch", err)
	}
	if _, err := operator.NewKey(otherPriv, key.Certificate()); !errors.Is(err, operator.ErrKeyMismatch) {
		t.Fatalf("NewKey with another key's certificate = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := operator.Seal(cctx, key, nil, &r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Seal with a cancelled context = %v", err)
	}
}

// TestSealerInStore checks the store refuses nothing the sealer does and
// that the sealer only fills the seal fields.
func TestSealerInStore(t *testing.T) {
	key := mustKey(t, "Clerk")
	st, _ := chainStore(t, key, 2)
	ctx := context.Background()
	got, err := st.Record(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := st.Record(ctx, 1)
	want := sampleRecord(1)
	if !reflect.DeepEqual(got.Attributes, want.Attributes) || got.Operator != want.Operator || !got.At.Equal(want.At) ||
		string(got.PrevHash) != string(first.RecordHash) {
		t.Fatalf("stored record 2 = %+v", got)
	}
}

// pagedStore serves ListRecords from memory, counting calls.
type pagedStore struct {
	store.RecordStore
	recs  []store.Record
	calls int
}

func (p *pagedStore) ListRecords(ctx context.Context, after int64, limit int) ([]store.Record, error) {
	p.calls++
	var out []store.Record
	for _, r := range p.recs {
		if r.Seq > after && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

// TestFromStorePages verifies more records than one page holds.
func TestFromStorePages(t *testing.T) {
	n := 2*store.DefaultListLimit + 1
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i] = sampleRecord(i)
	}
	ps := &pagedStore{recs: sealSlice(t, mustKey(t, "Clerk"), 1, nil, recs)}
	rep, err := operator.VerifyStore(context.Background(), ps, operator.VerifyOptions{AnyCert: true})
	if err != nil || rep.Verified != n || rep.Head.Seq != int64(n) {
		t.Fatalf("VerifyStore = %+v, %v", rep, err)
	}
	if ps.calls != 3 {
		t.Errorf("%d pages read, want 3", ps.calls)
	}
}
