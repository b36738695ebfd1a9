// Package pcsctest is the shared harness for every test in the module
// that goes through the real PC/SC stack (pcscd with the vpcd virtual
// reader driver). There is one pcscd per machine and vpcd has two reader
// slots, while `go test ./...` runs packages in parallel processes, so all
// coordination is by file locks (flock) in one directory:
//
//   - start.lock (exclusive, briefly): whoever finds no pcscd with vpcd
//     listening starts `pcscd --foreground` as a detached child and waits
//     until vpcd's port listens.
//   - users.lock (shared, for the process lifetime): counts the processes
//     using pcscd. The process that started pcscd also starts a detached
//     reaper (`flock -x users.lock sh -c 'kill <pid>'`) that stops it once
//     the last user has gone, even if the starter crashed. Main stops it
//     at once when no other process uses it. A pcscd this harness did not
//     start is never stopped.
//   - slot0.lock, slot1.lock (exclusive, per test): Slot gives a test one
//     vpcd slot, waits until the reader shows empty, and at cleanup waits
//     until it is empty again before releasing it.
//
// Environment knobs:
//
//	MYNACARD_PCSCTEST_DIR      lock directory (default $TMPDIR/mynacard-pcsctest)
//	MYNACARD_PCSCTEST_REQUIRE  "1": fail instead of skipping when pcscd or vpcd
//	                           is not installed (the test command sets it)
//	MYNACARD_PCSCD_ARGS        extra pcscd arguments, e.g. "--debug --apdu"
//	                           (the log is pcscd.log in the lock directory)
//
// The harness keeps process-wide state (which pcscd it started, the held
// users lock): that is what a harness shared by a whole test binary is.
package pcsctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
)

// Environment variables the harness reads.
const (
	EnvDir     = "MYNACARD_PCSCTEST_DIR"
	EnvRequire = "MYNACARD_PCSCTEST_REQUIRE"
	EnvArgs    = "MYNACARD_PCSCD_ARGS"
)

// Paths of the Debian packages pcscd and vsmartcard-vpcd.
const (
	pcscdPath      = "/usr/sbin/pcscd"
	vpcdDriverConf = "/etc/reader.conf.d/vpcd"
	pcscdPIDFile   = "/run/pcscd/pcscd.pid"
)

// Timeouts. Every wait in the harness is bounded.
const (
	lockTimeout     = 60 * time.Second  // start.lock and users.lock
	slotTimeout     = 180 * time.Second // another package's tests may hold both slots
	startTimeout    = 15 * time.Second  // pcscd until the vpcd port listens
	readerTimeout   = 10 * time.Second  // a reader to show a card present or gone
	lockPollPeriod  = 25 * time.Millisecond
	stopWaitTimeout = 10 * time.Second
)

// harness is the process-wide state.
type harness struct {
	once sync.Once
	skip string // non-empty: the reason to skip
	err  error

	users  *os.File // users.lock, LOCK_SH for the process lifetime
	dir    string
	pcscd  *exec.Cmd // the pcscd this process started, nil if none
	exited chan struct{}
	reaper *os.Process

	held atomic.Int32 // vpcd slots this process holds
}

var h harness

// Main runs the package's tests and then stops the pcscd this process
// started if no other process uses it. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pcsctest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	h.shutdown()
	os.Exit(code)
}

// Ensure makes sure pcscd runs with the vpcd driver, starting it if
// needed, and registers the process as a user. It skips t when pcscd or
// vpcd is not installed (fails instead under MYNACARD_PCSCTEST_REQUIRE=1).
// Slot calls it; call it directly only for tests that use PC/SC without a
// slot.
func Ensure(t testing.TB) {
	t.Helper()
	h.once.Do(h.setup)
	if h.skip != "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("pcsctest: %s (and %s=1)", h.skip, EnvRequire)
		}
		t.Skipf("pcsctest: %s; install pcscd and vsmartcard-vpcd (scripts/test.sh does)", h.skip)
	}
	if h.err != nil {
		t.Fatalf("pcsctest: %v", h.err)
	}
}

// Dir returns the harness's lock directory.
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "mynacard-pcsctest")
}

func installed() string {
	if _, err := os.Stat(pcscdPath); err != nil {
		return "pcscd is not installed (" + pcscdPath + ")"
	}
	if _, err := os.Stat(vpcdDriverConf); err != nil {
		return "vsmartcard-vpcd is not installed (" + vpcdDriverConf + ")"
	}
	if _, err := exec.LookPath("flock"); err != nil {
		return "flock (util-linux) is not installed"
	}
	return ""
}

func (h *harness) setup() {
	if h.skip = installed(); h.skip != "" {
		return
	}
	h.err = h.start()
}

func (h *harness) start() error {
	h.dir = Dir()
	if err := os.MkdirAll(h.dir, 0o777); err != nil {
		return fmt.Errorf("creating lock directory: %w", err)
	}
	_ = os.Chmod(h.dir, 0o1777) // shared between users, like /tmp
	users, err := lockFile(filepath.Join(h.dir, "users.lock"), syscall.LOCK_SH, lockTimeout)
	if err != nil {
		return fmt.Errorf("registering as a pcscd user: %w", err)
	}
	h.users = users
	start, err := lockFile(filepath.Join(h.dir, "start.lock"), syscall.LOCK_EX, lockTimeout)
	if err != nil {
		return fmt.Errorf("taking the pcscd start lock: %w", err)
	}
	defer start.Close() // closing releases the lock

	if vpcdListening(0) {
		if waitListening(startTimeout, nil) {
			return nil
		}
		return fmt.Errorf("vpcd listens on port %d but pcscd does not list the vpcd readers within %v", vpcdPort(0), startTimeout)
	}
	if pid, ok := runningPcscd(); ok {
		// Starting, or running without the vpcd driver.
		if waitListening(startTimeout, nil) {
			return nil
		}
		return fmt.Errorf("pcscd (pid %d, not started by the harness) runs but vpcd does not listen on port %d: is %s in its configuration?", pid, vpcdPort(0), vpcdDriverConf)
	}
	return h.startPcscd()
}

// keepInheritedFromChildren marks every descriptor this process inherited
// (a CI runner's or a shell tool's pipes) close-on-exec. pcscd and the
// reaper can outlive this process; holding such a pipe open, they would
// make whoever reads it wait for them. Go opens its own files
// close-on-exec already, and os/exec passes children only what it is told.
func keepInheritedFromChildren() {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

func (h *harness) startPcscd() error {
	keepInheritedFromChildren()
	logPath := filepath.Join(h.dir, "pcscd.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o666) // this pcscd's log only
	if err != nil {
		return fmt.Errorf("opening pcscd log: %w", err)
	}
	defer logf.Close()
	args := append([]string{"--foreground"}, strings.Fields(os.Getenv(EnvArgs))...)
	cmd := exec.Command(pcscdPath, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // outlives us if others still use it
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting pcscd: %w", err)
	}
	h.pcscd = cmd
	h.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(h.exited) }()
	if err := h.startReaper(cmd.Process.Pid); err != nil {
		h.stopPcscd()
		return err
	}
	if !waitListening(startTimeout, h.exited) {
		h.stopPcscd()
		hint := ""
		if os.Geteuid() != 0 {
			hint = " (pcscd needs root to create /run/pcscd: run the tests as root, or start `pcscd` as root first)"
		}
		return fmt.Errorf("pcscd (pid %d) was not ready with the vpcd readers within %v%s; see %s", cmd.Process.Pid, startTimeout, hint, logPath)
	}
	return nil
}

// reaperScript stops pcscd $1 once flock has the users lock exclusively,
// that is once no test process uses it. It checks the process is still a
// pcscd (not a recycled PID) and waits until it has gone (or is a zombie)
// before flock releases the lock, so that the next user starts afresh.
const reaperScript = `p=$1
[ "$(cat /proc/$p/comm 2>/dev/null)" = pcscd ] || exit 0
kill -TERM "$p" 2>/dev/null || exit 0
i=0
while [ $i -lt 100 ] && [ -d /proc/$p ] && ! grep -q '^State:[[:space:]]*Z' /proc/$p/status 2>/dev/null; do
  sleep 0.1; i=$((i+1))
done`

func (h *harness) startReaper(pid int) error {
	keepInheritedFromChildren()
	cmd := exec.Command("flock", "-x", filepath.Join(h.dir, "users.lock"), "sh", "-c", reaperScript, "pcsctest-reaper", fmt.Sprint(pid))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the pcscd reaper: %w", err)
	}
	h.reaper = cmd.Process
	go func() { _, _ = cmd.Process.Wait() }() // reap it if it ends while we run
	return nil
}

// shutdown releases the users lock and, if this process started pcscd and
// no other process uses it, stops it now. Otherwise it hands pcscd over to
// a new detached reaper, which stops it after the last user has gone.
func (h *harness) shutdown() {
	if h.users == nil {
		return
	}
	if h.reaper != nil {
		// Take the reaper back so that it does not race us for the lock.
		_ = h.reaper.Kill()
		h.reaper = nil
	}
	h.users.Close()
	h.users = nil
	if h.pcscd == nil {
		return
	}
	excl, err := lockFile(filepath.Join(h.dir, "users.lock"), syscall.LOCK_EX, 0)
	if err != nil {
		if err := h.startReaper(h.pcscd.Process.Pid); err != nil {
			// Last resort: stop it now rather than leave it running forever.
			h.stopPcscd()
		}
		return
	}
	defer excl.Close()
	h.stopPcscd()
}

func (h *harness) stopPcscd() {
	_ = h.pcscd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(stopWaitTimeout):
		_ = h.pcscd.Process.Kill()
		<-h.exited
	}
}

// lockFile opens path and flocks it with how (LOCK_SH or LOCK_EX), polling
// until timeout (0: try once). Closing the file releases the lock.
func lockFile(path string, how int, timeout time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	_ = f.Chmod(0o666)
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, errLockTimeout)
		}
		time.Sleep(lockPollPeriod)
	}
}

var errLockTimeout = errors.New("timed out waiting for the lock")

// runningPcscd reports a live pcscd from its PID file.
func runningPcscd() (int, bool) {
	b, err := os.ReadFile(pcscdPIDFile)
	if err != nil {
		return 0, false
	}
	var pid int
	if _, err := fmt.Sscan(string(b), &pid); err != nil || pid <= 0 {
		return 0, false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || strings.TrimSpace(string(comm)) != "pcscd" {
		return 0, false
	}
	return pid, true
}

// waitListening waits until pcscd is ready for the tests, up to timeout or
// until exited is closed: vpcd's first port listens, pcscd accepts clients
// and lists both vpcd readers. (The vpcd port can listen before pcscd's
// client socket answers.)
func waitListening(timeout time.Duration, exited <-chan struct{}) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if vpcdListening(0) && readersListed(ctx) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-exited:
			return false
		case <-tick.C:
		}
	}
}

// readersListed reports whether pcscd answers and lists every vpcd reader.
func readersListed(ctx context.Context) bool {
	c, err := pcsc.Establish(ctx)
	if err != nil {
		return false
	}
	defer c.Release()
	names, err := c.ListReaders(ctx)
	if err != nil {
		return false
	}
	for i := range vpcd.Slots {
		if !slices.Contains(names, vpcd.ReaderName(i)) {
			return false
		}
	}
	return true
}
