// Package pgtest runs a real, throwaway PostgreSQL server for tests.
//
// A test binary starts one server in TestMain with [Start], hands out a
// fresh database per test with [Server.NewDatabase], and stops the server
// with [Server.Stop] (pg_ctl stop -m fast), which also removes its files:
//
//	func TestMain(m *testing.M) {
//		srv, err := pgtest.Start(context.Background())
//		code := m.Run() // tests call pgtest.Need(t, srv, err)
//		if srv != nil {
//			srv.Stop()
//		}
//		os.Exit(code)
//	}
//
// The server uses Debian's PostgreSQL binaries (initdb, pg_ctl, postgres);
// when they are absent Start returns an error wrapping [ErrUnavailable] and
// tests skip with that message. Running as root, the server runs as the
// "postgres" user through runuser, with its data directory owned by that
// user. Each server lives in its own temporary directory (data, unix
// socket, log) and listens on its own free port on 127.0.0.1, so several
// test binaries can run at once. Durability is switched off (fsync=off):
// the data is thrown away.
//
// The package owns only the server's life cycle; it knows nothing of any
// schema.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ErrUnavailable means no PostgreSQL server binaries were found.
var ErrUnavailable = errors.New("pgtest: PostgreSQL server binaries not found (install Debian's postgresql)")

// binDirPattern finds Debian's server binaries (/usr/lib/postgresql/15/bin
// on bookworm); the newest version found wins. The environment variable
// MYNACARD_PG_BIN, when set, names a directory tried first.
const binDirPattern = "/usr/lib/postgresql/*/bin"

// Server settings.
const (
	// superuser is the role initdb creates and tests connect as.
	superuser = "postgres"
	// runAsUser is the account the server runs as when the tests run as
	// root (PostgreSQL refuses to run as root).
	runAsUser = "postgres"
	// startTimeout bounds initdb and the server's start.
	startTimeout = 60 * time.Second
	// startAttempts retries the start when another process took the port
	// between choosing it and binding it.
	startAttempts = 3
	// dirPrefix names the temporary directories, so stale ones can be found.
	dirPrefix = "mynacard-pgtest-"
	// ownerFile holds the pid of the test binary that owns a server.
	ownerFile = "owner.pid"
)

// Server is a running PostgreSQL server.
type Server struct {
	dir     string // temporary directory: data/, socket, log
	bin     string // directory of the server binaries
	port    int
	asUser  bool // run commands as runAsUser through runuser
	counter atomic.Int64
}

// Start initialises a cluster in a new temporary directory and starts a
// server on a free loopback port. It returns an error wrapping
// ErrUnavailable when the binaries are missing.
func Start(ctx context.Context) (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	reapStale(ctx, bin)
	s := &Server{bin: bin, asUser: os.Geteuid() == 0}
	if s.dir, err = os.MkdirTemp("", dirPrefix+"*"); err != nil {
		return nil, fmt.Errorf("pgtest: creating directory: %w", err)
	}
	if err := s.init(ctx); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.start(ctx); err == nil {
			return s, nil
		}
		if attempt == startAttempts {
			break
		}
	}
	os.RemoveAll(s.dir)
	return nil, err
}

// Need skips t when the server could not start (startErr from Start), with
// the reason; tests that need PostgreSQL call it first.
func Need(t testing.TB, s *Server, startErr error) {
	t.Helper()
	if s == nil {
		t.Skipf("PostgreSQL not available: %v", startErr)
	}
}

func findBinaries() (string, error) {
	dirs, _ := filepath.Glob(binDirPattern)
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	if d := os.Getenv("MYNACARD_PG_BIN"); d != "" {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if exists(filepath.Join(d, "initdb")) && exists(filepath.Join(d, "pg_ctl")) && exists(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrUnavailable
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// init creates the cluster, owned by the server's user.
func (s *Server) init(ctx context.Context) error {
	if err := os.WriteFile(filepath.Join(s.dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if s.asUser {
		u, err := user.Lookup(runAsUser)
		if err != nil {
			return fmt.Errorf("pgtest: running as root needs the %q user: %w", runAsUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
	}
	_, err := s.run(ctx, "initdb", "-D", s.dataDir(), "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	return err
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// start starts the server on s.port and waits until it accepts
// connections.
func (s *Server) start(ctx context.Context) error {
	opts := strings.Join([]string{
		"-p", strconv.Itoa(s.port),
		"-k", s.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "shared_buffers=16MB",
		"-c", "max_connections=64",
	}, " ")
	_, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-l", filepath.Join(s.dir, "server.log"),
		"-o", opts, "-w", "-t", strconv.Itoa(int(startTimeout.Seconds())), "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("%w\nserver log:\n%s", err, lastLines(log, 10))
	}
	return nil
}

// Stop stops the server (fast shutdown) and removes its directory.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	_, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-m", "fast", "-w", "stop")
	if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
		err = fmt.Errorf("pgtest: removing %s: %w", s.dir, rmErr)
	}
	return err
}

// Port returns the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// DSN returns a pgx/libpq URL for a database on the server.
func (s *Server) DSN(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, s.port, database)
}

// CreateDatabase creates an empty database and returns its DSN.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("pgtest: bad database name %q", name)
	}
	_, err := s.run(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.dir, "-p", strconv.Itoa(s.port),
		"-U", superuser, "-d", "postgres", "-c", "CREATE DATABASE "+name)
	if err != nil {
		return "", err
	}
	return s.DSN(name), nil
}

// NewDatabase creates a fresh database for one test and returns its DSN.
// The database is left for Stop to remove with the whole cluster.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", s.counter.Add(1))
	dsn, err := s.CreateDatabase(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

func validName(n string) bool {
	if n == "" || len(n) > 63 {
		return false
	}
	for i, r := range n {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// run runs one of the server binaries (psql is looked up beside them,
// then in PATH), as runAsUser when the tests run as root.
func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return runBin(ctx, s.bin, s.asUser, name, args...)
}

func runBin(ctx context.Context, bin string, asUser bool, name string, args ...string) ([]byte, error) {
	path := filepath.Join(bin, name)
	if !exists(path) {
		if p, err := exec.LookPath(name); err == nil {
			path = p
		}
	}
	var cmd *exec.Cmd
	if asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", runAsUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("pgtest: %s: %w: %s", name, err, lastLines(out.Bytes(), 10))
	}
	return out.Bytes(), nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// reapStale stops servers whose owning test binary died without stopping
// them (a killed `go test`), and removes their directories. Only
// directories this package created (dirPrefix, owner.pid) are touched.
func reapStale(ctx context.Context, bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		data := filepath.Join(d, "data")
		if exists(filepath.Join(data, "postmaster.pid")) {
			runBin(ctx, bin, os.Geteuid() == 0, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		}
		os.RemoveAll(d)
	}
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return err == nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
