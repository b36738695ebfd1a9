package confirm_test

import (
	"context"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// TestAttackStaleCRLSoft: the holder's signing certificate is listed in a
// CRL that has gone stale. The CRL set (what the CLI and an integrator
// use through revocation.Config) must answer revoked, so that a soft
// policy, which accepts only "unknown", refuses it.
func TestAttackStaleCRLSoft(t *testing.T) {
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	e.setCRLs([]revoked{{h.SignCert.SerialNumber, revocation.ReasonKeyCompromise}}, nil)
	e.crls.Now = func() time.Time { return e.now.Add(30 * 24 * time.Hour) }
	r := e.crls.Check(context.Background(), h.SignCert)
	verdict := "revoked"
	if r.Status != revocation.StatusRevoked || r.Reason != revocation.ReasonKeyCompromise {
		verdict = "NOT REVOKED: " + r.Status.String()
		t.Errorf("CRL set on a stale CRL listing the certificate = %v (%v), want revoked (keyCompromise)", r.Status, r.Err)
	}
	t.Logf("ATTACK | signing certificate listed in a stale CRL, revocation.CRLSet | revoked (soft policy accepts only unknown) | %s", verdict)
}
