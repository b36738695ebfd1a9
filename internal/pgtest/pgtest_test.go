package pgtest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestServerLifeCycle(t *testing.T) {
	ctx := t.Context()
	srv, err := Start(ctx)
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Stop()
		}
	}()
	dsn := srv.NewDatabase(t)
	dsn2 := srv.NewDatabase(t)
	if dsn == dsn2 {
		t.Fatalf("two databases share DSN %s", dsn)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var fsync string
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" {
		t.Errorf("fsync = %q, want off", fsync)
	}
	conn.Close(ctx)

	dir := srv.dir
	stopped = true
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("directory %s left behind (%v)", dir, err)
	}
	if _, err := pgx.Connect(context.Background(), dsn); err == nil {
		t.Error("server still accepts connections after Stop")
	}
}

func TestTwoServersAtOnce(t *testing.T) {
	a, err := Start(t.Context())
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	b, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	if a.Port() == b.Port() || a.dir == b.dir {
		t.Fatalf("servers share port %d or directory %s", a.Port(), a.dir)
	}
}

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"t1", true}, {"abc_d", true}, {"", false}, {"1t", false}, {"a;drop", false}, {"A", false}} {
		if got := validName(tc.name); got != tc.ok {
			t.Errorf("validName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
