// Command dbcheck opens a mynacard SQLite database a killed CLI left and
// prints, as one JSON object, what the durability tests assert on:
// PRAGMA integrity_check and foreign_key_check, the confirmation records'
// sequence, every enrolment's revocation check and the eligibility
// counts; then it opens the database with package store, as the next run
// of the CLI would. The tests build it without the race detector: the
// embedded SQLite checking a database under -race takes seconds.
//
// Usage: dbcheck DB NEXTNAME
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"log"
	"os"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"

	_ "modernc.org/sqlite" // the driver package store uses
)

// Report is what dbcheck prints.
type Report struct {
	Integrity    []string `json:"integrity"`
	FKViolations int      `json:"fk_violations"`
	// Records: row count, lowest and highest seq, record_head.last_seq.
	Records [4]int64 `json:"records"`
	// Checks holds each enrolment's revocation check.
	Checks []Check `json:"checks"`
	// Eligibility: rows, rows named NEXTNAME, rows with copay 10,
	// imports, and the newest import's inserted and updated counts.
	Eligibility [6]int64 `json:"eligibility"`
	// StoreOpen is the error opening the database with package store
	// gave, or "".
	StoreOpen string `json:"store_open"`
}

// Check is one enrolment's revocation-check columns.
type Check struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	Source    string `json:"source"`
	CheckedAt bool   `json:"checked_at"`
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: dbcheck DB NEXTNAME")
	}
	path, nextName := os.Args[1], os.Args[2]
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	var r Report
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		log.Fatalf("integrity_check: %v", err)
	}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			log.Fatal(err)
		}
		r.Integrity = append(r.Integrity, m)
	}
	rows.Close()
	rows, err = db.Query("PRAGMA foreign_key_check")
	if err != nil {
		log.Fatalf("foreign_key_check: %v", err)
	}
	for rows.Next() {
		r.FKViolations++
	}
	rows.Close()
	if err := db.QueryRow("SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM records").Scan(&r.Records[0], &r.Records[1], &r.Records[2]); err != nil {
		log.Fatalf("reading records: %v", err)
	}
	if err := db.QueryRow("SELECT last_seq FROM record_head WHERE id = 1").Scan(&r.Records[3]); err != nil {
		log.Fatalf("reading record_head: %v", err)
	}
	rows, err = db.Query(`SELECT id, revocation_status, revocation_reason, revocation_source, revocation_checked_at IS NOT NULL FROM enrolments ORDER BY id`)
	if err != nil {
		log.Fatalf("reading enrolments: %v", err)
	}
	for rows.Next() {
		var c Check
		if err := rows.Scan(&c.ID, &c.Status, &c.Reason, &c.Source, &c.CheckedAt); err != nil {
			log.Fatal(err)
		}
		r.Checks = append(r.Checks, c)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	rows.Close()
	e := &r.Eligibility
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(name = ?), 0), COALESCE(SUM(copay_percent = 10), 0) FROM eligibility`, nextName).Scan(&e[0], &e[1], &e[2]); err != nil {
		log.Fatalf("reading eligibility: %v", err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM eligibility_imports`).Scan(&e[3]); err != nil {
		log.Fatalf("reading eligibility_imports: %v", err)
	}
	if e[3] > 0 {
		if err := db.QueryRow(`SELECT inserted, updated FROM eligibility_imports ORDER BY id DESC LIMIT 1`).Scan(&e[4], &e[5]); err != nil {
			log.Fatalf("reading eligibility_imports: %v", err)
		}
	}
	db.Close()
	if st, err := storeopen.Open(context.Background(), path); err != nil {
		r.StoreOpen = err.Error()
	} else if _, err := st.CountEnrolments(context.Background(), store.EnrolmentQuery{}); err != nil {
		r.StoreOpen = err.Error()
		st.Close()
	} else if err := st.Close(); err != nil {
		r.StoreOpen = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		log.Fatal(err)
	}
}
