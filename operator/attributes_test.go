package operator_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/operator/internal/chaintest"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// TestAttributesTextSealed seals a signing-certificate record with
// substitute flags and a chip identification's record (ISO/IEC 5218 sex
// code), and checks that the chain verifies from the store and from an
// export of it, that the export holds the stored text, and that editing
// a name so that it no longer fits its flags is reported as an edit of
// that record.
func TestAttributesTextSealed(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	path := filepath.Join(t.TempDir(), "records.db")
	st, err := storeopen.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sign := sampleRecord(0)
	sign.Attributes.NameSubstitutes = []int{1}
	chip := sampleRecord(1)
	chip.CertKind = card.AuthKey
	chip.Attributes = &card.Attributes{BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa, Sex: card.SexNotApplicable}
	third := sampleRecord(2)
	third.Attributes.NameSubstitutes = []int{4}
	for _, r := range []store.Record{sign, chip, third} {
		if _, err := st.AppendRecord(ctx, r, operator.SealerContext(ctx, key)); err != nil {
			t.Fatal(err)
		}
	}
	trust := operator.VerifyOptions{AnyCert: true}
	if rep, err := operator.VerifyStore(ctx, st, trust); err != nil || rep.Verified != 3 {
		t.Fatalf("VerifyStore = %+v, %v", rep, err)
	}
	var buf bytes.Buffer
	if _, err := operator.ExportStore(ctx, st, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name_substitute":"01000","address":"東京都千代田区霞が関2-1-2","address_substitute":"","birth_date":"19800101","birth_era":3,"sex":"1"`,
		`"name_substitute":"","address":"","address_substitute":"","birth_date":"19850401","birth_era":3,"sex":"9"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("export lacks %s:\n%s", want, buf.String())
		}
	}
	if rep, err := operator.VerifyChain(ctx, operator.ReadExport(strings.NewReader(buf.String())), trust); err != nil || rep.Verified != 3 {
		t.Fatalf("VerifyChain of the export = %+v, %v", rep, err)
	}
	// An export line whose attribute text the store never writes is a
	// line error, not a record.
	bad := strings.Replace(buf.String(), `"sex":"9"`, `"sex":"3"`, 1)
	if _, err := operator.VerifyChain(ctx, operator.ReadExport(strings.NewReader(bad)), trust); err == nil || !strings.Contains(err.Error(), "attributes") {
		t.Errorf("VerifyChain of an export with a certificate sex code on a card-face record = %v, want an attributes error", err)
	}
	st.Close()

	// Editing the third record's name so that it no longer fits its
	// flags leaves text no writer writes: the record was edited. The
	// records before it are verified first.
	chaintest.Tamper(t, path, "UPDATE records SET name = '偽　名' WHERE seq = 3")
	st2, err := storeopen.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	rep, err := operator.VerifyStore(ctx, st2, trust)
	var ce *operator.ChainError
	if !errors.As(err, &ce) || ce.Seq != 3 || !errors.Is(err, operator.ErrHashMismatch) || rep.OK() || rep.Verified != 2 ||
		rep.Failure != ce || !strings.Contains(err.Error(), "attributes") {
		t.Fatalf("VerifyStore after editing the name past its flags = %+v, %v; want record 3 edited after 2 verified", rep, err)
	}
}
