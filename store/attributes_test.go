package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mynacard/mynacard/card"
	. "github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/storetest"
)

// attributeRow is the text of the seven attribute columns.
type attributeRow struct {
	name, nameSub, address, addressSub, birth string
	era                                       int
	sex                                       string
}

// storedAttributeText reads the attribute columns of enrolment id as the
// database holds them.
func storedAttributeText(t *testing.T, s Store, table, key string, id int64) attributeRow {
	t.Helper()
	var r attributeRow
	err := storetest.Backend(t, s).QueryRow(t.Context(), `SELECT name, name_substitute, address, address_substitute,
		birth_date, birth_era, sex FROM `+table+` WHERE `+key+` = ?`, id).
		Scan(&r.name, &r.nameSub, &r.address, &r.addressSub, &r.birth, &r.era, &r.sex)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// insertEnrolmentText stores an enrolment whose attribute columns hold row
// exactly, as an older program or another writer may have left them.
func insertEnrolmentText(t *testing.T, s Store, kind, serial string, r attributeRow) int64 {
	t.Helper()
	b := storetest.Backend(t, s)
	if _, err := b.Exec(t.Context(), `INSERT INTO enrolments (cert_kind, issuer, serial, name, name_substitute,
		address, address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, testIssuer, serial, r.name, r.nameSub, r.address, r.addressSub, r.birth, r.era, r.sex,
		[]byte{0x30, 0x00}, b.TimeArg(time.Date(2026, 11, 27, 9, 30, 15, 0, time.UTC)), "seed"); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := b.QueryRow(t.Context(), "SELECT id FROM enrolments WHERE serial = ?", serial).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAttributesTextRoundTrip stores every shape of attribute text a
// record kind writes, reads it as card.Attributes and writes that back:
// the new row's text must be the old row's, byte for byte.
func TestAttributesTextRoundTrip(t *testing.T) {
	name, addr := "山田\u3000太郎", "東京都千代田区霞が関２丁目１番２号"
	zeros := func(s string) string { return allZeroFlags(s) }
	flag := func(s string, i int) string {
		b := []byte(zeros(s))
		b[i] = '1'
		return string(b)
	}
	valid := []struct {
		kind string
		row  attributeRow
	}{
		{"sign", attributeRow{name, "", addr, "", "19850401", 3, "1"}},
		{"sign", attributeRow{name, zeros(name), addr, zeros(addr), "19850401", 3, "2"}},
		{"sign", attributeRow{name, flag(name, 1), addr, flag(addr, 16), "19890108", 4, "3"}},
		{"sign", attributeRow{name, "", addr, "", "", 0, "0"}},
		{"sign", attributeRow{"", "", "", "", "", 0, "0"}},
		{"sign", attributeRow{}},
		// A chip identification's card face: ISO/IEC 5218 codes.
		{"auth", attributeRow{"", "", "", "", "20000229", 4, "9"}},
		{"auth", attributeRow{name, "", addr, "", "19850401", 3, "1"}},
		{"auth", attributeRow{"", "", "", "", "19850401", 0, "0"}},
		{"auth", attributeRow{}},
	}
	forEach(t, func(t *testing.T, s Store) {
		for i, tc := range valid {
			id := insertEnrolmentText(t, s, tc.kind, fmt.Sprintf("%02X", 0x10+i), tc.row)
			e, err := s.Enrolment(t.Context(), id)
			if err != nil {
				t.Fatalf("%v: reading: %v", tc.row, err)
			}
			if (e.Attributes == nil) != (tc.row == attributeRow{}) {
				t.Errorf("%v: attributes %+v", tc.row, e.Attributes)
			}
			e.Serial = fmt.Sprintf("%02X", 0x80+i)
			again, err := s.AddEnrolment(t.Context(), e)
			if err != nil {
				t.Fatalf("%v: writing back: %v", tc.row, err)
			}
			if got := storedAttributeText(t, s, "enrolments", "id", again.ID); got != tc.row {
				t.Errorf("%s row %+v written back as %+v", tc.kind, tc.row, got)
			}
		}
	})
}

// TestAttributesTextRefused stores attribute text no record kind writes:
// reading it is an error that names the attributes, never a silently
// different value.
func TestAttributesTextRefused(t *testing.T) {
	name, addr := "山田\u3000太郎", "東京都千代田区霞が関２丁目１番２号"
	bad := []struct {
		kind string
		row  attributeRow
	}{
		{"sign", attributeRow{name, "0000", addr, "", "19850401", 3, "1"}},                  // flags too short
		{"sign", attributeRow{name, "000000", addr, "", "19850401", 3, "1"}},                // flags too long
		{"sign", attributeRow{name, "00x00", addr, "", "19850401", 3, "1"}},                 // not a flag
		{"sign", attributeRow{name, "", addr, strings.Repeat("0", 16), "19850401", 3, "1"}}, // address flags short
		{"sign", attributeRow{name, "", addr, "", "19850401", 3, "9"}},                      // ISO code in a certificate row
		{"auth", attributeRow{name, "", addr, "", "19850401", 3, "3"}},                      // certificate code in a face row
		{"sign", attributeRow{name, "", addr, "", "19850401", 3, ""}},                       // no sex beside other text
		{"sign", attributeRow{name, "", addr, "", "19850401", 3, "male"}},
		{"sign", attributeRow{name, "", addr, "", "19850230", 3, "1"}}, // no such day
		{"sign", attributeRow{name, "", addr, "", "1985-04-01", 3, "1"}},
		{"sign", attributeRow{name, "", addr, "", "19850401", 6, "1"}}, // no such era
		{"sign", attributeRow{name, "", addr, "", "19850401", 9, "1"}}, // the schema allows 0-9
	}
	forEach(t, func(t *testing.T, s Store) {
		for i, tc := range bad {
			id := insertEnrolmentText(t, s, tc.kind, fmt.Sprintf("%02X", 0x40+i), tc.row)
			if e, err := s.Enrolment(t.Context(), id); err == nil || !strings.Contains(err.Error(), "attributes") {
				t.Errorf("%s row %+v read as %+v, %v; want an attributes error", tc.kind, tc.row, e.Attributes, err)
			}
		}
		// Listing stops at the row too, rather than skipping it.
		if _, err := s.ListEnrolments(t.Context(), EnrolmentQuery{}); err == nil {
			t.Error("ListEnrolments over unreadable attributes: no error")
		}
	})
}

// TestAttributesRecordText appends a signing-certificate record and a
// chip identification's and checks the columns hold the text each kind
// has always written, and that the records read back equal.
func TestAttributesRecordText(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		sign := sampleRecord(RecordIdentify)
		sign.Attributes.NameSubstitutes = []int{1}
		sign.Attributes.AddressSubstitutes = nil
		sign.Attributes.Sex = card.SexNotApplicable
		chip := sampleRecord(RecordIdentify)
		chip.CertKind = card.AuthKey
		chip.Attributes = &card.Attributes{BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa,
			Sex: card.SexNotApplicable}
		for _, tc := range []struct {
			r    Record
			want attributeRow
		}{
			{sign, attributeRow{"山田\u3000太郎", "01000", "東京都千代田区霞が関２丁目１番２号", "", "19800401", 3, "3"}},
			{chip, attributeRow{"", "", "", "", "19850401", 3, "9"}},
		} {
			got, err := s.AppendRecord(ctx, tc.r, nil)
			if err != nil {
				t.Fatal(err)
			}
			if text := storedAttributeText(t, s, "records", "seq", got.Seq); text != tc.want {
				t.Errorf("record %d stored %+v, want %+v", got.Seq, text, tc.want)
			}
			read, err := s.Record(ctx, got.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, read); diff != "" {
				t.Errorf("record %d (-appended +read):\n%s", got.Seq, diff)
			}
		}
	})
}

// TestAttributesRefusedOnWrite: attributes the columns cannot hold are
// ErrInvalid, and nothing is stored.
func TestAttributesRefusedOnWrite(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		for name, edit := range map[string]func(a *card.Attributes){
			"position past the text": func(a *card.Attributes) { a.NameSubstitutes = []int{5} },
			"positions out of order": func(a *card.Attributes) { a.NameSubstitutes = []int{2, 1} },
			"repeated position":      func(a *card.Attributes) { a.AddressSubstitutes = []int{1, 1} },
			"negative position":      func(a *card.Attributes) { a.AddressSubstitutes = []int{-1} },
			"era":                    func(a *card.Attributes) { a.BirthEra = 6 },
			"sex":                    func(a *card.Attributes) { a.Sex = card.Sex(5) },
			"year":                   func(a *card.Attributes) { a.BirthDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		} {
			e := sampleEnrolment("0C")
			edit(e.Attributes)
			if _, err := s.AddEnrolment(t.Context(), e); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: AddEnrolment = %v, want ErrInvalid", name, err)
			}
			r := sampleRecord(RecordIdentify)
			edit(r.Attributes)
			if _, err := s.AppendRecord(t.Context(), r, nil); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: AppendRecord = %v, want ErrInvalid", name, err)
			}
		}
		if n := countRows(t, s, "enrolments") + countRows(t, s, "records"); n != 0 {
			t.Errorf("%d rows stored after invalid attributes", n)
		}
	})
}
