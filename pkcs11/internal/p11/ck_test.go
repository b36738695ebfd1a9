package p11

import (
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

// TestConstants holds every constant of ck.go to the OASIS headers'
// values as github.com/miekg/pkcs11 carries them.
func TestConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint
	}{
		{"CKR_PIN_LOCKED", uint(CKR_PIN_LOCKED), pkcs11.CKR_PIN_LOCKED},
		{"CKR_PIN_INCORRECT", uint(CKR_PIN_INCORRECT), pkcs11.CKR_PIN_INCORRECT},
		{"CKR_FUNCTION_REJECTED", uint(CKR_FUNCTION_REJECTED), pkcs11.CKR_FUNCTION_REJECTED},
		{"CKR_USER_NOT_LOGGED_IN", uint(CKR_USER_NOT_LOGGED_IN), pkcs11.CKR_USER_NOT_LOGGED_IN},
		{"CKR_SESSION_PARALLEL_NOT_SUPPORTED", uint(CKR_SESSION_PARALLEL_NOT_SUPPORTED), pkcs11.CKR_SESSION_PARALLEL_NOT_SUPPORTED},
		{"CKR_DEVICE_REMOVED", uint(CKR_DEVICE_REMOVED), pkcs11.CKR_DEVICE_REMOVED},
		{"CKR_NO_EVENT", uint(CKR_NO_EVENT), pkcs11.CKR_NO_EVENT},
		{"CKR_BUFFER_TOO_SMALL", uint(CKR_BUFFER_TOO_SMALL), pkcs11.CKR_BUFFER_TOO_SMALL},
		{"CKR_CRYPTOKI_ALREADY_INITIALIZED", uint(CKR_CRYPTOKI_ALREADY_INITIALIZED), pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED},
		{"CKR_ATTRIBUTE_SENSITIVE", uint(CKR_ATTRIBUTE_SENSITIVE), pkcs11.CKR_ATTRIBUTE_SENSITIVE},
		{"CKR_KEY_FUNCTION_NOT_PERMITTED", uint(CKR_KEY_FUNCTION_NOT_PERMITTED), pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED},
		{"CKR_TOKEN_NOT_PRESENT", uint(CKR_TOKEN_NOT_PRESENT), pkcs11.CKR_TOKEN_NOT_PRESENT},
		{"CKF_USER_PIN_COUNT_LOW", CKF_USER_PIN_COUNT_LOW, pkcs11.CKF_USER_PIN_COUNT_LOW},
		{"CKF_USER_PIN_FINAL_TRY", CKF_USER_PIN_FINAL_TRY, pkcs11.CKF_USER_PIN_FINAL_TRY},
		{"CKF_USER_PIN_LOCKED", CKF_USER_PIN_LOCKED, pkcs11.CKF_USER_PIN_LOCKED},
		{"CKF_PROTECTED_AUTH_PATH", CKF_PROTECTED_AUTH_PATH, pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH},
		{"CKF_OS_LOCKING_OK", CKF_OS_LOCKING_OK, pkcs11.CKF_OS_LOCKING_OK},
		{"CKA_ALLOWED_MECHANISMS", CKA_ALLOWED_MECHANISMS, pkcs11.CKA_ALLOWED_MECHANISMS},
		{"CKA_ALWAYS_AUTHENTICATE", CKA_ALWAYS_AUTHENTICATE, pkcs11.CKA_ALWAYS_AUTHENTICATE},
		{"CKA_PUBLIC_KEY_INFO", CKA_PUBLIC_KEY_INFO, pkcs11.CKA_PUBLIC_KEY_INFO},
		{"CKA_HASH_OF_SUBJECT_PUBLIC_KEY", CKA_HASH_OF_SUBJECT_PUBLIC_KEY, pkcs11.CKA_HASH_OF_SUBJECT_PUBLIC_KEY},
		{"CKA_CERTIFICATE_CATEGORY", CKA_CERTIFICATE_CATEGORY, pkcs11.CKA_CERTIFICATE_CATEGORY},
		{"CKA_WRAP_WITH_TRUSTED", CKA_WRAP_WITH_TRUSTED, pkcs11.CKA_WRAP_WITH_TRUSTED},
		{"CKA_DESTROYABLE", CKA_DESTROYABLE, pkcs11.CKA_DESTROYABLE},
		{"CKM_SHA224_RSA_PKCS", CKM_SHA224_RSA_PKCS, pkcs11.CKM_SHA224_RSA_PKCS},
		{"CKM_SHA512_RSA_PKCS", CKM_SHA512_RSA_PKCS, pkcs11.CKM_SHA512_RSA_PKCS},
		{"CKM_SHA1_RSA_PKCS", CKM_SHA1_RSA_PKCS, pkcs11.CKM_SHA1_RSA_PKCS},
		{"CKS_RW_USER_FUNCTIONS", CKS_RW_USER_FUNCTIONS, pkcs11.CKS_RW_USER_FUNCTIONS},
		{"CKU_CONTEXT_SPECIFIC", CKU_CONTEXT_SPECIFIC, pkcs11.CKU_CONTEXT_SPECIFIC},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, OASIS %#x", c.name, c.got, c.want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader("# c\n\nreader = ACS\nreader=Virtual PCD 00 01\nallow-last-try = yes\nkeys = sign\nsign-cert-cache = no\ncache-dir = /var/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Readers) != 2 || !cfg.AllowLastTry || cfg.Auth || !cfg.Sign || cfg.SignCertCache || cfg.CacheDir != "/var/x" {
		t.Fatalf("%+v", cfg)
	}
	if !cfg.allowed("Virtual PCD 00 01") || cfg.allowed("Virtual PCD 00 00") {
		t.Fatal("allowlist")
	}
	def, err := ParseConfig(strings.NewReader(""))
	if err != nil || def.AllowLastTry || !def.Auth || !def.Sign || !def.SignCertCache || !def.allowed("anything") {
		t.Fatalf("defaults: %+v %v", def, err)
	}
	for _, bad := range []string{
		"allow-last-try = perhaps", // a typo must not change the PIN policy
		"allow-lasttry = yes",
		"keys = auth decrypt",
		"keys =",
		"keys = auth\nkeys = sign",
		"reader =",
		"cache-dir = relative",
		"no equals sign",
	} {
		if _, err := ParseConfig(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPINFlags(t *testing.T) {
	for _, c := range []struct {
		kind, n int
		want    uint
	}{
		{kindAuth, 3, 0},
		{kindAuth, 2, CKF_USER_PIN_COUNT_LOW},
		{kindAuth, 1, CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY},
		{kindAuth, 0, CKF_USER_PIN_LOCKED},
		{kindSign, 5, 0},
		{kindSign, 4, CKF_USER_PIN_COUNT_LOW},
		{kindSign, -1, 0}, // card.RemainingUnknown: the card did not say
	} {
		if got := pinFlags(c.kind, c.n); got != c.want {
			t.Errorf("pinFlags(%d, %d) = %#x, want %#x", c.kind, c.n, got, c.want)
		}
	}
}
