package operator

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/mynacard/mynacard/store"
)

// CheckpointFormat names the checkpoint file's format.
const CheckpointFormat = "mynacard-checkpoint-v1"

// checkpointMode protects the checkpoint like the database.
const checkpointMode fs.FileMode = 0o600

// Reasons a checkpoint fails. A *ChainError from VerifyChain wraps
// ErrNoCheckpoint or ErrBadCheckpoint; AdvanceCheckpoint's errors wrap
// ErrCheckpointDiverged.
var (
	// ErrNoCheckpoint means a checkpoint was required but there is none,
	// while the records include sealed ones: it was deleted, or never
	// written (records from before checkpoints were kept, a copy of the
	// store, another checkpoint path).
	ErrNoCheckpoint = errors.New("no checkpoint for sealed records")
	// ErrBadCheckpoint means the checkpoint does not parse, its signature
	// does not verify with its certificate, its signer is not trusted or is
	// not the signer of the record it names.
	ErrBadCheckpoint = errors.New("bad checkpoint")
	// ErrCheckpointDiverged means the store no longer holds the record the
	// checkpoint names with its hash: records were removed or rewritten
	// since the checkpoint was written. The checkpoint is left as it was.
	ErrCheckpointDiverged = errors.New("store diverged from its checkpoint (records removed or rewritten)")
)

// Checkpoint is the signed head of a sealed chain, kept outside the
// database like a transparency log's signed tree head: a store cut back
// below it, or rewritten, no longer matches it.
//
// Its signature is the operator's signature over RecordHash that sealed
// record Seq (no second signature, so a PIV token is not asked for its PIN
// twice), and SignerCert is that record's certificate.
type Checkpoint struct {
	Head
	Signature  []byte
	SignerCert []byte
	// WrittenAt is when the checkpoint was written (informative).
	WrittenAt time.Time
}

// CheckpointOf returns the checkpoint of a sealed record.
func CheckpointOf(r store.Record) (Checkpoint, error) {
	if !isSealed(&r) || len(r.RecordHash) == 0 || len(r.Signature) == 0 || len(r.SignerCert) == 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint of record %d: %w", r.Seq, ErrUnsealed)
	}
	return Checkpoint{Head: Head{Seq: r.Seq, RecordHash: bytes.Clone(r.RecordHash)},
		Signature: bytes.Clone(r.Signature), SignerCert: bytes.Clone(r.SignerCert)}, nil
}

// checkpointJSON is the file: one JSON object.
type checkpointJSON struct {
	Format     string    `json:"format"`
	Head       Head      `json:"head"`
	Signature  []byte    `json:"signature"`
	SignerCert []byte    `json:"signer_cert"`
	WrittenAt  time.Time `json:"written_at"`
}

// ReadCheckpoint reads a checkpoint file. A missing file gives an error
// matching fs.ErrNotExist; one that does not parse, ErrBadCheckpoint.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	var j checkpointJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil || j.Format != CheckpointFormat || j.Head.Seq < 1 ||
		len(j.Head.RecordHash) != hashSize || len(j.Signature) == 0 || len(j.SignerCert) == 0 {
		if err == nil {
			err = errors.New("missing or wrong fields")
		}
		return nil, fmt.Errorf("reading checkpoint %s: %w: %w", path, ErrBadCheckpoint, err)
	}
	return &Checkpoint{Head: j.Head, Signature: j.Signature, SignerCert: j.SignerCert, WrittenAt: j.WrittenAt}, nil
}

// WriteCheckpoint replaces the checkpoint file atomically and durably: the
// new contents go to a temporary file in the same directory, which is
// synced, renamed over path and its directory synced. A failure (a full
// disk) leaves the previous checkpoint as it was and is returned.
func WriteCheckpoint(path string, cp Checkpoint) error {
	if cp.WrittenAt.IsZero() {
		cp.WrittenAt = time.Now().UTC().Truncate(time.Second)
	}
	b, err := json.Marshal(checkpointJSON{Format: CheckpointFormat, Head: cp.Head, Signature: cp.Signature,
		SignerCert: cp.SignerCert, WrittenAt: cp.WrittenAt})
	if err != nil {
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(checkpointMode); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("writing checkpoint %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing checkpoint %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing checkpoint %s: %w", path, err)
	}
	done = true
	return syncDir(dir)
}

// syncDir makes a rename in dir durable (a no-op where directories cannot
// be synced).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("writing checkpoint: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("writing checkpoint: syncing %s: %w", dir, err)
	}
	return nil
}

// verify checks the checkpoint's own signature and signer under opts'
// trust rules.
func (cp *Checkpoint) verify(opts VerifyOptions) error {
	cert, err := x509.ParseCertificate(cp.SignerCert)
	if err != nil {
		return fmt.Errorf("%w: certificate: %w", ErrBadCheckpoint, err)
	}
	if err := checkPublicKey(cert.PublicKey); err != nil {
		return fmt.Errorf("%w: certificate: %w", ErrBadCheckpoint, err)
	}
	v := verifier{opts: opts}
	if !v.trusted(cert) {
		return fmt.Errorf("%w: signer %q not trusted", ErrBadCheckpoint, cert.Subject.String())
	}
	if !verifyHash(cert.PublicKey, cp.RecordHash, cp.Signature) {
		return fmt.Errorf("%w: signature does not verify", ErrBadCheckpoint)
	}
	return nil
}

// AdvanceCheckpoint moves the checkpoint at path to record r, just
// appended to rs and sealed, under a lock file (path + ".lock") that
// serialises the processes sharing the checkpoint. It never moves the
// checkpoint back: when the current checkpoint is at r's number or beyond
// (another process appended after r), it only checks that rs still holds
// that record. When rs no longer holds the current checkpoint's record
// with its hash, the checkpoint is left alone and the error wraps
// ErrCheckpointDiverged. A missing checkpoint is started at r.
func AdvanceCheckpoint(ctx context.Context, path string, rs store.RecordStore, r store.Record) error {
	next, err := CheckpointOf(r)
	if err != nil {
		return err
	}
	unlock, err := lockedfile.MutexAt(path + ".lock").Lock()
	if err != nil {
		return fmt.Errorf("writing checkpoint: locking: %w", err)
	}
	defer unlock()
	cur, err := ReadCheckpoint(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		held, err := rs.Record(ctx, cur.Seq)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !bytes.Equal(held.RecordHash, cur.RecordHash)) {
			return fmt.Errorf("writing checkpoint after record %d: %w: the checkpoint names record %d", r.Seq, ErrCheckpointDiverged, cur.Seq)
		}
		if err != nil {
			return fmt.Errorf("writing checkpoint: %w", err)
		}
		if cur.Seq >= next.Seq {
			return nil
		}
	}
	return WriteCheckpoint(path, next)
}

// CheckpointError is a sealed record that was stored but whose checkpoint
// could not be written: the record is kept (Seq), the checkpoint is the
// previous one.
type CheckpointError struct {
	Seq  int64
	Path string
	Err  error
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("record %d kept, but its checkpoint was not written: %v", e.Seq, e.Err)
}

func (e *CheckpointError) Unwrap() error { return e.Err }

// WithCheckpoint returns st whose AppendRecord also advances the
// checkpoint at path after each sealed record is committed (see
// AdvanceCheckpoint). When the checkpoint cannot be written, AppendRecord
// returns the stored record and a *CheckpointError: the record is not
// lost, and the checkpoint stays behind the store (which VerifyChain
// accepts, see VerifyOptions.Checkpoint) until the next append.
func WithCheckpoint(st store.Store, path string) store.Store {
	return &checkpointStore{Store: st, path: path}
}

type checkpointStore struct {
	store.Store
	path string
}

func (s *checkpointStore) AppendRecord(ctx context.Context, r store.Record, seal store.SealFunc) (store.Record, error) {
	rec, err := s.Store.AppendRecord(ctx, r, seal)
	if err != nil || !isSealed(&rec) {
		return rec, err
	}
	if err := AdvanceCheckpoint(ctx, s.path, s.Store, rec); err != nil {
		return rec, &CheckpointError{Seq: rec.Seq, Path: s.path, Err: err}
	}
	return rec, nil
}
