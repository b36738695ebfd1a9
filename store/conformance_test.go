package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mynacard/mynacard/card"
	. "github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/sqlstore"
	"github.com/mynacard/mynacard/store/internal/storetest"
	"github.com/mynacard/mynacard/store/storeopen"
)

func TestEnrolmentRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		in := sampleEnrolment("0x0132c4ab")
		got, err := s.AddEnrolment(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || got.Serial != "0132C4AB" {
			t.Fatalf("AddEnrolment = ID %d serial %q, want an ID and serial 0132C4AB", got.ID, got.Serial)
		}
		want := in
		want.ID, want.Serial, want.EnrolledAt = got.ID, "0132C4AB", in.EnrolledAt.Truncate(time.Microsecond)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("AddEnrolment returned (-want +got):\n%s", diff)
		}
		byID, err := s.Enrolment(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, byID); diff != "" {
			t.Errorf("Enrolment (-want +got):\n%s", diff)
		}
		byCert, err := s.EnrolmentByCert(ctx, in.Issuer, "01:32:C4:AB")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, byCert); diff != "" {
			t.Errorf("EnrolmentByCert (-want +got):\n%s", diff)
		}

		if _, err := s.AddEnrolment(ctx, in); !errors.Is(err, ErrConflict) {
			t.Errorf("enrolling the same certificate twice: %v, want ErrConflict", err)
		}
		if _, err := s.Enrolment(ctx, got.ID+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("Enrolment(unknown): %v, want ErrNotFound", err)
		}
		if _, err := s.EnrolmentByCert(ctx, in.Issuer, "FF"); !errors.Is(err, ErrNotFound) {
			t.Errorf("EnrolmentByCert(unknown): %v, want ErrNotFound", err)
		}

		check := RevocationCheck{Status: RevocationRevoked, Reason: "affiliationChanged", Source: "crl",
			CheckedAt: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
		if err := s.SetRevocationCheck(ctx, got.ID, check); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRevocationCheck(ctx, got.ID+100, check); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetRevocationCheck(unknown): %v, want ErrNotFound", err)
		}
		after, err := s.Enrolment(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(check, after.Revocation); diff != "" {
			t.Errorf("revocation check (-want +got):\n%s", diff)
		}
	})
}

// TestSetRevocationChecks: a batch is recorded whole, and a batch with
// an unknown enrolment or an invalid check records nothing.
func TestSetRevocationChecks(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		var ids []int64
		for i := range 5 {
			got, err := s.AddEnrolment(ctx, sampleEnrolment(fmt.Sprintf("%02X", i+1)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got.ID)
		}
		at := time.Date(2026, 11, 28, 1, 2, 3, 456789000, time.UTC)
		good := RevocationCheck{Status: RevocationGood, Source: "crl a", CheckedAt: at}
		revoked := RevocationCheck{Status: RevocationRevoked, Reason: "keyCompromise", Source: "crl a", CheckedAt: at}
		if err := s.SetRevocationChecks(ctx, nil); err != nil {
			t.Fatalf("empty batch: %v", err)
		}
		if err := s.SetRevocationChecks(ctx, []EnrolmentCheck{{ids[0], good}, {ids[1], revoked}, {ids[3], good}}); err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			name  string
			batch []EnrolmentCheck
			want  error
		}{
			{"unknown enrolment", []EnrolmentCheck{{ids[2], revoked}, {ids[4] + 100, revoked}}, ErrNotFound},
			{"invalid status", []EnrolmentCheck{{ids[2], revoked}, {ids[4], RevocationCheck{Status: "maybe"}}}, ErrInvalid},
		}
		for _, b := range bad {
			if err := s.SetRevocationChecks(ctx, b.batch); !errors.Is(err, b.want) {
				t.Errorf("%s: %v, want %v", b.name, err, b.want)
			}
		}
		want := map[int64]RevocationCheck{ids[0]: good, ids[1]: revoked, ids[2]: {Status: RevocationUnchecked}, ids[3]: good, ids[4]: {Status: RevocationUnchecked}}
		for id, w := range want {
			e, err := s.Enrolment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, e.Revocation); diff != "" {
				t.Errorf("enrolment %d (-want +got):\n%s", id, diff)
			}
		}
	})
}

func TestEnrolmentInvalid(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		for name, mod := range map[string]func(*Enrolment){
			"kind":   func(e *Enrolment) { e.Kind = card.KeyKind(7) },
			"issuer": func(e *Enrolment) { e.Issuer = "" },
			"serial": func(e *Enrolment) { e.Serial = "xyz" },
			"cert":   func(e *Enrolment) { e.CertDER = nil },
			"era":    func(e *Enrolment) { e.Attributes.BirthEra = 12 },
		} {
			e := sampleEnrolment("01")
			mod(&e)
			if _, err := s.AddEnrolment(t.Context(), e); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if n := countRows(t, s, "enrolments"); n != 0 {
			t.Errorf("%d enrolments stored after invalid input", n)
		}
	})
}

func TestListEnrolments(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		var ids []int64
		for i := range 7 {
			e := sampleEnrolment(fmt.Sprintf("%02X", i+1))
			if i == 3 {
				e.Kind = card.AuthKey
			}
			got, err := s.AddEnrolment(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got.ID)
		}
		next := sampleEnrolment("AA")
		if _, err := s.ReplaceEnrolment(ctx, ids[0], next); err != nil {
			t.Fatal(err)
		}
		// Page through the current signing enrolments three at a time.
		var seen []string
		q := EnrolmentQuery{Limit: 3, Kind: card.SignKey, CurrentOnly: true}
		for {
			page, err := s.ListEnrolments(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				seen = append(seen, e.Serial)
			}
			q.AfterID = page[len(page)-1].ID
		}
		if diff := cmp.Diff([]string{"02", "03", "05", "06", "07", "AA"}, seen); diff != "" {
			t.Errorf("current signing enrolments (-want +got):\n%s", diff)
		}
		n, err := s.CountEnrolments(ctx, EnrolmentQuery{Kind: card.SignKey, CurrentOnly: true})
		if err != nil || n != 6 {
			t.Errorf("CountEnrolments(current signing) = %d, %v; want 6", n, err)
		}
		n, err = s.CountEnrolments(ctx, EnrolmentQuery{})
		if err != nil || n != 8 {
			t.Errorf("CountEnrolments(all) = %d, %v; want 8", n, err)
		}
	})
}

func TestRegistrationChange(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		old, err := s.AddEnrolment(ctx, sampleEnrolment("0A"))
		if err != nil {
			t.Fatal(err)
		}
		next := sampleEnrolment("0B")
		next.Attributes.Address = "大阪府大阪市北区中之島１丁目３番２０号"
		next.Attributes.AddressSubstitutes = []int{} // flags all 0, one per character
		next.Operator = "clerk-2"
		rep, err := s.ReplaceEnrolment(ctx, old.ID, next)
		if err != nil {
			t.Fatal(err)
		}
		wantChanges := []AttributeChange{
			{Field: "address", Old: old.Attributes.Address, New: next.Attributes.Address},
			{Field: "address_substitute", Old: allZeroFlags(old.Attributes.Address), New: allZeroFlags(next.Attributes.Address)},
		}
		if diff := cmp.Diff(wantChanges, rep.Changes); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		stored, err := s.Replacement(ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rep, stored); diff != "" {
			t.Errorf("Replacement (-returned +stored):\n%s", diff)
		}
		if rep.OldID != old.ID || rep.Operator != "clerk-2" {
			t.Errorf("replacement = %+v", rep)
		}
		gotOld, err := s.Enrolment(ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if gotOld.ReplacedBy != rep.NewID {
			t.Errorf("old.ReplacedBy = %d, want %d", gotOld.ReplacedBy, rep.NewID)
		}
		gotNew, err := s.EnrolmentByCert(ctx, next.Issuer, "0B")
		if err != nil || gotNew.ID != rep.NewID || gotNew.ReplacedBy != 0 {
			t.Errorf("new enrolment = %+v, %v", gotNew, err)
		}

		// Replacing twice is a conflict and leaves nothing behind.
		if _, err := s.ReplaceEnrolment(ctx, old.ID, sampleEnrolment("0C")); !errors.Is(err, ErrConflict) {
			t.Errorf("second replacement: %v, want ErrConflict", err)
		}
		if _, err := s.EnrolmentByCert(ctx, next.Issuer, "0C"); !errors.Is(err, ErrNotFound) {
			t.Errorf("refused replacement left enrolment 0C behind: %v", err)
		}
		if _, err := s.ReplaceEnrolment(ctx, 9999, sampleEnrolment("0D")); !errors.Is(err, ErrNotFound) {
			t.Errorf("replacing an unknown enrolment: %v, want ErrNotFound", err)
		}
		if _, err := s.Replacement(ctx, rep.NewID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Replacement of a current enrolment: %v, want ErrNotFound", err)
		}

		// A replacement whose certificate is already enrolled fails whole:
		// the old enrolment stays current.
		other, err := s.AddEnrolment(ctx, sampleEnrolment("0E"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplaceEnrolment(ctx, rep.NewID, sampleEnrolment("0E")); !errors.Is(err, ErrConflict) {
			t.Errorf("replacement with an enrolled certificate: %v, want ErrConflict", err)
		}
		cur, err := s.Enrolment(ctx, rep.NewID)
		if err != nil || cur.ReplacedBy != 0 {
			t.Errorf("after a failed replacement ReplacedBy = %d, %v; want 0", cur.ReplacedBy, err)
		}
		_ = other
		if n := countRows(t, s, "enrolment_replacements"); n != 1 {
			t.Errorf("%d replacements stored, want 1", n)
		}
	})
}

func TestRecords(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		first, err := s.AppendRecord(ctx, sampleRecord(RecordIdentify), nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.Seq != 1 || first.RecordHash != nil {
			t.Fatalf("first record: seq %d hash %x, want 1 and none", first.Seq, first.RecordHash)
		}
		enr, err := s.AddEnrolment(ctx, sampleEnrolment("01"))
		if err != nil {
			t.Fatal(err)
		}
		r2 := sampleRecord(RecordQualify)
		r2.CertKind, r2.Attributes, r2.EnrolmentID = card.AuthKey, nil, enr.ID
		second, err := s.AppendRecord(ctx, r2, chainSeal)
		if err != nil {
			t.Fatal(err)
		}
		third, err := s.AppendRecord(ctx, sampleRecord(RecordChange), chainSeal)
		if err != nil {
			t.Fatal(err)
		}
		if second.Seq != 2 || third.Seq != 3 {
			t.Fatalf("seqs %d, %d; want 2, 3", second.Seq, third.Seq)
		}
		if second.PrevHash != nil || !bytes.Equal(third.PrevHash, second.RecordHash) {
			t.Errorf("chain: second.PrevHash %x, third.PrevHash %x, second.RecordHash %x", second.PrevHash, third.PrevHash, second.RecordHash)
		}
		got, err := s.Record(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(second, got); diff != "" {
			t.Errorf("Record(2) (-appended +read):\n%s", diff)
		}
		list, err := s.ListRecords(ctx, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Record{second, third}, list); diff != "" {
			t.Errorf("ListRecords (-want +got):\n%s", diff)
		}
		if _, err := s.Record(ctx, 4); !errors.Is(err, ErrNotFound) {
			t.Errorf("Record(4): %v, want ErrNotFound", err)
		}

		// A failing seal aborts the append and does not use up a number.
		boom := errors.New("token removed")
		if _, err := s.AppendRecord(ctx, sampleRecord(RecordIdentify), func([]byte, *Record) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("failing seal: %v, want it wrapped", err)
		}
		cheat := func(prev []byte, r *Record) error { r.Operator = "someone else"; return nil }
		if _, err := s.AppendRecord(ctx, sampleRecord(RecordIdentify), cheat); !errors.Is(err, ErrInvalid) {
			t.Errorf("seal changing the operator: %v, want ErrInvalid", err)
		}
		fourth, err := s.AppendRecord(ctx, sampleRecord(RecordIdentify), chainSeal)
		if err != nil {
			t.Fatal(err)
		}
		if fourth.Seq != 4 || !bytes.Equal(fourth.PrevHash, third.RecordHash) {
			t.Errorf("after failed appends: seq %d prev %x; want 4 and %x", fourth.Seq, fourth.PrevHash, third.RecordHash)
		}

		// Records are append-only, whatever the caller tries.
		if err := rawExec(t, s, "UPDATE records SET operator = 'x' WHERE seq = 1"); !errors.Is(err, ErrConflict) {
			t.Errorf("UPDATE of a record: %v, want ErrConflict", err)
		}
		if err := rawExec(t, s, "DELETE FROM records WHERE seq = 1"); !errors.Is(err, ErrConflict) {
			t.Errorf("DELETE of a record: %v, want ErrConflict", err)
		}
		if _, err := s.AppendRecord(ctx, Record{Kind: "other"}, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad kind: %v, want ErrInvalid", err)
		}
	})
}

func TestRecordsConcurrentAppend(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		const writers, each = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := s.AppendRecord(t.Context(), sampleRecord(RecordIdentify), chainSeal); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		list, err := s.ListRecords(t.Context(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != writers*each {
			t.Fatalf("%d records, want %d", len(list), writers*each)
		}
		var prev []byte
		for i, r := range list {
			if r.Seq != int64(i+1) {
				t.Fatalf("record %d has seq %d: gap", i, r.Seq)
			}
			if !bytes.Equal(r.PrevHash, prev) {
				t.Fatalf("record %d: chain broken", r.Seq)
			}
			prev = r.RecordHash
		}
	})
}

func TestNonces(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		future := time.Now().Add(5 * time.Minute)
		if err := s.PutNonce(ctx, "n1", future); err != nil {
			t.Fatal(err)
		}
		if err := s.PutNonce(ctx, "n1", future); !errors.Is(err, ErrConflict) {
			t.Errorf("putting a nonce twice: %v, want ErrConflict", err)
		}
		if err := s.ConsumeNonce(ctx, "n1"); err != nil {
			t.Errorf("first consume: %v", err)
		}
		if err := s.ConsumeNonce(ctx, "n1"); !errors.Is(err, ErrConsumed) {
			t.Errorf("replay: %v, want ErrConsumed", err)
		}
		if err := s.ConsumeNonce(ctx, "unknown"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown nonce: %v, want ErrNotFound", err)
		}
		if err := s.PutNonce(ctx, "old", time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.ConsumeNonce(ctx, "old"); !errors.Is(err, ErrExpired) {
			t.Errorf("expired nonce: %v, want ErrExpired", err)
		}
		if err := s.PutNonce(ctx, "", future); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty nonce: %v, want ErrInvalid", err)
		}
		n, err := s.PurgeNonces(ctx, time.Now())
		if err != nil || n != 1 {
			t.Errorf("PurgeNonces = %d, %v; want 1 (the expired one)", n, err)
		}
		if err := s.ConsumeNonce(ctx, "old"); !errors.Is(err, ErrNotFound) {
			t.Errorf("purged nonce: %v, want ErrNotFound", err)
		}
		if err := s.ConsumeNonce(ctx, "n1"); !errors.Is(err, ErrConsumed) {
			t.Errorf("unexpired consumed nonce after purge: %v, want ErrConsumed", err)
		}
	})
}

func TestNonceSingleUseUnderConcurrency(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		const consumers = 50
		for round := range 3 {
			nonce := fmt.Sprintf("race-%d", round)
			if err := s.PutNonce(t.Context(), nonce, time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			results := make(chan error, consumers)
			var wg sync.WaitGroup
			for range consumers {
				wg.Go(func() {
					<-start
					results <- s.ConsumeNonce(t.Context(), nonce)
				})
			}
			close(start)
			wg.Wait()
			close(results)
			wins := 0
			for err := range results {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, ErrConsumed):
					t.Errorf("losing consumer: %v, want ErrConsumed", err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d consumers won, want exactly 1", round, wins)
			}
		}
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/m.db" },
		"postgres": func(t *testing.T) string {
			pgtestNeed(t)
			return pgServer.NewDatabase(t)
		},
	}
	for name, mk := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dsn := mk(t)
			// Open concurrently: migrations must serialise.
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					s, err := storeopen.Open(ctx, dsn)
					if err == nil {
						s.Close()
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			s, err := storeopen.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := sqlstore.LoadMigrations(storetest.Backend(t, s).Migrations())
			if err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, s, "schema_version"); n != int64(len(ms)) || len(ms) < 2 {
				t.Errorf("schema_version has %d rows, want %d", n, len(ms))
			}
			if n := countRows(t, s, "record_head"); n != 1 {
				t.Errorf("record_head has %d rows, want 1", n)
			}
			if err := rawExec(t, s, "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', ?)", storetest.Backend(t, s).TimeArg(time.Now())); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, err := storeopen.Open(ctx, dsn); !errors.Is(err, ErrSchemaTooNew) {
				t.Errorf("opening a newer schema: %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

func pgtestNeed(t *testing.T) {
	t.Helper()
	if pgServer == nil {
		t.Skipf("PostgreSQL not available: %v", pgErr)
	}
}
