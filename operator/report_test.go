package operator_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/operator"
)

func TestReportJSON(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk Hanako")
	recs := sealSlice(t, key, 1, nil, samples(3))
	rep, err := operator.VerifyChain(ctx, operator.FromSlice(recs), operator.VerifyOptions{AnyCert: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK       bool
		Verified int
		Head     operator.Head
		Signers  []struct {
			Subject  string
			SHA256   string
			Records  int
			FirstSeq int64 `json:"first_seq"`
		}
		Failure *json.RawMessage
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if !got.OK || got.Verified != 3 || got.Head.String() != rep.Head.String() || len(got.Signers) != 1 ||
		got.Signers[0].Subject != "CN=Clerk Hanako,O=mynacard test" || got.Signers[0].Records != 3 ||
		got.Signers[0].SHA256 != operator.Fingerprint(key.Certificate()) || got.Failure != nil {
		t.Fatalf("report JSON %s", b)
	}

	recs[2].Details = "edited"
	rep, _ = operator.VerifyChain(ctx, operator.FromSlice(recs), operator.VerifyOptions{AnyCert: true})
	b, _ = json.Marshal(rep)
	if !strings.Contains(string(b), `"failure":{"seq":3,"code":"hash_mismatch","reason":"record hash mismatch (record edited)"}`) ||
		!strings.Contains(string(b), `"ok":false`) {
		t.Fatalf("report JSON %s", b)
	}
}

func TestChainErrorCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, reason := range []error{operator.ErrUnsealed, operator.ErrSequenceGap, operator.ErrSequenceOrder,
		operator.ErrPrevHashMismatch, operator.ErrHashMismatch, operator.ErrBadSignerCert, operator.ErrUntrustedSigner,
		operator.ErrBadSignature, operator.ErrTruncated, operator.ErrHeadMismatch} {
		code := (&operator.ChainError{Seq: 1, Reason: reason}).Code()
		if code == "unknown" || seen[code] {
			t.Errorf("%v: code %q", reason, code)
		}
		seen[code] = true
	}
	ce := &operator.ChainError{Seq: 4, Reason: operator.ErrBadSignerCert, Detail: "d", Err: errors.New("asn1")}
	if !errors.Is(ce, operator.ErrBadSignerCert) || ce.Error() != "record 4: bad operator certificate: d: asn1" {
		t.Fatalf("ChainError = %q", ce)
	}
}

func TestParseHead(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"42:" + hash, true},
		{" 7:" + strings.ToUpper(hash) + "\n", true},
		{"42" + hash, false},
		{"0:" + hash, false},
		{"-1:" + hash, false},
		{"+3:" + hash, false},
		{"x:" + hash, false},
		{"42:" + hash[:62], false},
		{"42:" + hash + "00", false},
		{"42:zz" + hash[2:], false},
		{"", false},
	} {
		h, err := operator.ParseHead(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseHead(%q) = %v, %v", tc.in, h, err)
		}
	}
}

// FuzzParseHead checks that what parses prints back to the same head.
func FuzzParseHead(f *testing.F) {
	f.Add("42:" + strings.Repeat("ab", 32))
	f.Add("1:")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := operator.ParseHead(s)
		if err != nil {
			return
		}
		again, err := operator.ParseHead(h.String())
		if err != nil || again.String() != h.String() {
			t.Fatalf("%q → %q → %v, %v", s, h, again, err)
		}
	})
}
