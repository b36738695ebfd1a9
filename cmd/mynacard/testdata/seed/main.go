// Command seed enrols N signing certificates in a mynacard store for the
// CLI's batch test (testdata/script/changes_batch.txtar): the default test
// holder's signing certificate with the last two bytes of its serial
// replaced by i (i = 0 keeps the real, correctly signed one; the batch
// check finds the issuer of the rest by key identifier, as for
// certificates verified when they were enrolled). script_test.go builds it
// without the race detector, which makes the embedded SQLite very slow.
//
// Usage: seed DB N
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/asn1"
	"fmt"
	"log"
	"math/big"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"

	_ "modernc.org/sqlite" // the driver store uses
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: seed DB N")
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 || n > 1<<16 {
		log.Fatal("N must be 1 to 65536")
	}
	ctx := context.Background()
	// storeopen.Open creates and migrates the schema; the rows then go in one
	// transaction with the same INSERT that store.AddEnrolment runs (one
	// transaction each there: 10,000 of them take half a minute).
	st, err := storeopen.Open(ctx, os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO enrolments (cert_kind, issuer, serial, name, name_substitute,
		address, address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		log.Fatal(err)
	}
	at := time.Now().UTC().UnixMicro()
	for i := range n {
		der, serial, err := BatchCert(i)
		if err != nil {
			log.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			log.Fatal(err)
		}
		s, err := store.SerialFromBytes(serial.Bytes())
		if err != nil {
			log.Fatal(err)
		}
		// The attribute columns as the store writes a signing
		// certificate with a name only: no flags, no birth date, era 0,
		// sex code "0".
		if _, err := ins.ExecContext(ctx, card.SignKey.String(), confirm.IssuerString(cert), s, fmt.Sprintf("試験　%05d", i), "",
			"", "", "", 0, "0", der, at, "seed"); err != nil {
			log.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	// The store reads them back as it would its own.
	st, err = storeopen.Open(ctx, os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if c, err := st.CountEnrolments(ctx, store.EnrolmentQuery{}); err != nil || c != int64(n) {
		log.Fatalf("seeded %d enrolments, the store counts %d (%v)", n, c, err)
	}
}

// signCert is the default holder's signing certificate, issued once
// (DefaultHolder issues a fresh holder on every call).
var signCert = sync.OnceValue(func() *x509.Certificate { return jpkitest.DefaultHolder().SignCert })

// BatchCert returns enrolment i's certificate and serial.
func BatchCert(i int) ([]byte, *big.Int, error) {
	cert := signCert()
	if i == 0 {
		return cert.Raw, cert.SerialNumber, nil
	}
	enc, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return nil, nil, err
	}
	at := bytes.Index(cert.Raw, enc)
	if at < 0 || len(enc) < 5 {
		return nil, nil, fmt.Errorf("serial not found")
	}
	next := bytes.Clone(enc)
	next[len(next)-2], next[len(next)-1] = byte(i>>8), byte(i)
	der := bytes.Clone(cert.Raw)
	copy(der[at:], next)
	serial := new(big.Int)
	if _, err := asn1.Unmarshal(next, &serial); err != nil {
		return nil, nil, err
	}
	return der, serial, nil
}
