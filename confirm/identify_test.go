package confirm_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
)

func TestIdentifySignKeyAttributes(t *testing.T) {
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	c := e.confirmer(nil)
	id, err := c.Identify(context.Background(), cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil {
		t.Fatal(err)
	}
	v := id.Verdict
	if !v.OK || !v.Signature.OK || !v.Chain.OK || v.Revocation.Status != confirm.RevocationGood {
		t.Fatalf("verdict = %+v", v)
	}
	if v.Chain.Generation != 3 || v.Chain.Production || v.Chain.RootFingerprint == "" {
		t.Errorf("chain = %+v", v.Chain)
	}
	a := id.Attributes
	if a == nil {
		t.Fatal("no attributes")
	}
	want := attributesView{Name: jpkitest.DefaultName, Address: jpkitest.DefaultAddress, BirthDate: "1985-04-01",
		BirthEra: int(card.EraShowa), BirthDateJapanese: "昭和60年4月1日", Sex: "male", SexCode: 1}
	if got := viewOf(t, a); got.Name != want.Name || got.Address != want.Address || got.BirthDate != want.BirthDate || got.BirthEra != want.BirthEra ||
		got.BirthDateJapanese != want.BirthDateJapanese || got.Sex != want.Sex || got.SexCode != want.SexCode {
		t.Errorf("attributes = %+v, want %+v", got, want)
	}
	if id.Key != card.SignKey || id.Certificate.Kind != card.SignKey || id.Certificate.Serial == "" || id.Certificate.Issuer == "" {
		t.Errorf("certificate = %+v", id.Certificate)
	}
	if id.SameHolderAsEnrolled || id.Enrolment != nil {
		t.Errorf("enrolled without Enroll: %+v", id)
	}
	rs := e.records()
	if len(rs) != 1 || rs[0].Kind != store.RecordIdentify || rs[0].Attributes.Name != jpkitest.DefaultName ||
		!rs[0].Verdict.SignatureOK || rs[0].Operator != "clerk-1" || id.RecordSeq != rs[0].Seq {
		t.Errorf("records = %+v", rs)
	}
}

func TestIdentifySubstitutePositions(t *testing.T) {
	e := newEnv(t)
	h, err := e.pki.Issue(jpkitest.HolderSpec{Name: "髙橋　一郎", NameSubstitutes: []int{0}, AddressSubstitutes: []int{2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.confirmer(func(c *confirm.Config) { c.RevocationPolicy = revocation.PolicyOff })
	id, err := c.Identify(context.Background(), cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil {
		t.Fatal(err)
	}
	if !id.Verdict.OK || id.Verdict.Revocation.Status != confirm.RevocationNotChecked {
		t.Errorf("verdict = %+v", id.Verdict)
	}
	if got := id.Attributes.NameSubstitutes; len(got) != 1 || got[0] != 0 {
		t.Errorf("name substitutes = %v", got)
	}
	if got := id.Attributes.AddressSubstitutes; len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("address substitutes = %v", got)
	}
	if rs := e.records(); e.recordText(rs[0].Seq, "name_substitute") != "1"+"0000" {
		t.Errorf("stored name flags = %q", e.recordText(rs[0].Seq, "name_substitute"))
	}
}

func TestIdentifyAuthKeySameHolder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	c := e.confirmer(nil)

	tests := []struct {
		name       string
		enroll     bool
		wantSame   bool
		wantEnroll bool
	}{
		{name: "not enrolled", wantSame: false},
		{name: "enrol", enroll: true, wantSame: false, wantEnroll: true},
		{name: "same holder as enrolled", wantSame: true},
		{name: "enrol again", enroll: true, wantSame: true, wantEnroll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Key: card.AuthKey, Prompt: pin(jpkitest.DefaultAuthPIN), Enroll: tt.enroll})
			if err != nil {
				t.Fatal(err)
			}
			if !id.Verdict.OK || id.Key != card.AuthKey || id.Attributes != nil {
				t.Fatalf("identification = %+v", id)
			}
			if id.SameHolderAsEnrolled != tt.wantSame || (id.MatchedEnrolment != nil) != tt.wantSame {
				t.Errorf("same holder = %v (%+v), want %v", id.SameHolderAsEnrolled, id.MatchedEnrolment, tt.wantSame)
			}
			if (id.Enrolment != nil) != tt.wantEnroll || (tt.wantEnroll && id.Enrolment.Kind != card.AuthKey) {
				t.Errorf("enrolment = %+v", id.Enrolment)
			}
			if tt.wantEnroll && id.AlreadyEnrolled != tt.wantSame {
				t.Errorf("already enrolled = %v", id.AlreadyEnrolled)
			}
		})
	}
	if n := len(e.records()); n != len(tests) {
		t.Errorf("%d records, want %d", n, len(tests))
	}
	// A signing-key identification of the same holder does not match the
	// authentication enrolment: they are different certificates.
	id, err := c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil || id.SameHolderAsEnrolled {
		t.Errorf("sign identification matched the auth enrolment: %+v, %v", id, err)
	}
}

func TestIdentifyPINFailures(t *testing.T) {
	tests := []struct {
		name      string
		key       card.KeyKind
		pin       string
		vopts     []virtual.Option
		wantLeft  int // -1: no *PINError expected
		wantErr   error
		allowLast bool
	}{
		{name: "wrong signing password", key: card.SignKey, pin: "WRONG9", wantLeft: 4},
		{name: "wrong auth PIN", key: card.AuthKey, pin: "9999", wantLeft: 2},
		{name: "last try refused sign", key: card.SignKey, pin: jpkitest.DefaultSignPIN, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKISign, 1)}, wantLeft: -1, wantErr: card.ErrLastTry},
		{name: "last try refused auth", key: card.AuthKey, pin: jpkitest.DefaultAuthPIN, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKIAuth, 1)}, wantLeft: -1, wantErr: card.ErrLastTry},
		{name: "last try wrong and allowed", key: card.SignKey, pin: "WRONG9", allowLast: true, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKISign, 1)}, wantLeft: 0, wantErr: card.ErrPINBlocked},
		{name: "bad format", key: card.AuthKey, pin: "12345", wantLeft: -1, wantErr: card.ErrPINFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.confirmer(nil)
			j := cardOf(t, jpkitest.DefaultHolder(), card.Options{AllowLastTry: tt.allowLast}, tt.vopts...)
			id, err := c.Identify(context.Background(), j, confirm.IdentifyOptions{Key: tt.key, Prompt: pin(tt.pin), Enroll: true})
			if err == nil || id != nil {
				t.Fatalf("Identify = %+v, %v; want an error", id, err)
			}
			var pe *card.PINError
			if tt.wantLeft >= 0 && (!errors.As(err, &pe) || pe.Remaining != tt.wantLeft) {
				t.Errorf("err = %v, want *card.PINError with %d left", err, tt.wantLeft)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if rs := e.records(); len(rs) != 0 {
				t.Errorf("records written for an incomplete identification: %+v", rs)
			}
			if n, _ := e.st.CountEnrolments(context.Background(), store.EnrolmentQuery{}); n != 0 {
				t.Errorf("%d enrolments", n)
			}
		})
	}
}

func TestIdentifyVerdicts(t *testing.T) {
	h := jpkitest.DefaultHolder()
	tests := []struct {
		name       string
		sign       []revoked
		noChecker  bool
		policy     revocation.Policy
		production bool
		wantOK     bool
		wantStatus confirm.RevocationStatus
		wantReason string
		wantCode   confirm.RevocationCode
		wantChain  string
		wantRefuse confirm.RefusalCode
	}{
		{name: "good", wantOK: true, wantStatus: confirm.RevocationGood},
		{name: "revoked keyCompromise", sign: []revoked{{h.SignCert.SerialNumber, revocation.ReasonKeyCompromise}}, wantStatus: confirm.RevocationRevoked, wantReason: "keyCompromise", wantRefuse: confirm.RefusalRevoked},
		{name: "revoked soft still refused", policy: revocation.PolicySoft, sign: []revoked{{h.SignCert.SerialNumber, revocation.ReasonAffiliationChanged}}, wantStatus: confirm.RevocationRevoked, wantReason: "affiliationChanged", wantRefuse: confirm.RefusalRevoked},
		{name: "no checker hard", noChecker: true, wantStatus: confirm.RevocationUnknown, wantCode: confirm.RevCodeNoSource, wantRefuse: confirm.RefusalRevocationUnknown},
		{name: "no checker soft", noChecker: true, policy: revocation.PolicySoft, wantOK: true, wantStatus: confirm.RevocationUnknown, wantCode: confirm.RevCodeNoSource},
		{name: "no checker off", noChecker: true, policy: revocation.PolicyOff, wantOK: true, wantStatus: confirm.RevocationNotChecked},
		{name: "test root under production", production: true, wantStatus: confirm.RevocationUnknown, wantCode: confirm.RevCodeNoIssuer, wantChain: "test_root", wantRefuse: confirm.RefusalChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.setCRLs(tt.sign, nil)
			c := e.confirmer(func(c *confirm.Config) {
				c.RevocationPolicy, c.RequireProduction = tt.policy, tt.production
				if tt.noChecker {
					c.Revocation = nil
				}
			})
			id, err := c.Identify(context.Background(), cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
			if err != nil {
				t.Fatal(err)
			}
			v := id.Verdict
			if v.OK != tt.wantOK || v.Revocation.Status != tt.wantStatus || v.Revocation.Reason != tt.wantReason || v.Revocation.Code != tt.wantCode {
				t.Errorf("verdict = %+v", v)
			}
			if v.Refusal != tt.wantRefuse {
				t.Errorf("refusal = %q, want %q", v.Refusal, tt.wantRefuse)
			}
			if tt.wantChain != "" && (v.Chain.OK || v.Chain.Code != tt.wantChain) {
				t.Errorf("chain = %+v, want code %s", v.Chain, tt.wantChain)
			}
			if tt.wantOK != (id.Enrolment != nil) || (!tt.wantOK && id.NotEnrolled != "verdict_not_ok") {
				t.Errorf("enrolment %+v, not enrolled %q", id.Enrolment, id.NotEnrolled)
			}
			rs := e.records()
			if len(rs) != 1 || rs[0].Verdict.Revocation != store.RevocationStatus(map[confirm.RevocationStatus]string{
				confirm.RevocationGood: "good", confirm.RevocationRevoked: "revoked", confirm.RevocationUnknown: "unknown"}[tt.wantStatus]) {
				t.Errorf("records = %+v", rs)
			}
		})
	}
}

func TestRegistrationChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	old := jpkitest.DefaultHolder()
	c := e.confirmer(nil)

	first, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
	if err != nil || first.Enrolment == nil {
		t.Fatalf("enrolling: %+v, %v", first, err)
	}
	oldID := first.Enrolment.ID
	if r, err := c.CheckEnrolment(ctx, oldID); err != nil || r.Outcome != confirm.OutcomeGood {
		t.Fatalf("before the move: %+v, %v", r, err)
	}

	// The holder moves: the municipality revokes the signing certificate
	// with affiliationChanged.
	e.setCRLs([]revoked{{old.SignCert.SerialNumber, revocation.ReasonAffiliationChanged}}, nil)
	r, err := c.CheckEnrolment(ctx, oldID)
	if err != nil || r.Outcome != confirm.OutcomeRegistrationChanged || r.Message != confirm.MessageRegistrationChanged {
		t.Fatalf("after the move: %+v, %v", r, err)
	}

	// Presenting the old card again is refused (revoked) and links nothing.
	again, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: oldID})
	if err != nil || again.Verdict.OK || again.Change == nil || again.Change.Linked || again.Change.Code != confirm.ChangeVerdictNotOK {
		t.Fatalf("old card: %+v, %v", again, err)
	}

	// The new card with a plain --enroll: the library suggests the old
	// enrolment instead of enrolling a second identity.
	nh := movedHolder(t)
	sug, err := c.Identify(ctx, cardOf(t, nh, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
	if err != nil || !sug.Verdict.OK || sug.Enrolment != nil || sug.NotEnrolled != confirm.NotEnrolledChangeCandidates ||
		len(sug.ChangeCandidates) != 1 || sug.ChangeCandidates[0].ID != oldID {
		t.Fatalf("suggestion: %+v, %v", sug, err)
	}

	// The new card resolves it when the clerk names the old enrolment.
	id, err := c.Identify(ctx, cardOf(t, nh, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: oldID})
	if err != nil {
		t.Fatal(err)
	}
	ch := id.Change
	if !id.Verdict.OK || ch == nil || !ch.Linked || ch.NewEnrolmentID == 0 || id.Enrolment == nil || id.Enrolment.ID != ch.NewEnrolmentID {
		t.Fatalf("new card: %+v change %+v", id, ch)
	}
	if ch.Old.Address != jpkitest.DefaultAddress || ch.New.Address != nh.Spec.Address || ch.Old.Name != ch.New.Name {
		t.Errorf("side by side: old %+v new %+v", ch.Old, ch.New)
	}
	if len(ch.Changes) != 1 || ch.Changes[0].Field != "address" || ch.Changes[0].New != nh.Spec.Address {
		t.Errorf("changes = %+v", ch.Changes)
	}
	if !ch.OldRevocation.RegistrationChanged {
		t.Errorf("old revocation = %+v", ch.OldRevocation)
	}
	rep, err := e.st.Replacement(ctx, oldID)
	if err != nil || rep.NewID != ch.NewEnrolmentID {
		t.Errorf("store replacement = %+v, %v", rep, err)
	}
	rs := e.records()
	if last := rs[len(rs)-1]; last.Kind != store.RecordChange || last.EnrolmentID != ch.NewEnrolmentID {
		t.Errorf("last record = %+v", last)
	}

	// Linking twice is refused.
	twice, err := c.Identify(ctx, cardOf(t, nh, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: oldID})
	if err != nil || twice.Change == nil || twice.Change.Linked || twice.Change.Code != confirm.ChangeAlreadyReplaced {
		t.Errorf("second link: %+v, %v", twice.Change, err)
	}

	// The batch now checks only the current enrolment, which is good.
	sum, err := c.CheckAll(ctx, nil, nil)
	if err != nil || sum.Checked != 1 || sum.Good != 1 {
		t.Errorf("summary = %+v, %v", sum, err)
	}
}

func TestRegistrationChangeRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.confirmer(nil)
	old := jpkitest.DefaultHolder()
	first, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
	if err != nil {
		t.Fatal(err)
	}
	// Not revoked: no link.
	id, err := c.Identify(ctx, cardOf(t, movedHolder(t), card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: first.Enrolment.ID})
	if err != nil || id.Change == nil || id.Change.Linked || id.Change.Code != confirm.ChangeNotRegistrationChange {
		t.Errorf("not revoked: %+v, %v", id.Change, err)
	}
	// Unknown enrolment: an error before the card is touched.
	if _, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: 999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown enrolment: %v", err)
	}
	// Auth key cannot resolve a registration change.
	if _, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Key: card.AuthKey, Prompt: pin(jpkitest.DefaultAuthPIN), Replaces: first.Enrolment.ID}); err == nil {
		t.Error("auth key accepted for a registration change")
	}
}

func TestIdentifyWithoutStore(t *testing.T) {
	e := newEnv(t)
	c := e.confirmer(func(c *confirm.Config) { c.Enrolments, c.Records, c.Eligibility = nil, nil, nil })
	id, err := c.Identify(context.Background(), cardOf(t, jpkitest.DefaultHolder(), card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil || !id.Verdict.OK || id.RecordSeq != 0 {
		t.Errorf("without store: %+v, %v", id, err)
	}
	if _, err := c.Identify(context.Background(), cardOf(t, jpkitest.DefaultHolder(), card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true}); !errors.Is(err, confirm.ErrNoStore) {
		t.Errorf("enroll without store: %v", err)
	}
}

// TestPartialStores: each operation needs the stores it uses. With
// Records alone Identify records but looks nothing up; enrolling needs
// both Enrolments and Records and Qualify both Eligibility and Records,
// and each refuses with ErrNoStore before the card is touched, recording
// nothing.
func TestPartialStores(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	recordsOnly := e.confirmer(func(c *confirm.Config) { c.Enrolments, c.Eligibility = nil, nil })
	id, err := recordsOnly.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil || !id.Verdict.OK || id.RecordSeq != 1 || id.MatchedEnrolment != nil {
		t.Errorf("identify with records only: %+v, %v; want record 1 and no enrolment looked up", id, err)
	}
	enrolmentsOnly := e.confirmer(func(c *confirm.Config) { c.Records, c.Eligibility = nil, nil })
	for name, c := range map[string]*confirm.Confirmer{"records only": recordsOnly, "enrolments only": enrolmentsOnly} {
		if _, err := c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true}); !errors.Is(err, confirm.ErrNoStore) {
			t.Errorf("enroll with %s: %v, want ErrNoStore", name, err)
		}
	}
	noEligibility := e.confirmer(func(c *confirm.Config) { c.Eligibility = nil })
	noRecords := e.confirmer(func(c *confirm.Config) { c.Records = nil })
	for name, c := range map[string]*confirm.Confirmer{"no eligibility": noEligibility, "no records": noRecords} {
		if _, err := c.Qualify(ctx, cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)}); !errors.Is(err, confirm.ErrNoStore) {
			t.Errorf("qualify with %s: %v, want ErrNoStore", name, err)
		}
	}
	if n := len(e.records()); n != 1 {
		t.Errorf("%d records kept, want only the first identification's", n)
	}
	if n, err := e.st.CountEnrolments(ctx, store.EnrolmentQuery{}); err != nil || n != 0 {
		t.Errorf("%d enrolments, %v; want none", n, err)
	}
}

// A card whose key does not match its certificate (a forged or broken
// card): the signature check fails and the verdict says so.
func TestIdentifyKeyMismatch(t *testing.T) {
	for _, key := range []card.KeyKind{card.SignKey, card.AuthKey} {
		t.Run(key.String(), func(t *testing.T) {
			e := newEnv(t)
			h := jpkitest.DefaultHolder()
			ct := h.Contents()
			other := movedHolder(t)
			ct.SignKey, ct.AuthKey = other.SignKey, other.AuthKey
			vc, err := virtual.NewMyNumberCard(ct)
			if err != nil {
				t.Fatal(err)
			}
			j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p := pin(jpkitest.DefaultSignPIN)
			if key == card.AuthKey {
				p = pin(jpkitest.DefaultAuthPIN)
			}
			id, err := e.confirmer(nil).Identify(context.Background(), j, confirm.IdentifyOptions{Key: key, Prompt: p, Enroll: true})
			if err != nil {
				t.Fatal(err)
			}
			v := id.Verdict
			if v.OK || v.Signature.OK || v.Refusal != confirm.RefusalSignature || !v.Chain.OK || id.Enrolment != nil || id.SameHolderAsEnrolled {
				t.Errorf("identification = %+v", id)
			}
			if rs := e.records(); len(rs) != 1 || rs[0].Verdict.SignatureOK {
				t.Errorf("records = %+v", rs)
			}
		})
	}
}

// One Confirmer serves several counters at once.
func TestIdentifyConcurrent(t *testing.T) {
	e := newEnv(t)
	c := e.confirmer(nil)
	h := jpkitest.DefaultHolder()
	const n = 4
	errs := make(chan error, n)
	cards := make([]*card.JPKI, n)
	for i := range cards {
		cards[i] = cardOf(t, h, card.Options{})
	}
	for i := range n {
		go func() {
			key, p := card.SignKey, pin(jpkitest.DefaultSignPIN)
			if i%2 == 1 {
				key, p = card.AuthKey, pin(jpkitest.DefaultAuthPIN)
			}
			id, err := c.Identify(context.Background(), cards[i], confirm.IdentifyOptions{Key: key, Prompt: p})
			if err == nil && !id.Verdict.OK {
				err = errors.New("verdict not ok")
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if rs := e.records(); len(rs) != n {
		t.Errorf("%d records, want %d", len(rs), n)
	}
}

func TestChangeCandidatesNewHolder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.confirmer(nil)
	old := jpkitest.DefaultHolder()
	first, err := c.Identify(ctx, cardOf(t, old, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
	if err != nil {
		t.Fatal(err)
	}
	// Before any recorded revocation there is no candidate.
	if cands, err := c.ChangeCandidates(ctx, first.Attributes); err != nil || len(cands) != 0 {
		t.Fatalf("candidates before revocation: %+v, %v", cands, err)
	}
	e.setCRLs([]revoked{{old.SignCert.SerialNumber, revocation.ReasonAffiliationChanged}}, nil)
	if _, err := c.CheckAll(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The clerk says this is someone else: enrolled as a new holder.
	id, err := c.Identify(ctx, cardOf(t, movedHolder(t), card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true, NewHolder: true})
	if err != nil || id.Enrolment == nil || id.NotEnrolled != "" || len(id.ChangeCandidates) != 0 {
		t.Fatalf("new holder: %+v, %v", id, err)
	}
}

func TestRecordsSealed(t *testing.T) {
	e := newEnv(t)
	calls := 0
	c := e.confirmer(func(c *confirm.Config) {
		c.Seal = func(prev []byte, r *store.Record) error {
			calls++
			r.PrevHash, r.RecordHash = prev, []byte{byte(r.Seq)}
			return nil
		}
	})
	h := jpkitest.DefaultHolder()
	if _, err := c.Identify(context.Background(), cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Qualify(context.Background(), cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)}); err != nil {
		t.Fatal(err)
	}
	rs := e.records()
	if calls != 2 || len(rs) != 2 || len(rs[1].RecordHash) != 1 || rs[1].RecordHash[0] != 2 || len(rs[1].PrevHash) != 1 {
		t.Errorf("seal calls %d, records %+v", calls, rs)
	}
}

// attributesView is the JSON view of card.Attributes in confirm's
// verdicts, as a JSON client reads it.
type attributesView struct {
	Name               string `json:"name"`
	NameSubstitutes    []int  `json:"name_substitutes"`
	Address            string `json:"address"`
	AddressSubstitutes []int  `json:"address_substitutes"`
	BirthDate          string `json:"birth_date"`
	BirthEra           int    `json:"birth_era"`
	BirthDateJapanese  string `json:"birth_date_japanese"`
	Sex                string `json:"sex"`
	SexCode            int    `json:"sex_code"`
	NeedsVisualCheck   bool   `json:"needs_visual_check"`
}

// viewOf marshals a as a verdict does and reads the view back.
func viewOf(t *testing.T, a *card.Attributes) attributesView {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var v attributesView
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
