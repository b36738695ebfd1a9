package operator_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
)

// exampleKey makes an operator key in memory (a real counter uses
// pivkey.Open or LoadSoftwareKey).
func exampleKey() operator.Key {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Clerk Hanako"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	cert, _ := x509.ParseCertificate(der)
	key, err := operator.NewKey(priv, cert)
	if err != nil {
		panic(err)
	}
	return key
}

// ExampleVerifyChain seals three records as the store would, verifies
// them, then edits one and verifies again.
func ExampleVerifyChain() {
	ctx := context.Background()
	key := exampleKey()

	var records []store.Record
	var prev []byte
	for seq := int64(1); seq <= 3; seq++ {
		r := store.Record{Seq: seq, Kind: store.RecordIdentify, At: time.Date(2026, 11, 27, 9, 0, int(seq), 0, time.UTC),
			Operator: "clerk hanako", CertKind: card.AuthKey, Issuer: "CN=CA", Serial: "01"}
		// In a store: st.AppendRecord(ctx, r, operator.SealerContext(ctx, key)).
		if err := operator.Seal(ctx, key, prev, &r); err != nil {
			panic(err)
		}
		prev = r.RecordHash
		records = append(records, r)
	}
	trust := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{key.Certificate()}}
	report, err := operator.VerifyChain(ctx, operator.FromSlice(records), trust)
	fmt.Println(report.Verified, "records verified, signed by", report.Signers[0].Cert.Subject.CommonName, "error:", err)

	records[1].Operator = "someone else"
	_, err = operator.VerifyChain(ctx, operator.FromSlice(records), trust)
	var ce *operator.ChainError
	if errors.As(err, &ce) && errors.Is(err, operator.ErrHashMismatch) {
		fmt.Println("record", ce.Seq, "was edited")
	}
	// Output:
	// 3 records verified, signed by Clerk Hanako error: <nil>
	// record 2 was edited
}
