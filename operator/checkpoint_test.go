package operator_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/operator/internal/chaintest"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// checkpointedStore opens a SQLite store whose sealed appends advance a
// checkpoint next to it, and appends n records sealed with key.
func checkpointedStore(t *testing.T, key operator.Key, n int) (st store.Store, db, cp string) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(t.TempDir(), "records.db")
	cp = db + ".checkpoint"
	raw, err := storeopen.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	st = operator.WithCheckpoint(raw, cp)
	appendN(t, st, key, 0, n)
	return st, db, cp
}

func appendN(t *testing.T, st store.Store, key operator.Key, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		if _, err := st.AppendRecord(ctx, chaintest.SampleRecord(i), operator.SealerContext(ctx, key)); err != nil {
			t.Fatalf("appending record %d: %v", i+1, err)
		}
	}
}

func verifyWith(t *testing.T, db, cpPath string, opts operator.VerifyOptions) (*operator.ChainReport, error) {
	t.Helper()
	ctx := context.Background()
	st, err := storeopen.OpenExisting(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cp, err := operator.ReadCheckpoint(cpPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		opts.RequireCheckpoint = true
	case err != nil:
		t.Fatal(err)
	default:
		opts.Checkpoint = cp
	}
	return operator.VerifyStore(ctx, st, opts)
}

// TestAttackTruncateBelowCheckpoint cuts a sealed store back in the ways
// someone with access to the database file could, and verifies it against
// the checkpoint written outside it.
func TestAttackTruncateBelowCheckpoint(t *testing.T) {
	ctx := context.Background()
	key, other := mustKey(t, "Clerk"), mustKey(t, "Mallory")
	trust := operator.VerifyOptions{TrustedCerts: []*x509.Certificate{key.Certificate()}}

	t.Run("intact", func(t *testing.T) {
		_, db, cp := checkpointedStore(t, key, 5)
		rep, err := verifyWith(t, db, cp, trust)
		if err != nil || !rep.OK() || rep.Checkpoint == nil || rep.Checkpoint.Seq != 5 || rep.AfterCheckpoint != 0 {
			t.Fatalf("intact store: %+v, %v", rep, err)
		}
	})
	t.Run("last records deleted", func(t *testing.T) {
		st, db, cp := checkpointedStore(t, key, 5)
		st.Close()
		chaintest.Tamper(t, db, "DELETE FROM records WHERE seq > 3", "UPDATE record_head SET last_seq = 3, last_hash = (SELECT record_hash FROM records WHERE seq = 3)")
		rep, err := verifyWith(t, db, cp, trust)
		var ce *operator.ChainError
		attackLog(t, "delete the last 2 of 5 sealed records (and reset the head row)", "truncated, naming record 3 as the last there is",
			errors.As(err, &ce) && errors.Is(err, operator.ErrTruncated) && ce.Last == 3 && ce.Want == 5 && !rep.OK() &&
				strings.Contains(err.Error(), "the last record is 3"),
			fmt.Sprintf("ok=%v: %v", rep.OK(), err))
	})
	t.Run("deleted then appended again", func(t *testing.T) {
		st, db, cp := checkpointedStore(t, key, 5)
		st.Close()
		chaintest.Tamper(t, db, "DELETE FROM records WHERE seq > 3", "UPDATE record_head SET last_seq = 3, last_hash = (SELECT record_hash FROM records WHERE seq = 3)")
		raw, err := storeopen.OpenExisting(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		st2 := operator.WithCheckpoint(raw, cp)
		// The clerk goes on working: records 4 and 5 again, then 6.
		var cerr *operator.CheckpointError
		for i := 10; i < 13; i++ {
			rec, err := st2.AppendRecord(ctx, chaintest.SampleRecord(i), operator.SealerContext(ctx, key))
			if !errors.As(err, &cerr) || !errors.Is(err, operator.ErrCheckpointDiverged) || rec.Seq == 0 {
				t.Fatalf("append %d over a cut store = %+v, %v; want the record kept and ErrCheckpointDiverged", i, rec.Seq, err)
			}
		}
		rep, err := verifyWith(t, db, cp, trust)
		attackLog(t, "delete the last 2 of 5 sealed records, then the clerk seals 3 more", "the appends report the divergence; verify: head_mismatch at record 5",
			errors.Is(err, operator.ErrHeadMismatch) && rep.Failure != nil && rep.Failure.Seq == 5,
			fmt.Sprintf("appends: %v; verify ok=%v: %v", cerr, rep.OK(), err))
	})
	t.Run("checkpoint deleted", func(t *testing.T) {
		_, db, cp := checkpointedStore(t, key, 5)
		if err := os.Remove(cp); err != nil {
			t.Fatal(err)
		}
		rep, err := verifyWith(t, db, cp, trust)
		attackLog(t, "delete the checkpoint of a sealed store", "no_checkpoint (never ok while records are sealed)",
			errors.Is(err, operator.ErrNoCheckpoint) && !rep.OK(), fmt.Sprintf("ok=%v: %v", rep.OK(), err))
	})
	t.Run("checkpoint edited", func(t *testing.T) {
		_, db, cp := checkpointedStore(t, key, 5)
		c, err := operator.ReadCheckpoint(cp)
		if err != nil {
			t.Fatal(err)
		}
		c.Seq = 3 // a lower head with the hash of record 5: the signature no longer covers it
		if err := operator.WriteCheckpoint(cp, *c); err != nil {
			t.Fatal(err)
		}
		rep, err := verifyWith(t, db, cp, trust)
		attackLog(t, "lower the checkpoint's record number", "head_mismatch or bad_checkpoint",
			(errors.Is(err, operator.ErrHeadMismatch) || errors.Is(err, operator.ErrBadCheckpoint)) && !rep.OK(),
			fmt.Sprintf("ok=%v: %v", rep.OK(), err))
	})
	t.Run("checkpoint signed by another key", func(t *testing.T) {
		_, db, cp := checkpointedStore(t, key, 5)
		_, db2, cp2 := checkpointedStore(t, other, 6)
		_ = db2
		b, err := os.ReadFile(cp2)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := verifyWith(t, db, cp, trust)
		attackLog(t, "replace the checkpoint by one another operator key signed", "bad_checkpoint (signer not trusted)",
			errors.Is(err, operator.ErrBadCheckpoint) && !rep.OK(), fmt.Sprintf("ok=%v: %v", rep.OK(), err))
		rep, err = verifyWith(t, db, cp, operator.VerifyOptions{AnyCert: true})
		attackLog(t, "replace the checkpoint by one another operator key signed, verified with --any-cert", "head_mismatch or truncated (not the store's record)",
			(errors.Is(err, operator.ErrHeadMismatch) || errors.Is(err, operator.ErrTruncated)) && !rep.OK(), fmt.Sprintf("ok=%v: %v", rep.OK(), err))
	})
	t.Run("crash between commit and checkpoint", func(t *testing.T) {
		st, db, cp := checkpointedStore(t, key, 3)
		saved, err := os.ReadFile(cp)
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, st, key, 3, 2)
		// The checkpoint as it was before records 4 and 5: as if the
		// process died after each commit.
		if err := os.WriteFile(cp, saved, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := verifyWith(t, db, cp, trust)
		if err != nil || !rep.OK() || rep.AfterCheckpoint != 2 {
			t.Fatalf("store ahead of its checkpoint: %+v, %v; want ok with 2 records after it", rep, err)
		}
		// The next sealed record moves the checkpoint on.
		appendN(t, st, key, 5, 1)
		c, err := operator.ReadCheckpoint(cp)
		if err != nil || c.Seq != 6 {
			t.Fatalf("checkpoint after the next append: %+v, %v", c, err)
		}
	})
	t.Run("first run", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "new.db")
		st, err := storeopen.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		_, err = verifyWith(t, db, db+".checkpoint", trust)
		if !errors.Is(err, operator.ErrNothingVerified) {
			t.Fatalf("empty store without checkpoint = %v, want ErrNothingVerified (not no_checkpoint)", err)
		}
	})
}

// TestCheckpointFullDisk fills a small tmpfs: writing the checkpoint fails
// with an error, the previous checkpoint stays whole, no temporary file is
// left, and the record itself is kept.
func TestCheckpointFullDisk(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs a Linux tmpfs")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	ctx := context.Background()
	key := mustKey(t, "Clerk")
	raw, err := storeopen.Open(ctx, filepath.Join(dir, "records.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	cp := filepath.Join(mnt, "records.checkpoint")
	st := operator.WithCheckpoint(raw, cp)
	appendN(t, st, key, 0, 1)
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the file system.
	f, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	rec, err := st.AppendRecord(ctx, chaintest.SampleRecord(1), operator.SealerContext(ctx, key))
	var ce *operator.CheckpointError
	if !errors.As(err, &ce) || ce.Seq != 2 || rec.Seq != 2 {
		t.Fatalf("append on a full disk = record %d, %v; want record 2 kept and a *CheckpointError", rec.Seq, err)
	}
	t.Logf("full disk: %v", err)
	after, err := os.ReadFile(cp)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the previous checkpoint changed: %v\n%s\n%s", err, before, after)
	}
	ents, _ := os.ReadDir(mnt)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if _, err := raw.Record(ctx, 2); err != nil {
		t.Fatalf("record 2 lost: %v", err)
	}
	// Space again: the next append writes the checkpoint at its record.
	os.Remove(filepath.Join(mnt, "filler"))
	appendN(t, st, key, 2, 1)
	if c, err := operator.ReadCheckpoint(cp); err != nil || c.Seq != 3 {
		t.Fatalf("checkpoint after space came back: %+v, %v", c, err)
	}
}
