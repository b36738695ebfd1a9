package operator_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/operator/internal/chaintest"
	"github.com/mynacard/mynacard/store/storeopen"
)

// attackLog logs one attack in the form the reliability report collects
// ("ATTACK | attack | expected refusal | result") and fails t when it was
// not refused.
func attackLog(t *testing.T, attack, expected string, refused bool, result string) {
	t.Helper()
	if !refused {
		result = "NOT REFUSED: " + result
		t.Errorf("attack %q: %s", attack, result)
	}
	t.Logf("ATTACK | %s | %s | %s", attack, expected, result)
}

// TestAttackUnsealAndEdit strips the seal from every record of a sealed
// SQLite store and edits them, then verifies with --allow-unsealed-prefix
// and the head the operator noted: the head names a sealed record, which is
// gone.
func TestAttackUnsealAndEdit(t *testing.T) {
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	st, _ := chainStore(t, key, 3)
	trust := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{key.Certificate()}}
	rep, err := operator.VerifyStore(ctx, st, trust)
	if err != nil {
		t.Fatal(err)
	}
	head := rep.Head
	st.Close()

	for _, tc := range []struct {
		name  string
		n     int
		stmts []string
	}{
		{"every record unsealed and edited", 3, []string{
			"UPDATE records SET prev_hash = NULL, record_hash = NULL, signature = NULL, signer_cert = NULL, name = '偽　名'",
		}},
		{"the head record and all before it unsealed and edited, later ones sealed", 5, []string{
			"UPDATE records SET prev_hash = NULL, record_hash = NULL, signature = NULL, signer_cert = NULL, address = '別の住所' WHERE seq <= 3",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, p := chainStore(t, key, tc.n)
			chaintest.Tamper(t, p, tc.stmts...)
			st2, err := storeopen.Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			opts := trust
			opts.AllowUnsealedPrefix = true
			h := head
			opts.ExpectHead = &h
			rep, err := operator.VerifyStore(ctx, st2, opts)
			attackLog(t, tc.name+", verified with --allow-unsealed-prefix --expect-head "+head.String()[:10]+"…",
				"the expected head's record must be present and sealed (head_mismatch)",
				errors.Is(err, operator.ErrHeadMismatch) && !rep.OK(),
				fmt.Sprintf("ok=%v: %v", rep.OK(), err))
			// Without a head, checking only unsealed records is no pass either.
			opts.ExpectHead = nil
			rep, err = operator.VerifyStore(ctx, st2, opts)
			attackLog(t, tc.name+", verified with --allow-unsealed-prefix and no head",
				"not ok: nothing verified (nothing_verified), or the first sealed record does not start a chain",
				err != nil && !rep.OK(),
				fmt.Sprintf("ok=%v: %v", rep.OK(), err))
		})
	}
}
