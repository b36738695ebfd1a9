package operator_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenRecord is a record with every field set, for the golden file.
func goldenRecord() store.Record {
	return store.Record{
		Seq: 7, Kind: store.RecordChange, At: time.Date(2026, 4, 1, 0, 0, 0, 1000, time.UTC),
		Operator: "窓口2",
		Verdict: store.Verdict{SignatureOK: true, ChainOK: false, Root: "root", Revocation: store.RevocationRevoked,
			RevocationReason: "affiliationChanged", RevocationSource: "ocsp"},
		CertKind: card.SignKey, Issuer: "CN=CA", Serial: "0A",
		// Stored as name substitute "00100", address substitute "000",
		// birth date "19991231", era 4, sex "2".
		Attributes: &card.Attributes{Name: "山田　花子", NameSubstitutes: []int{2}, Address: "大阪府",
			AddressSubstitutes: []int{}, BirthDate: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), BirthEra: card.EraHeisei, Sex: card.SexFemale},
		ChallengeID: "c", EnrolmentID: 42, Details: "d",
		// Seal fields are not encoded: setting them changes nothing.
		PrevHash: []byte{1}, RecordHash: []byte{2}, Signature: []byte{3}, SignerCert: []byte{4},
	}
}

// TestCanonicalGolden pins encoding version 1: a change in the bytes or
// the hash breaks every chain already sealed.
func TestCanonicalGolden(t *testing.T) {
	r := goldenRecord()
	prev := bytes.Repeat([]byte{0xAB}, 32)
	got := "canonical " + hex.EncodeToString(operator.CanonicalRecord(&r)) + "\n" +
		"hash-first " + hex.EncodeToString(operator.RecordHash(nil, &r)) + "\n" +
		"hash-after-ab " + hex.EncodeToString(operator.RecordHash(prev, &r)) + "\n"
	path := filepath.Join("testdata", "canonical-v1.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("canonical encoding changed:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// TestCanonicalInjective changes each field in turn: every change must
// change the encoding, seal fields excepted.
func TestCanonicalInjective(t *testing.T) {
	base := goldenRecord()
	enc := string(operator.CanonicalRecord(&base))
	for name, edit := range map[string]func(r *store.Record){
		"seq": func(r *store.Record) { r.Seq++ }, "kind": func(r *store.Record) { r.Kind = store.RecordQualify },
		"at":       func(r *store.Record) { r.At = r.At.Add(time.Microsecond) },
		"operator": func(r *store.Record) { r.Operator += "x" },
		"sigok":    func(r *store.Record) { r.Verdict.SignatureOK = false }, "chainok": func(r *store.Record) { r.Verdict.ChainOK = true },
		"root": func(r *store.Record) { r.Verdict.Root = "" }, "rev": func(r *store.Record) { r.Verdict.Revocation = store.RevocationGood },
		"revreason": func(r *store.Record) { r.Verdict.RevocationReason = "" }, "revsrc": func(r *store.Record) { r.Verdict.RevocationSource = "" },
		"certkind": func(r *store.Record) { r.CertKind = card.AuthKey }, "issuer": func(r *store.Record) { r.Issuer = "CN=C" },
		"serial": func(r *store.Record) { r.Serial = "0B" }, "name": func(r *store.Record) { r.Attributes.Name = "山田　花" },
		"namesub": func(r *store.Record) { r.Attributes.NameSubstitutes = nil }, "addr": func(r *store.Record) { r.Attributes.Address = "" },
		"addrsub": func(r *store.Record) { r.Attributes.AddressSubstitutes = nil }, "birth": func(r *store.Record) { r.Attributes.BirthDate = time.Time{} },
		"era": func(r *store.Record) { r.Attributes.BirthEra = 5 }, "sex": func(r *store.Record) { r.Attributes.Sex = card.SexMale },
		"challenge": func(r *store.Record) { r.ChallengeID = "" }, "enrolment": func(r *store.Record) { r.EnrolmentID = 0 },
		"details": func(r *store.Record) { r.Details = "" },
		// Moving bytes between neighbouring fields must not collide.
		"shift": func(r *store.Record) { r.ChallengeID, r.Details = "cd", "" },
	} {
		r := goldenRecord()
		edit(&r)
		if string(operator.CanonicalRecord(&r)) == enc {
			t.Errorf("editing %s left the encoding unchanged", name)
		}
	}
	r := goldenRecord()
	r.PrevHash, r.RecordHash, r.Signature, r.SignerCert = nil, nil, nil, nil
	if string(operator.CanonicalRecord(&r)) != enc {
		t.Error("seal fields changed the encoding")
	}
}

// TestExportRoundTrip exports a sealed store, reads the file back and
// verifies it; an edit in the file is named like one in the database.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	st, _ := chainStore(t, key, 4)
	var buf bytes.Buffer
	n, err := operator.ExportStore(ctx, st, &buf)
	if err != nil || n != 4 {
		t.Fatalf("ExportStore = %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"format", "seq", "at", "record_hash", "signature", "signer_cert", "signer_sha256", "signer_subject", "attributes"} {
		if _, ok := first[member]; !ok {
			t.Errorf("exported line lacks %q: %s", member, lines[0])
		}
	}
	if first["prev_hash"] != nil || first["at"] != "2026-11-27T09:30:15.123456Z" || first["signer_sha256"] != operator.Fingerprint(key.Certificate()) {
		t.Errorf("first line: %s", lines[0])
	}

	want, err := st.ListRecords(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []store.Record
	for r, err := range operator.ReadExport(strings.NewReader(buf.String())) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back:\n%+v\nwant:\n%+v", got, want)
	}
	trust := operator.VerifyOptions{AnyCert: true}
	if _, err := operator.VerifyChain(ctx, operator.ReadExport(strings.NewReader(buf.String())), trust); err != nil {
		t.Fatalf("verifying the export: %v", err)
	}

	edited := strings.Replace(buf.String(), `"operator":"窓口1 clerk","verdict":{"signature_ok":true,"chain_ok":true`, `"operator":"窓口1 clerk","verdict":{"signature_ok":true,"chain_ok":false`, 1)
	if edited == buf.String() {
		t.Fatal("test edit did not apply")
	}
	_, err = operator.VerifyChain(ctx, operator.ReadExport(strings.NewReader(edited)), trust)
	var ce *operator.ChainError
	if !errors.As(err, &ce) || ce.Seq != 1 || !errors.Is(err, operator.ErrHashMismatch) {
		t.Fatalf("verifying an edited export = %v, want record 1 edited", err)
	}
	dropped := strings.Join(append(lines[:1:1], lines[2:]...), "\n")
	if _, err := operator.VerifyChain(ctx, operator.ReadExport(strings.NewReader(dropped)), trust); !errors.Is(err, operator.ErrSequenceGap) {
		t.Fatalf("verifying an export missing a line = %v, want a gap", err)
	}
}

func TestExportRefusesInvalidText(t *testing.T) {
	r := sampleRecord(0)
	r.Seq, r.Attributes.Name = 1, "\xff"
	var buf bytes.Buffer
	if _, err := operator.Export(context.Background(), operator.FromSlice([]store.Record{r}), &buf); !errors.Is(err, operator.ErrInvalidText) {
		t.Fatalf("Export of invalid UTF-8 = %v, want ErrInvalidText", err)
	}
}

// exportedLine returns one valid export line.
func exportedLine(t testing.TB) string {
	t.Helper()
	recs := sealSlice(t, mustKey(t, "Clerk"), 1, nil, samples(1))
	var buf bytes.Buffer
	if _, err := operator.Export(context.Background(), operator.FromSlice(recs), &buf); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestParseExportLineErrors(t *testing.T) {
	line := exportedLine(t)
	if _, err := operator.ParseExportLine([]byte(line)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"unknown member", `"seq":1,`, `"seq":1,"extra":1,`},
		{"wrong format", operator.ExportFormat, "mynacard-record-v9"},
		{"bad time", `"at":"2026-11-27T09:30:15.123456Z"`, `"at":"yesterday"`},
		{"nanoseconds", `"at":"2026-11-27T09:30:15.123456Z"`, `"at":"2026-11-27T09:30:15.123456789Z"`},
		{"bad base64", `"signature":"`, `"signature":"!!`},
		{"fingerprint", `"signer_sha256":"`, `"signer_sha256":"00`},
		{"subject", `"signer_subject":"`, `"signer_subject":"X`},
		{"two values", line, line + " {}"},
		{"not json", line, "seq=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(line, tc.old, tc.new, 1)
			if bad == line {
				t.Fatal("edit did not apply")
			}
			if _, err := operator.ParseExportLine([]byte(bad)); err == nil {
				t.Fatalf("ParseExportLine accepted %s", bad)
			}
			_, err := operator.VerifyChain(context.Background(), operator.ReadExport(strings.NewReader("\n"+bad+"\n")), operator.VerifyOptions{AnyCert: true})
			var le *operator.LineError
			if !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, operator.ErrBadExport) {
				t.Fatalf("reading the line = %v, want a *LineError for line 2", err)
			}
		})
	}
}

// FuzzParseExportLine parses arbitrary lines; what parses must export
// and parse back to the same record.
func FuzzParseExportLine(f *testing.F) {
	f.Add([]byte(exportedLine(f)))
	f.Add([]byte(`{"format":"mynacard-record-v1","seq":1,"at":"2026-01-02T03:04:05Z","prev_hash":""}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := operator.ParseExportLine(line)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := operator.Export(context.Background(), operator.FromSlice([]store.Record{r}), &buf); err != nil {
			t.Fatalf("exporting a parsed record: %v", err)
		}
		again, err := operator.ParseExportLine(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if err != nil {
			t.Fatalf("parsing a re-exported record: %v\n%s", err, buf.Bytes())
		}
		if !bytes.Equal(operator.CanonicalRecord(&r), operator.CanonicalRecord(&again)) ||
			!bytes.Equal(r.PrevHash, again.PrevHash) || !bytes.Equal(r.RecordHash, again.RecordHash) ||
			!bytes.Equal(r.Signature, again.Signature) || !bytes.Equal(r.SignerCert, again.SignerCert) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", r, again)
		}
	})
}
