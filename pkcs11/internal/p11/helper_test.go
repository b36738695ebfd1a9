package p11

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/card/virtual"
)

// TestPINHelper: with a PIN helper the token needs no login, the helper
// is run at each signature with the tries left, a cancel is
// CKR_FUNCTION_CANCELED, a wrong PIN CKR_PIN_INCORRECT (one try spent, no
// retry), and with one try left the helper is not even run.
func TestPINHelper(t *testing.T) {
	dir := t.TempDir()
	pinFile := filepath.Join(dir, "pin")
	runs := filepath.Join(dir, "runs")
	helper := filepath.Join(dir, "helper")
	script := "#!/bin/sh\necho \"$MYNACARD_PIN_KIND $MYNACARD_PIN_TRIES\" >> " + runs + "\n[ -f " + pinFile + " ] || exit 1\ncat " + pinFile + "\n"
	if err := os.WriteFile(helper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.PINHelper = helper
	m, b := newTestModule(t, cfg)
	if rv := m.Initialize(nil); rv != CKR_OK {
		t.Fatal(rv)
	}
	defer m.Finalize()
	ti, _ := m.GetTokenInfo(0)
	if ti.Flags&CKF_LOGIN_REQUIRED != 0 || ti.Flags&CKF_PROTECTED_AUTH_PATH == 0 {
		t.Fatalf("flags %#x", ti.Flags)
	}
	sh, _ := m.OpenSession(0, CKF_SERIAL_SESSION)
	m.FindObjectsInit(sh, []Attribute{{CKA_CLASS, ulong(CKO_PRIVATE_KEY)}})
	keys, _ := m.FindObjects(sh, 2)
	m.FindObjectsFinal(sh)
	if len(keys) != 1 {
		t.Fatalf("%d private keys without login", len(keys))
	}
	sign := func() RV {
		if rv := m.SignInit(sh, CKM_SHA256_RSA_PKCS, nil, keys[0]); rv != CKR_OK {
			t.Fatal(rv)
		}
		_, rv := m.Sign(sh, []byte("helper"))
		return rv
	}
	readRuns := func() string { b, _ := os.ReadFile(runs); return string(b) }

	if rv := sign(); rv != CKR_FUNCTION_CANCELED { // no pin file: the helper exits 1
		t.Fatalf("cancelled: %#x", rv)
	}
	os.WriteFile(pinFile, []byte("1234\n"), 0o600)
	if rv := sign(); rv != CKR_OK {
		t.Fatalf("sign: %#x", rv)
	}
	os.WriteFile(pinFile, []byte("9999\n"), 0o600)
	for i := 0; i < 2; i++ {
		if rv := sign(); rv != CKR_PIN_INCORRECT {
			t.Fatalf("wrong PIN %d: %#x", i, rv)
		}
	}
	if got, want := readRuns(), "auth 3\nauth 3\nauth 3\nauth 2\n"; got != want {
		t.Fatalf("helper runs %q, want %q", got, want)
	}
	if n := b.vc.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Fatalf("tries %d", n)
	}
	if rv := sign(); rv != CKR_FUNCTION_REJECTED {
		t.Fatalf("last try: %#x", rv)
	}
	if got := readRuns(); got != "auth 3\nauth 3\nauth 3\nauth 2\n" {
		t.Fatalf("the helper ran on the last try: %q", got)
	}
	if n := b.vc.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Fatalf("tries %d after the refusal", n)
	}
}
