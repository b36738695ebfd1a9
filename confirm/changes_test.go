package confirm_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

// withSerial returns a copy of cert's DER with its serial number replaced
// by one of the same length ending in i (the signature no longer matches:
// CheckAll trusts enrolled certificates, which were verified when they
// were enrolled, and finds their issuer by key identifier).
func withSerial(t testing.TB, cert *x509.Certificate, i int) ([]byte, *big.Int) {
	t.Helper()
	enc, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(cert.Raw, enc)
	if at < 0 || len(enc) < 5 {
		t.Fatalf("serial not found or too short")
	}
	next := bytes.Clone(enc)
	next[len(next)-2], next[len(next)-1] = byte(i>>8), byte(i)
	der := bytes.Clone(cert.Raw)
	copy(der[at:], next)
	serial := new(big.Int)
	if _, err := asn1.Unmarshal(next, &serial); err != nil {
		t.Fatal(err)
	}
	return der, serial
}

// enrolBatch stores n signing enrolments: copies of the default holder's
// certificate with serials 0..n-1 in their last two bytes, and returns
// the serials.
func enrolBatch(t testing.TB, e *env, n int, gen2 map[int]bool, gen2Cert *x509.Certificate) []*big.Int {
	t.Helper()
	ctx := context.Background()
	h := jpkitest.DefaultHolder()
	serials := make([]*big.Int, n)
	for i := range n {
		src := h.SignCert
		if gen2[i] {
			src = gen2Cert
		}
		der, serial := withSerial(t, src, i)
		s, err := store.SerialFromBytes(serial.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		serials[i] = serial
		if _, err := e.st.AddEnrolment(ctx, store.Enrolment{
			Kind: card.SignKey, Issuer: confirm.IssuerString(src), Serial: s, CertDER: der,
			Attributes: &card.Attributes{Name: jpkitest.DefaultName}, EnrolledAt: e.now, Operator: "batch",
		}); err != nil {
			t.Fatal(err)
		}
	}
	return serials
}

func TestCheckAllTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 enrolments")
	}
	const n = 10000
	ctx := context.Background()
	e := newEnvIn(t, fastDir(t))
	g2, err := e.pki.Issue(jpkitest.HolderSpec{Generation: 2, KeySalt: "gen2"})
	if err != nil {
		t.Fatal(err)
	}
	// 40 certificates of generation 2, for which no CRL is loaded.
	gen2 := map[int]bool{}
	for i := 9000; i < 9040; i++ {
		gen2[i] = true
	}
	start := time.Now()
	serials := enrolBatch(t, e, n, gen2, g2.SignCert)
	t.Logf("enrolled %d in %v", n, time.Since(start))

	var list []revoked
	want := confirm.Summary{Checked: n, RevokedOther: map[string]int{}, Unknown: len(gen2)}
	add := func(from, to int, r revocation.Reason) {
		for i := from; i < to; i++ {
			list = append(list, revoked{serials[i], r})
		}
	}
	add(100, 400, revocation.ReasonAffiliationChanged)
	add(1000, 1050, revocation.ReasonKeyCompromise)
	add(2000, 2020, revocation.ReasonSuperseded)
	add(3000, 3005, revocation.ReasonCessationOfOperation)
	// An unrelated revoked serial not enrolled.
	list = append(list, revoked{big.NewInt(7), revocation.ReasonUnspecified})
	want.RegistrationChanged = 300
	want.RevokedOther = map[string]int{"keyCompromise": 50, "superseded": 20, "cessationOfOperation": 5}
	want.Good = n - 300 - 75 - len(gen2)
	e.setCRLs(list, nil)

	c := e.confirmer(nil)
	var emitted, lastDone, lastTotal int
	byOutcome := map[confirm.Outcome]int{}
	var prevID int64
	start = time.Now()
	sum, err := c.CheckAll(ctx, func(done, total int) { lastDone, lastTotal = done, total }, func(r confirm.ChangeResult) {
		emitted++
		byOutcome[r.Outcome]++
		if r.EnrolmentID <= prevID {
			t.Errorf("out of order: %d after %d", r.EnrolmentID, prevID)
		}
		prevID = r.EnrolmentID
		if r.Outcome == confirm.OutcomeRegistrationChanged && r.Message != confirm.MessageRegistrationChanged {
			t.Errorf("message %q", r.Message)
		}
		if r.Outcome == confirm.OutcomeUnknown && r.Revocation.Code != confirm.RevCodeNoSource {
			t.Errorf("unknown with code %q", r.Revocation.Code)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d in %v", n, time.Since(start))
	if sum.Checked != want.Checked || sum.Good != want.Good || sum.RegistrationChanged != want.RegistrationChanged || sum.Unknown != want.Unknown ||
		len(sum.RevokedOther) != len(want.RevokedOther) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	for k, v := range want.RevokedOther {
		if sum.RevokedOther[k] != v {
			t.Errorf("revoked %s = %d, want %d", k, sum.RevokedOther[k], v)
		}
	}
	if emitted != n || lastDone != n || lastTotal != n || byOutcome[confirm.OutcomeRegistrationChanged] != 300 {
		t.Errorf("emitted %d, progress %d/%d, outcomes %v", emitted, lastDone, lastTotal, byOutcome)
	}
	// The outcome is recorded on the enrolment.
	en, err := e.st.Enrolment(ctx, 101)
	if err != nil || en.Revocation.Status != store.RevocationRevoked || en.Revocation.Reason != "affiliationChanged" {
		t.Errorf("enrolment 101 = %+v, %v", en.Revocation, err)
	}
}

func BenchmarkCheckAll(b *testing.B) {
	ctx := context.Background()
	e := newEnvIn(b, fastDir(b))
	enrolBatch(b, e, 1000, nil, nil)
	c := e.confirmer(nil)
	if _, err := c.CheckAll(ctx, nil, nil); err != nil { // first run records every outcome
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.CheckAll(ctx, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCheckAllCancelled(t *testing.T) {
	e := newEnvIn(t, fastDir(t))
	enrolBatch(t, e, 600, nil, nil) // cancelled inside a batch
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	sum, err := e.confirmer(nil).CheckAll(ctx, nil, func(confirm.ChangeResult) {
		if n++; n == 10 {
			cancel()
		}
	})
	if err == nil || sum.Checked != 10 {
		t.Errorf("CheckAll after cancel = %+v, %v", sum, err)
	}
}

func TestCheckWithoutSource(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	enrolBatch(t, e, 3, nil, nil)
	c := e.confirmer(func(c *confirm.Config) { c.Revocation = nil })
	sum, err := c.CheckAll(ctx, nil, nil)
	if err != nil || sum.Checked != 3 || sum.Unknown != 3 || sum.Good != 0 {
		t.Errorf("summary = %+v, %v", sum, err)
	}
	r, err := c.CheckEnrolment(ctx, 2)
	if err != nil || r.Outcome != confirm.OutcomeUnknown || r.Revocation.Code != confirm.RevCodeNoSource {
		t.Errorf("one = %+v, %v", r, err)
	}
	if _, err := c.CheckEnrolment(ctx, 99); err == nil {
		t.Error("unknown enrolment checked")
	}
}
