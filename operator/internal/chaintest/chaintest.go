// Package chaintest holds the test fixtures the operator packages share:
// operator keys and certificates made on the spot, sample confirmation
// records, a sealed SQLite store and the ways of tampering with it that
// chain verification must detect. It is for tests only.
package chaintest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the store's driver, for tampering with its file

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// Time is the fixed time records are stamped with.
var Time = time.Date(2026, 11, 27, 9, 30, 15, 123456000, time.UTC)

// NewECKey makes a P-256 key and a self-signed operator certificate.
func NewECKey(t testing.TB, name string) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key, SelfSigned(t, key, name)
}

// SelfSigned makes a self-signed operator certificate for key.
func SelfSigned(t testing.TB, key crypto.Signer, name string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"mynacard test"}},
		NotBefore:    Time.Add(-time.Hour),
		NotAfter:     Time.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// SampleRecord is confirmation number i as confirm would write it.
func SampleRecord(i int) store.Record {
	kinds := []store.RecordKind{store.RecordIdentify, store.RecordQualify, store.RecordChange}
	return store.Record{
		Kind:     kinds[i%len(kinds)],
		At:       Time.Add(time.Duration(i) * time.Minute),
		Operator: "窓口1 clerk",
		Verdict: store.Verdict{SignatureOK: true, ChainOK: true, Root: "sha256:0f1e2d",
			Revocation: store.RevocationGood, RevocationSource: "crl"},
		CertKind: card.SignKey,
		Issuer:   "CN=Japan Agency for Local Authority Information Systems,OU=JPKI-TEST,O=JPKI-TEST,C=JP",
		Serial:   "0132C4" + string(rune('A'+i%6)) + "B",
		// No substitute character: the flags are stored "", as confirm
		// writes them.
		Attributes: &card.Attributes{
			Name: "山田　太郎", Address: "東京都千代田区霞が関2-1-2",
			BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa, Sex: card.SexMale,
		},
		ChallengeID: "ch-" + string(rune('0'+i%10)),
		Details:     `{"shown":true}`,
	}
}

// ChainStore opens a fresh SQLite store in a temporary directory and
// appends n records sealed with key. It returns the store and its file.
func ChainStore(t *testing.T, key operator.Key, n int) (store.Store, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "records.db")
	st, err := storeopen.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range n {
		if _, err := st.AppendRecord(ctx, SampleRecord(i), operator.SealerContext(ctx, key)); err != nil {
			t.Fatalf("appending record %d: %v", i+1, err)
		}
	}
	return st, path
}

// Tamper runs SQL statements on the store's file directly, as someone with
// access to the database could, after dropping the append-only triggers.
func Tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{
		"DROP TRIGGER IF EXISTS records_no_update",
		"DROP TRIGGER IF EXISTS records_no_delete",
	}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("tampering: %s: %v", s, err)
		}
	}
}

// SwapRecords exchanges every column but seq of records a and b.
func SwapRecords(a, b int) []string {
	cols := []string{"kind", "at", "operator", "signature_ok", "chain_ok", "chain_root", "revocation_status",
		"revocation_reason", "revocation_source", "cert_kind", "issuer", "serial", "name", "name_substitute",
		"address", "address_substitute", "birth_date", "birth_era", "sex", "challenge_id", "enrolment_id",
		"details", "prev_hash", "record_hash", "signature", "signer_cert"}
	stmts := []string{
		"CREATE TEMP TABLE swap AS SELECT * FROM records WHERE seq IN (" + itoa(a) + "," + itoa(b) + ")",
	}
	for _, c := range cols {
		stmts = append(stmts,
			"UPDATE records SET "+c+" = (SELECT "+c+" FROM swap WHERE seq = "+itoa(b)+") WHERE seq = "+itoa(a),
			"UPDATE records SET "+c+" = (SELECT "+c+" FROM swap WHERE seq = "+itoa(a)+") WHERE seq = "+itoa(b))
	}
	return stmts
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// TamperCase is one way of altering a sealed chain and what VerifyChain
// must say about it.
type TamperCase struct {
	Name    string
	Stmts   []string
	Opts    func(head operator.Head) operator.VerifyOptions // nil: trust the key
	WantSeq int64
	Want    error
}

// TamperCases lists the alterations of a five-record chain sealed with
// the trusted certificate's key, and the record each must be named by.
func TamperCases(trusted *x509.Certificate) []TamperCase {
	trust := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{trusted}}
	return []TamperCase{
		{Name: "edited name", Stmts: []string{"UPDATE records SET name = '山田　次郎' WHERE seq = 3"}, WantSeq: 3, Want: operator.ErrHashMismatch},
		{Name: "edited time", Stmts: []string{"UPDATE records SET at = at + 1 WHERE seq = 2"}, WantSeq: 2, Want: operator.ErrHashMismatch},
		{Name: "edited verdict", Stmts: []string{"UPDATE records SET chain_ok = 0 WHERE seq = 5"}, WantSeq: 5, Want: operator.ErrHashMismatch},
		{Name: "deleted", Stmts: []string{"DELETE FROM records WHERE seq = 3"}, WantSeq: 4, Want: operator.ErrSequenceGap},
		{Name: "deleted first", Stmts: []string{"DELETE FROM records WHERE seq = 1"}, WantSeq: 2, Want: operator.ErrSequenceGap},
		{Name: "deleted and renumbered", Stmts: []string{
			"DELETE FROM records WHERE seq = 3",
			"UPDATE records SET seq = seq - 1 WHERE seq > 3",
		}, WantSeq: 3, Want: operator.ErrPrevHashMismatch},
		{Name: "reordered", Stmts: SwapRecords(2, 3), WantSeq: 2, Want: operator.ErrPrevHashMismatch},
		{Name: "reordered last two", Stmts: SwapRecords(4, 5), WantSeq: 4, Want: operator.ErrPrevHashMismatch},
		{Name: "seal stripped", Stmts: []string{
			"UPDATE records SET prev_hash = NULL, record_hash = NULL, signature = NULL, signer_cert = NULL WHERE seq = 4",
		}, WantSeq: 4, Want: operator.ErrUnsealed},
		{Name: "signature corrupted", Stmts: []string{
			"UPDATE records SET signature = zeroblob(70) WHERE seq = 2",
		}, WantSeq: 2, Want: operator.ErrBadSignature},
		{Name: "certificate corrupted", Stmts: []string{
			"UPDATE records SET signer_cert = x'3000' WHERE seq = 1",
		}, WantSeq: 1, Want: operator.ErrBadSignerCert},
		{Name: "last removed", Stmts: []string{"DELETE FROM records WHERE seq = 5"},
			Opts: func(h operator.Head) operator.VerifyOptions {
				o := trust
				o.ExpectHead = &h
				return o
			}, WantSeq: 5, Want: operator.ErrTruncated},
	}
}

// RunTamperDetection seals five records with key into a SQLite store,
// checks that they verify, then alters a fresh copy in each way of
// TamperCases and checks that VerifyStore names the right record.
func RunTamperDetection(t *testing.T, key operator.Key) {
	ctx := context.Background()
	trust := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{key.Certificate()}}
	const n = 5

	st, _ := ChainStore(t, key, n)
	rep, err := operator.VerifyStore(ctx, st, trust)
	if err != nil {
		t.Fatalf("VerifyStore on an untouched chain: %v", err)
	}
	if rep.Verified != n || rep.Head.Seq != n || len(rep.Signers) != 1 || rep.Signers[0].Records != n {
		t.Fatalf("report = %+v, want %d records by one signer", rep, n)
	}
	head := rep.Head

	for _, tc := range TamperCases(key.Certificate()) {
		t.Run(tc.Name, func(t *testing.T) {
			st, path := ChainStore(t, key, n)
			// Hashes do not cover the (randomised) signatures, so every
			// fresh chain of the same records has the same head.
			h, err := operator.VerifyStore(ctx, st, trust)
			if err != nil || !bytesEqual(h.Head.RecordHash, head.RecordHash) {
				t.Fatalf("fresh chain: head %x, err %v; want head %x", h.Head.RecordHash, err, head.RecordHash)
			}
			st.Close()
			Tamper(t, path, tc.Stmts...)
			st2, err := storeopen.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			opts := trust
			if tc.Opts != nil {
				opts = tc.Opts(head)
			}
			rep, err := operator.VerifyStore(ctx, st2, opts)
			var ce *operator.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyStore = %v, want a *ChainError", err)
			}
			if ce.Seq != tc.WantSeq || !errors.Is(err, tc.Want) {
				t.Fatalf("VerifyStore = %v (record %d), want record %d: %v", err, ce.Seq, tc.WantSeq, tc.Want)
			}
			if rep.Failure != ce || rep.OK() {
				t.Errorf("report failure = %v, want the returned error", rep.Failure)
			}
			t.Logf("detected: %v", err)
		})
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
