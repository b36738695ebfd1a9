package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// A qualification confirmation: load the insurer's eligibility file, then
// look up the authentication certificate the card presented.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := storeopen.Open(ctx, "sqlite:"+filepath.Join(dir, "mynacard.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	const issuer = "CN=JPKI for user authentication,O=JPKI-TEST,C=JP"
	// The issuer DN holds commas, so it is quoted.
	file := store.EligibilityCSVHeader + "\n" +
		`"` + issuer + `"` + ",0132C4AB,06139998,,1234,01,山田　太郎,ヤマダ　タロウ,1980-04-01,1,2020-04-01,,,30,1\n"
	res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(file))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("imported %d\n", res.Inserted)

	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	a, err := s.LookupEligibility(ctx, issuer, "132c4ab", at)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("status %d (%v): insurer %s, copay %d%%\n", a.Status, a.Status, a.Record.InsurerNumber, a.Record.CopayPercent)
	// Output:
	// imported 1
	// status 1 (valid): insurer 06139998, copay 30%
}

// A bad row is reported with its line and column, and nothing is imported.
func ExampleImportErrors() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := storeopen.Open(ctx, filepath.Join(dir, "mynacard.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	file := store.EligibilityCSVHeader + "\n" +
		"CN=CA,01,06139998,,1234,01,山田　太郎,,1980-04-01,1,2020-04-01,,,30,1\n" +
		"CN=CA,02,0613999,,1234,1,山田　花子,,1980-02-30,2,2020-04-01,,,25,1\n"
	_, err = s.ImportEligibilityCSV(ctx, strings.NewReader(file))
	fmt.Println(err)
	// Output:
	// importing eligibility: 4 bad field(s), nothing imported
	// line 3, column insurer_number: want 8 digits (6 for national health insurance)
	// line 3, column branch: want 2 digits
	// line 3, column birth_date: no such date "1980-02-30"
	// line 3, column copay_percent: want 10, 20 or 30
}
