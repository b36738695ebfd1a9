package sqlite

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/sqlstore"
	"github.com/mynacard/mynacard/store/internal/storetest"

	"modernc.org/sqlite"
)

// fullDiskChecks drives a store that is out of space through the kinds of
// multi-row write and checks each fails with ErrStorageFull (wrapping the
// driver's error). withRecord adds a 64 KiB record; on a real disk it may
// fit in the WAL space a failed transaction left allocated.
func fullDiskChecks(t *testing.T, s store.Store, bigRows int, withRecord bool) {
	t.Helper()
	ctx := t.Context()
	isFull := func(what string, err error) {
		t.Helper()
		var se *sqlite.Error
		if !errors.Is(err, store.ErrStorageFull) || !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want ErrStorageFull wrapping the driver's *sqlite.Error", what, err)
		}
	}
	_, err := s.ImportEligibilityCSV(ctx, strings.NewReader(storetest.BigFile(bigRows, false)))
	isFull("import", err)

	if withRecord {
		r := storetest.SampleRecord(store.RecordIdentify)
		r.Details = strings.Repeat("x", sqlstore.MaxTextBytes)
		_, err = s.AppendRecord(ctx, r, storetest.ChainSeal)
		isFull("append record", err)
	}

	e := storetest.SampleEnrolment("7777")
	e.CertDER = bytes.Repeat([]byte{0x30}, 1<<20)
	_, err = s.AddEnrolment(ctx, e)
	isFull("add enrolment", err)
	_, err = s.ReplaceEnrolment(ctx, 1, e)
	isFull("replace enrolment", err)
}

// checkAfter checks the store holds exactly what fillBefore stored, is
// intact, and goes on numbering records without a gap.
func checkAfter(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	var result string
	if err := storetest.Backend(t, s).QueryRow(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("integrity_check = %q, %v", result, err)
	}
	for table, want := range map[string]int64{"enrolments": 1, "records": 1, "eligibility": 1,
		"eligibility_imports": 1, "enrolment_replacements": 0} {
		if n := storetest.CountRows(t, s, table); n != want {
			t.Errorf("%s has %d rows after running out of space, want %d", table, n, want)
		}
	}
	e, err := s.Enrolment(ctx, 1)
	if err != nil || e.ReplacedBy != 0 {
		t.Errorf("enrolment 1 = %+v, %v; want it unreplaced", e, err)
	}
	first, err := s.Record(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	next, err := s.AppendRecord(ctx, storetest.SampleRecord(store.RecordIdentify), storetest.ChainSeal)
	if err != nil {
		t.Fatal(err)
	}
	if next.Seq != 2 || !bytes.Equal(next.PrevHash, first.RecordHash) {
		t.Errorf("next record: seq %d, prev %x; want 2 chained to record 1", next.Seq, next.PrevHash)
	}
}

// TestSQLiteStorageFull caps the database with PRAGMA max_page_count, so
// SQLite fails with SQLITE_FULL exactly as on a full disk.
func TestSQLiteStorageFull(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "full.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.FillBefore(t, s)
	var pages int
	if err := storetest.Backend(t, s).QueryRow(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	s.Close()

	capped, err := openSQLite(ctx, path, sqliteOptions{maxPageCount: pages + 2})
	if err != nil {
		t.Fatal(err)
	}
	fullDiskChecks(t, capped, 3000, true)
	capped.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkAfter(t, s)
}

// TestSQLiteDiskFull runs the store on a real, tiny tmpfs that fills up
// (ENOSPC). It needs the right to mount (root) and skips otherwise.
func TestSQLiteDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=384k,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	ctx := t.Context()
	path := filepath.Join(dir, "full.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.FillBefore(t, s)
	// Checkpoint so the WAL's frames are in the database file and the WAL
	// can be reused; what is left of the disk is then free for new writes.
	if err := storetest.RawExec(t, s, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	fullDiskChecks(t, s, 3000, false)
	// The store on the full disk still reads what it had.
	if n := storetest.CountRows(t, s, "eligibility"); n != 1 {
		t.Errorf("eligibility has %d rows on the full disk, want 1", n)
	}
	if a, err := s.LookupEligibility(ctx, storetest.TestIssuer, "01", storetest.Day("2026-11-27")); err != nil || a.Status != store.StatusValid {
		t.Errorf("lookup on the full disk: %v, %v", a.Status, err)
	}
	s.Close()

	// Copy the database and its WAL (the checkpoint at close may not have
	// had room) to a disk with room and check them there: SQLite recovers
	// the committed transactions from the WAL and ignores the rest.
	moved := filepath.Join(t.TempDir(), "moved.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(moved+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err = Open(ctx, moved)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkAfter(t, s)
}
