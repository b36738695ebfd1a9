package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/storetest"
)

// TestPostgresDiskFull puts the eligibility table in a tablespace on a tiny
// tmpfs, so the server fails with disk_full (53100) when the table cannot
// grow. It needs root (mount) and the test server, and skips otherwise.
func TestPostgresDiskFull(t *testing.T) {
	pgtestNeed(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Skipf("no postgres user: %v", err)
	}
	base, err := os.MkdirTemp("", "mynacard-pgfull-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // the server must reach the mount
		t.Fatal(err)
	}
	dir := filepath.Join(base, "tiny")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("size=512k,mode=0700,uid=%s,gid=%s", pg.Uid, pg.Gid)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})

	ctx := t.Context()
	dsn := pgServer.NewDatabase(t)
	dbName := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	const tablespace = "mynacard_tiny"
	if err := storetest.RawExec(t, s, "CREATE TABLESPACE "+tablespace+" LOCATION '"+dir+"'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Drop the database and the tablespace so the tmpfs can be unmounted.
		ctx := context.Background() // the test's context is done by now
		conn, err := pgx.Connect(ctx, pgServer.DSN("postgres"))
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		for _, q := range []string{"DROP DATABASE " + dbName + " WITH (FORCE)", "DROP TABLESPACE " + tablespace} {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	storetest.FillBefore(t, s)
	if err := storetest.RawExec(t, s, "ALTER TABLE eligibility SET TABLESPACE "+tablespace); err != nil {
		t.Fatal(err)
	}

	_, err = s.ImportEligibilityCSV(ctx, strings.NewReader(storetest.BigFile(20000, false)))
	var pe *pgconn.PgError
	if !errors.Is(err, store.ErrStorageFull) || !errors.As(err, &pe) || pe.Code != pgDiskFull {
		t.Fatalf("import on a full tablespace: %v, want store.ErrStorageFull wrapping SQLSTATE %s", err, pgDiskFull)
	}
	if n := storetest.CountRows(t, s, "eligibility"); n != 1 {
		t.Errorf("eligibility has %d rows after the failed import, want 1", n)
	}
	if n := storetest.CountRows(t, s, "eligibility_imports"); n != 1 {
		t.Errorf("eligibility_imports has %d rows, want 1", n)
	}
	a, err := s.LookupEligibility(ctx, storetest.TestIssuer, "01", storetest.Day("2026-11-27"))
	if err != nil || a.Status != store.StatusValid {
		t.Errorf("lookup after the failed import: %v, %v", a.Status, err)
	}
	s.Close()
}
