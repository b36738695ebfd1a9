package confirm_test

import (
	"context"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// TestAttackStaleCRLSoft: the holder's signing certificate is listed in a
// CRL that has gone stale. CRLChecker (what the CLI and an integrator use
// over parsed CRLs) must answer revoked, as revocation.CRLSet does, so
// that a soft policy, which accepts only "unknown", refuses it.
func TestAttackStaleCRLSoft(t *testing.T) {
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	e.setCRLs([]revoked{{h.SignCert.SerialNumber, revocation.ReasonKeyCompromise}}, nil)
	e.crls.Now = func() time.Time { return e.now.Add(30 * 24 * time.Hour) }
	r := e.crls.Check(context.Background(), h.SignCert, h.SignCA)
	verdict := "revoked"
	if r.Status != revocation.StatusRevoked || r.Reason != revocation.ReasonKeyCompromise {
		verdict = "NOT REVOKED: " + r.Status.String()
		t.Errorf("CRLChecker on a stale CRL listing the certificate = %v (%v), want revoked (keyCompromise)", r.Status, r.Err)
	}
	t.Logf("ATTACK | signing certificate listed in a stale CRL, confirm.CRLChecker | revoked (soft policy accepts only unknown) | %s", verdict)
}
