package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the store's driver, to tamper with its file

	"github.com/mynacard/mynacard/operator"
)

// tamperDB runs SQL on a store's file directly, as someone with access to
// the file could, after dropping the append-only triggers.
func tamperDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{"DROP TRIGGER IF EXISTS records_no_update", "DROP TRIGGER IF EXISTS records_no_delete"}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("tampering: %s: %v", s, err)
		}
	}
}

// sealedStore makes a store with n records sealed by a fresh operator key
// through the CLI (identify on the virtual card) and returns the store,
// the operator certificate and the head the last verify printed.
func sealedStore(t *testing.T, n int) (db, cert, head string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "r.db")
	k, err := operator.GenerateSoftwareKey(filepath.Join(dir, "op"), "counter 1")
	if err != nil {
		t.Fatal(err)
	}
	_ = k
	key, cert := filepath.Join(dir, "op", "operator-key.pem"), filepath.Join(dir, "op", "operator-cert.pem")
	for i := range n {
		args := []string{"--lang", "en", "--reader", "virtual", "--pin-stdin", "--db", db, "--operator-key", key, "--operator-cert", cert, "identify", "--revocation", "off"}
		if i == 0 {
			args = append(args, "--enroll")
		}
		if _, e, code := cliRun(t, "ABC123\n", args...); code != 0 {
			t.Fatalf("identify %d: exit %d: %s", i+1, code, e)
		}
	}
	out, _, _ := cliRun(t, "", "--lang", "en", "--db", db, "records", "verify", "--trust", cert)
	head = regexp.MustCompile(`[0-9]+:[0-9a-f]{64}`).FindString(out)
	return db, cert, head
}

// checkCheckpointed checks that the sealed records of db wrote a
// checkpoint next to it, which verify reports.
func checkCheckpointed(t *testing.T, db, cert string, n int) {
	t.Helper()
	if _, err := os.Stat(db + ".checkpoint"); err != nil {
		t.Fatalf("no checkpoint next to the store after sealed records: %v", err)
	}
	out, e, code := cliRun(t, "", "--lang", "en", "--db", db, "records", "verify", "--trust", cert)
	if code != 0 || !regexp.MustCompile(`Checkpoint +`+fmt.Sprint(n)+`:[0-9a-f]{64}, 0 records after it`).MatchString(out) {
		t.Fatalf("verify of an intact store: exit %d\n%s\n%s", code, out, e)
	}
}

// TestAttackRecordsVerify runs records verify as someone hiding edits
// would want it run: checking nothing, on unsealed and edited records,
// and on a store cut back below its checkpoint.
func TestAttackRecordsVerify(t *testing.T) {
	db, cert, head := sealedStore(t, 3)

	for _, lang := range []string{"en", "ja"} {
		out, e, code := cliRun(t, "", "--lang", lang, "--json", "--db", db, "records", "verify")
		want := map[string]string{"en": "needs --trust", "ja": "--trust CERT.pem（信頼する操作者証明書）"}[lang]
		attackLog(t, "records verify with neither --trust nor --any-cert ("+lang+")", "usage error (exit 2), never \"ok\"",
			code == exitUsage && !strings.Contains(out, `"ok": true`) && strings.Contains(e, want),
			fmt.Sprintf("exit %d: %s", code, firstLine(e)))
	}

	checkCheckpointed(t, db, cert, 3)

	// A store whose records were written without an operator key.
	plain := filepath.Join(t.TempDir(), "plain.db")
	if _, e, code := cliRun(t, "ABC123\n", "--reader", "virtual", "--pin-stdin", "--db", plain, "identify", "--enroll", "--revocation", "off"); code != 0 {
		t.Fatalf("identify: %d %s", code, e)
	}
	for label, extra := range map[string][]string{
		"--trust CERT":                         {"--trust", cert},
		"--trust CERT --allow-unsealed-prefix": {"--trust", cert, "--allow-unsealed-prefix"},
		"--any-cert --allow-unsealed-prefix":   {"--any-cert", "--allow-unsealed-prefix"},
	} {
		out, e, code := cliRun(t, "", append([]string{"--lang", "en", "--json", "--db", plain, "records", "verify"}, extra...)...)
		attackLog(t, "records verify "+label+" on a store with no sealed record", "not ok (exit 3): nothing verified or unsealed",
			code == exitVerificationFailed && strings.Contains(out, `"ok": false`),
			fmt.Sprintf("exit %d: %s", code, firstLine(e)))
	}

	// Without --allow-unsealed-prefix, the first record unsealed: refused,
	// with the flag named, and not called an alteration.
	for _, lang := range []string{"en", "ja"} {
		_, e, code := cliRun(t, "", "--lang", lang, "--db", plain, "records", "verify", "--trust", cert)
		want := map[string]string{"en": "before an operator key was set", "ja": "操作者の鍵（--operator-key か --operator-piv）を設定する前"}[lang]
		altered := map[string]string{"en": "were altered", "ja": "改ざんされています"}[lang]
		attackLog(t, "records verify --trust CERT on a store with no sealed record ("+lang+")", "exit 3, naming --allow-unsealed-prefix, not calling it altered",
			code == exitVerificationFailed && strings.Contains(e, want) && strings.Contains(e, "--allow-unsealed-prefix") && !strings.Contains(e, altered),
			fmt.Sprintf("exit %d: %s", code, e))
	}

	// Every record unsealed and edited; the operator's noted head given.
	edited := filepath.Join(t.TempDir(), "edited.db")
	copyFile(t, db, edited)
	copyFile(t, db+".checkpoint", edited+".checkpoint")
	tamperDB(t, edited, "UPDATE records SET prev_hash = NULL, record_hash = NULL, signature = NULL, signer_cert = NULL, name = '偽　名'")
	_, e, code := cliRun(t, "", "--lang", "en", "--db", edited, "records", "verify", "--no-checkpoint", "--trust", cert, "--allow-unsealed-prefix", "--expect-head", head)
	attackLog(t, "unseal and edit every record, verify with --allow-unsealed-prefix --expect-head (no checkpoint)", "exit 3: the expected head's record is not sealed",
		code == exitVerificationFailed && strings.Contains(e, "record 3 is not the sealed record"), fmt.Sprintf("exit %d: %s", code, firstLine(e)))

	// Cut back below the checkpoint.
	cut := filepath.Join(t.TempDir(), "cut.db")
	copyFile(t, db, cut)
	copyFile(t, db+".checkpoint", cut+".checkpoint")
	tamperDB(t, cut, "DELETE FROM records WHERE seq = 3", "UPDATE record_head SET last_seq = 2, last_hash = (SELECT record_hash FROM records WHERE seq = 2)")
	for _, lang := range []string{"en", "ja"} {
		_, e, code := cliRun(t, "", "--lang", lang, "--db", cut, "records", "verify", "--trust", cert)
		want := map[string]string{"en": "the records end at record 2, before record 3", "ja": "記録は 2 番で終わっていて"}[lang]
		attackLog(t, "delete the last sealed record and reset the head row, verify by default ("+lang+")", "exit 3 naming record 2 as the last record there is",
			code == exitVerificationFailed && strings.Contains(e, want), fmt.Sprintf("exit %d: %s", code, firstLine(e)))
	}
	// The checkpoint deleted as well.
	os.Remove(cut + ".checkpoint")
	_, e, code = cliRun(t, "", "--lang", "en", "--db", cut, "records", "verify", "--trust", cert)
	attackLog(t, "delete the last sealed record and the checkpoint", "exit 3: sealed records but no checkpoint",
		code == exitVerificationFailed && strings.Contains(e, "no checkpoint at "+cut+".checkpoint"), fmt.Sprintf("exit %d: %s", code, firstLine(e)))

	// What an operator does after checking the head elsewhere: start a
	// checkpoint again; verify is then ok.
	if out, e, code := cliRun(t, "", "--lang", "en", "--db", cut, "records", "verify", "--trust", cert, "--init-checkpoint"); code != 0 || !strings.Contains(e, "checkpoint written at record 2") {
		t.Fatalf("--init-checkpoint: exit %d\n%s\n%s", code, out, e)
	}
	if _, e, code := cliRun(t, "", "--lang", "en", "--db", cut, "records", "verify", "--trust", cert); code != 0 {
		t.Fatalf("verify after --init-checkpoint: exit %d: %s", code, e)
	}
	if _, e, code := cliRun(t, "", "--lang", "en", "--db", cut, "records", "verify", "--trust", cert, "--init-checkpoint"); code != exitUsage {
		t.Fatalf("--init-checkpoint over an existing checkpoint: exit %d: %s", code, e)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
