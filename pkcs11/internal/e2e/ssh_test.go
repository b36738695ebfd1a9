package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSSH: ssh-keygen -D prints the authentication key, and ssh -I logs
// in with it to an sshd on a loopback port whose authorized_keys holds
// it. The PIN comes through SSH_ASKPASS, never argv.
func TestSSH(t *testing.T) {
	sshd := "/usr/sbin/sshd"
	for _, p := range []string{sshd, "ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("MYNACARD_PCSCTEST_REQUIRE") == "1" {
				t.Fatalf("%s not installed (openssh-server, openssh-client)", p)
			}
			t.Skipf("%s not installed", p)
		}
	}
	e := newEnv(t, "keys = auth\n")
	out := e.must("", "ssh-keygen", "-D", modulePath)
	var key string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "ssh-rsa ") {
			key = l
		}
	}
	if key == "" {
		t.Fatalf("ssh-keygen -D printed no RSA key:\n%s", out)
	}
	if n := strings.Count(out, "ssh-rsa "); n != 1 {
		t.Fatalf("%d keys, want 1 (keys = auth):\n%s", n, out)
	}

	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if u.Uid == "0" {
		_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	}
	hostKey := filepath.Join(e.dir, "host_ed25519")
	e.must("", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey)
	auth := e.file("authorized_keys", []byte(key+"\n"))
	port := freePort(t)
	cfg := e.file("sshd_config", []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
`, port, hostKey, filepath.Join(e.dir, "sshd.pid"), auth)))
	srv := exec.Command(sshd, "-D", "-e", "-f", cfg)
	var srvLog strings.Builder
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i > 100 {
			t.Fatalf("sshd did not listen: %s", srvLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	pinFile := e.file("pin", []byte(authPIN+"\n"))
	askpass := e.file("askpass", []byte("#!/bin/sh\ncat "+pinFile+"\n"))
	if err := os.Chmod(askpass, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err = e.runEnv([]string{"SSH_AUTH_SOCK=", "SSH_ASKPASS=" + askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"},
		"ssh", "-F", "/dev/null", "-I", modulePath, "-p", fmt.Sprint(port),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PreferredAuthentications=publickey", "-o", "BatchMode=no",
		"-o", "ConnectTimeout=20", u.Username+"@127.0.0.1", "echo logged-in-with-the-card")
	if err != nil || !strings.Contains(out, "logged-in-with-the-card") {
		t.Fatalf("ssh -I: %v\n%s\nsshd:\n%s", err, out, srvLog.String())
	}
}
