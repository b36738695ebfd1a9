package confirm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
)

// The default test holder: born 1985-04-01 (昭和60年), card valid to
// 2034-04-01; 照合番号B 600401 2034 and the security code.
const (
	testBirthKey = "600401"
)

func testPINB(t testing.TB) string {
	t.Helper()
	pb, err := jpkitest.DefaultHolder().PINB()
	if err != nil {
		t.Fatal(err)
	}
	return pb
}

// chipCard returns the JPKI application of a virtual card holding ct.
func chipCard(t testing.TB, ct virtual.Contents, opts card.Options, vopts ...virtual.Option) (*card.JPKI, *virtual.Card) {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(ct, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	return j, vc
}

func testCVKeys(t testing.TB) *card.CVCAKeys {
	t.Helper()
	k, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var otherChipKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func TestIdentifyChip(t *testing.T) {
	h := jpkitest.DefaultHolder()
	pb := testPINB(t)
	tests := []struct {
		name    string
		ct      func(*virtual.Contents)
		vopts   []virtual.Option
		prod    bool
		revoke  bool
		refusal confirm.RefusalCode
	}{
		{name: "good"},
		{name: "tampered photo", vopts: []virtual.Option{virtual.WithRecordFault(virtual.RecordTampered)}, refusal: confirm.RefusalChipTampered},
		{name: "signed by the application key", vopts: []virtual.Option{virtual.WithRecordFault(virtual.RecordSignedByAppKey)}, refusal: confirm.RefusalChipOtherKey},
		{name: "certificate signed over TLV", vopts: []virtual.Option{virtual.WithRecordFault(virtual.CVCSignedOverTLV)}, refusal: confirm.RefusalChipOtherKey},
		{name: "test key under production check", prod: true, refusal: confirm.RefusalChipTestKey},
		{name: "cloned files", vopts: []virtual.Option{virtual.WithClonedFiles(otherChipKey())}, refusal: confirm.RefusalChipNotPresent},
		{name: "expired yesterday", ct: func(c *virtual.Contents) { c.Expiry = "20260331"; c.PINB = c.PINB[:6] + "2026" + c.PINB[10:] }, refusal: confirm.RefusalChipExpired},
		{name: "lost card", revoke: true, refusal: confirm.RefusalChipAuthRevoked},
		{name: "照合番号B of another birth date", ct: func(c *virtual.Contents) { c.PINB = "600402" + c.PINB[6:] }, refusal: confirm.RefusalChipCredentialMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.revoke {
				e.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
			}
			ct := h.Contents()
			typed := pb
			if tc.ct != nil {
				tc.ct(&ct)
				typed = ct.PINB
			}
			j, vc := chipCard(t, ct, card.Options{}, tc.vopts...)
			keys := testCVKeys(t)
			if tc.prod {
				keys = nil
			}
			id, err := e.confirmer(nil).IdentifyChip(context.Background(), j, confirm.ChipOptions{Prompt: pin(typed), CVKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			if id.Verdict.Refusal != tc.refusal || id.Verdict.OK != (tc.refusal == "") {
				t.Fatalf("verdict %+v, want refusal %q", id.Verdict, tc.refusal)
			}
			if id.Verdict.ExpirySigned {
				t.Error("expiry reported as signed")
			}
			if id.Face == nil || len(id.Face.FacePhoto) == 0 || id.CardKeyID == "" {
				t.Fatalf("face %v, card key %q", id.Face != nil, id.CardKeyID)
			}
			if vc.TriesLeft(virtual.PINSurfaceB) != virtual.MaxTriesCollation {
				t.Errorf("tries left %d after a right 照合番号B", vc.TriesLeft(virtual.PINSurfaceB))
			}
			recs := e.records()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			if r.CertKind != card.AuthKey || r.Operator != "clerk-1" || !strings.Contains(r.Details, `"method":"ic_chip"`) ||
				!strings.Contains(r.Details, id.CardKeyID) || !strings.Contains(r.Details, `"refusal":"`+string(tc.refusal)) && tc.refusal != "" {
				t.Errorf("record %+v", r)
			}
			// The photo is not kept, only its hash.
			if strings.Contains(r.Details, "photo\":\"") && len(r.Details) > 4096 {
				t.Errorf("record holds %d bytes of details", len(r.Details))
			}
			if !strings.Contains(r.Details, id.PhotoSHA256) {
				t.Error("record lacks the photo's hash")
			}
		})
	}
}

func TestIdentifyChipPIN(t *testing.T) {
	h := jpkitest.DefaultHolder()
	pb := testPINB(t)
	e := newEnv(t)
	ctx := context.Background()

	// A wrong 照合番号B costs one try and says how many are left.
	j, vc := chipCard(t, h.Contents(), card.Options{})
	wrong := pb[:10] + "0000"
	if wrong == pb {
		wrong = pb[:10] + "1111"
	}
	_, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(wrong), CVKeys: testCVKeys(t)})
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Remaining != virtual.MaxTriesCollation-1 {
		t.Fatalf("wrong 照合番号B: %v", err)
	}
	// A malformed or inconsistent one never reaches the card.
	for _, bad := range []string{"12345", pb[:2] + "13" + pb[4:], pb[:4] + "32" + pb[6:], pb[:6] + "2090" + pb[10:]} {
		_, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(bad), CVKeys: testCVKeys(t)})
		if !errors.Is(err, card.ErrPINFormat) {
			t.Errorf("%d digits: %v, want a format error", len(bad), err)
		}
	}
	if got := vc.TriesLeft(virtual.PINSurfaceB); got != virtual.MaxTriesCollation-1 {
		t.Errorf("tries left %d: a locally refused 照合番号B reached the card", got)
	}
	// A past expiry year refuses as expired without reading the card.
	id, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: pin(pb[:6] + "2025" + pb[10:]), CVKeys: testCVKeys(t)})
	if err != nil || id.Verdict.Refusal != confirm.RefusalChipExpired || id.Face != nil {
		t.Fatalf("past expiry year: %v %+v", err, id)
	}
	if len(e.records()) != 0 {
		t.Error("a refused PIN entry was recorded")
	}

	// The last try is refused before the PIN is asked.
	j, _ = chipCard(t, h.Contents(), card.Options{}, virtual.WithMaxTries(virtual.PINSurfaceB, 1))
	asked := false
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) { asked = true; return []byte(pb), nil }
	_, err = e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: prompt, CVKeys: testCVKeys(t)})
	if !errors.Is(err, card.ErrLastTry) || asked {
		t.Fatalf("last try: %v (asked %v)", err, asked)
	}
	j, _ = chipCard(t, h.Contents(), card.Options{AllowLastTry: true}, virtual.WithMaxTries(virtual.PINSurfaceB, 1))
	if id, err := e.confirmer(nil).IdentifyChip(ctx, j, confirm.ChipOptions{Prompt: prompt, CVKeys: testCVKeys(t)}); err != nil || !id.Verdict.OK {
		t.Fatalf("last try allowed: %v", err)
	}
}

func jst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, card.JST)
}

func TestReachedAge(t *testing.T) {
	birth := time.Date(2006, 4, 2, 0, 0, 0, 0, time.UTC) // as the card holds it
	leap := time.Date(2004, 2, 29, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		birth time.Time
		now   time.Time
		want  bool
	}{
		{"day before, last minute JST", birth, jst(2026, 4, 1, 23, 59), false},
		{"day before, in UTC already the birthday's eve ends", birth, time.Date(2026, 4, 1, 14, 59, 0, 0, time.UTC), false},
		{"birthday, first minute JST (still 1 April in UTC)", birth, time.Date(2026, 4, 1, 15, 0, 0, 0, time.UTC), true},
		{"birthday noon", birth, jst(2026, 4, 2, 12, 0), true},
		{"day after", birth, jst(2026, 4, 3, 0, 0), true},
		{"a year before", birth, jst(2025, 4, 2, 12, 0), false},
		{"29 Feb, common year, 28 Feb", leap, jst(2024+1, 2, 28, 23, 59), false}, // 21st not tested here: n below
		{"29 Feb, common year, 1 Mar", leap, jst(2025, 3, 1, 0, 0), true},
		{"29 Feb, leap year, 28 Feb", leap, jst(2024, 2, 28, 12, 0), false},
		{"29 Feb, leap year, 29 Feb", leap, jst(2024, 2, 29, 0, 0), true},
	}
	for _, tc := range tests {
		n := 20
		if tc.birth.Equal(leap) && tc.now.Year() == 2025 {
			n = 21
		}
		if got := confirm.ReachedAge(tc.birth, n, tc.now); got != tc.want {
			t.Errorf("%s: %d or over = %v, want %v", tc.name, n, got, tc.want)
		}
	}
	if a := confirm.Anniversary(leap, 21); a.Month() != confirm.LeapDayAnniversaryMonth || a.Day() != confirm.LeapDayAnniversaryDay {
		t.Errorf("29 Feb anniversary in 2025: %v", a)
	}
	if a := confirm.Anniversary(leap, 20); a.Month() != time.February || a.Day() != 29 {
		t.Errorf("29 Feb anniversary in 2024: %v", a)
	}
}

// ageHolders are holders whose Nth birthdays fall inside their
// certificates' validity (issued 2024-04-01), so that the boundaries are
// tested with a full check: born 2006-04-02 (20 on 2026-04-02) and born
// 29 February 2004 (21 on 1 March 2025, a common year).
var ageHolders = sync.OnceValues(func() ([2]*jpkitest.Holder, error) {
	var hs [2]*jpkitest.Holder
	for i, b := range []time.Time{time.Date(2006, 4, 2, 0, 0, 0, 0, time.UTC), time.Date(2004, 2, 29, 0, 0, 0, 0, time.UTC)} {
		h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{BirthDate: b, KeySalt: "age" + b.Format("20060102")})
		if err != nil {
			return hs, err
		}
		hs[i] = h
	}
	return hs, nil
})

func TestCheckAge(t *testing.T) {
	h := jpkitest.DefaultHolder() // born 1985-04-01
	ah, err := ageHolders()
	if err != nil {
		t.Fatal(err)
	}
	young, leap := ah[0], ah[1]
	ctx := context.Background()
	tests := []struct {
		name    string
		holder  *jpkitest.Holder
		now     time.Time
		over    int
		vopts   []virtual.Option
		prod    bool
		revoke  bool
		noCRL   bool
		want    bool
		refusal confirm.RefusalCode
	}{
		{name: "day before 20th birthday", holder: young, now: jst(2026, 4, 1, 23, 59), over: 20},
		{name: "20th birthday", holder: young, now: jst(2026, 4, 2, 0, 0), over: 20, want: true},
		{name: "day after", holder: young, now: jst(2026, 4, 3, 9, 0), over: 20, want: true},
		{name: "29 Feb, common year, 28 Feb", holder: leap, now: jst(2025, 2, 28, 23, 59), over: 21},
		{name: "29 Feb, common year, 1 Mar", holder: leap, now: jst(2025, 3, 1, 0, 0), over: 21, want: true},
		{name: "not 65", now: jst(2026, 4, 1, 12, 0), over: 65},
		{name: "cloned", now: jst(2026, 4, 1, 12, 0), over: 20, vopts: []virtual.Option{virtual.WithClonedFiles(otherChipKey())}, refusal: confirm.RefusalChipNotPresent},
		{name: "tampered", now: jst(2026, 4, 1, 12, 0), over: 20, vopts: []virtual.Option{virtual.WithRecordFault(virtual.RecordTampered)}, refusal: confirm.RefusalChipTampered},
		{name: "production check", now: jst(2026, 4, 1, 12, 0), over: 20, prod: true, refusal: confirm.RefusalChipTestKey},
		{name: "lost card", now: jst(2026, 4, 1, 12, 0), over: 20, revoke: true, refusal: confirm.RefusalChipAuthRevoked},
		{name: "no revocation source, hard policy", now: jst(2026, 4, 1, 12, 0), over: 20, noCRL: true, refusal: confirm.RefusalChipAuthRevocationUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.now = tc.now
			hd := tc.holder
			if hd == nil {
				hd = h
			}
			var lost []revoked
			if tc.revoke {
				lost = []revoked{{hd.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}}
			}
			e.setCRLs(nil, lost)
			if tc.now.Before(jpkitest.ReferenceTime().Add(-24 * time.Hour)) {
				e.crls.CRLs = []*revocation.CRL{authCRLAt(t, e, tc.now)}
			}
			ct := hd.Contents()
			j, _ := chipCard(t, ct, card.Options{}, tc.vopts...)
			keys := testCVKeys(t)
			if tc.prod {
				keys = nil
			}
			conf := e.confirmer(func(c *confirm.Config) {
				if tc.noCRL {
					c.Revocation = nil
				}
			})
			res, err := conf.CheckAge(ctx, j, confirm.AgeOptions{Over: tc.over, Prompt: pin(ct.PINB[:6]), CVKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			if res.Refusal != tc.refusal || res.OK != (tc.refusal == "") || res.Answer != tc.want {
				t.Fatalf("%+v, want answer %v refusal %q", res, tc.want, tc.refusal)
			}
			assertNoPersonalOf(t, hd, res)
			// The record: the verdict, the time and the card key ID,
			// nothing personal.
			recs := e.records()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			if r.Attributes != nil || !strings.Contains(r.Details, `"method":"age_check"`) ||
				!strings.Contains(r.Details, confirm.CardKeyID(&ct.SurfaceAppKey.PublicKey)) || !r.At.Equal(tc.now) ||
				!strings.Contains(r.Details, fmt.Sprintf(`"answer":%v`, tc.want)) || res.RecordSeq != r.Seq {
				t.Errorf("record %+v", r)
			}
			for _, p := range personalOf(hd) {
				if strings.Contains(r.Details, p) {
					t.Errorf("record details hold %q: %s", p, r.Details)
				}
			}
		})
	}
	// Without a store nothing is recorded.
	e := newEnv(t)
	j, _ := chipCard(t, h.Contents(), card.Options{})
	if res, err := e.confirmer(func(c *confirm.Config) { c.Records = nil }).CheckAge(ctx, j, confirm.AgeOptions{Over: 20, Prompt: pin(testBirthKey), CVKeys: testCVKeys(t)}); err != nil || !res.OK || res.RecordSeq != 0 || len(e.records()) != 0 {
		t.Errorf("without a store: %+v %v, %d records", res, err, len(e.records()))
	}
	// A wrong birth date costs a try and says how many are left; a
	// malformed one never reaches the card.
	j, vc := chipCard(t, h.Contents(), card.Options{})
	_, err = e.confirmer(nil).CheckAge(ctx, j, confirm.AgeOptions{Over: 20, Prompt: pin("600402"), CVKeys: testCVKeys(t)})
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Remaining != virtual.MaxTriesBirthDateKey-1 {
		t.Fatalf("wrong birth date: %v", err)
	}
	if _, err := e.confirmer(nil).CheckAge(ctx, j, confirm.AgeOptions{Over: 20, Prompt: pin("601301"), CVKeys: testCVKeys(t)}); !errors.Is(err, card.ErrPINFormat) {
		t.Fatalf("month 13: %v", err)
	}
	if got := vc.TriesLeft(virtual.PINSurfaceBirthDate); got != virtual.MaxTriesBirthDateKey-1 {
		t.Errorf("tries left %d", got)
	}
	if len(e.records()) != 0 {
		t.Errorf("%d records after refused PIN entries", len(e.records()))
	}
	if _, err := e.confirmer(nil).CheckAge(ctx, j, confirm.AgeOptions{Over: 0, Prompt: pin(testBirthKey)}); err == nil {
		t.Error("over 0 accepted")
	}
}

// authCRLAt is an empty CRL of the latest authentication root, current
// at now.
func authCRLAt(t *testing.T, e *env, now time.Time) *revocation.CRL {
	t.Helper()
	root, key := e.pki.Root(card.AuthKey, jpkitest.LatestGeneration)
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: now.Add(-24 * time.Hour), NextUpdate: now.Add(7 * 24 * time.Hour),
	}, root, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := revocation.ParseCRL(bytes.NewReader(der), revocation.ParseOptions{Issuers: e.pki.Roots(card.AuthKey), Source: "auth-test.crl"})
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

// personalOf is h's personal fields as they may appear in JSON.
func personalOf(h *jpkitest.Holder) []string {
	ct := h.Contents()
	b := ct.BirthDate
	return []string{b[:4], b, ct.PINB[:6], ct.Name, ct.Address, ct.Number, ct.PINB, "昭和", "平成"}
}

// assertNoPersonal fails if any personal field of the default holder
// appears in v's JSON.
func assertNoPersonal(t *testing.T, v any) {
	t.Helper()
	assertNoPersonalOf(t, jpkitest.DefaultHolder(), v)
}

// assertNoPersonalOf fails if any personal field of h, a field name
// that would hold one, or h's card key ID appears in v's JSON.
func assertNoPersonalOf(t *testing.T, h *jpkitest.Holder, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ct := h.Contents()
	for _, p := range append(personalOf(h), "birth", "sex", "name", "address", "card_key", confirm.CardKeyID(&ct.SurfaceAppKey.PublicKey)) {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(p)) {
			t.Errorf("personal field %q in %s", p, b)
		}
	}
}
