package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store/sqlite"
)

// noStoreError is a store that a command needs and that does not exist
// (a mistyped --db); nothing was created.
type noStoreError struct {
	where string // the SQLite path, or the PostgreSQL DSN without password
	err   error
}

func (e *noStoreError) Error() string { return "no store at " + e.where + ": " + e.err.Error() }
func (e *noStoreError) Unwrap() error { return e.err }

// redactedDSN is a DSN fit for a message: a URL without its password.
func redactedDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn[:strings.Index(dsn, "://")+3] + "…"
	}
	return u.Redacted()
}

// describeStoreError gives the localised message and hint of the store
// errors the records and store commands return, if err is one.
func (g *globals) describeStoreError(err error) (msg, hint string, ok bool) {
	var ns *noStoreError
	if errors.As(err, &ns) {
		return g.tr(msgNoStore, ns.where), g.tr(msgHintNoStore), true
	}
	var ce *operator.CheckpointError
	if errors.As(err, &ce) {
		return g.tr(msgCheckpointNotWritten, ce.Seq, ce.Path, lowerFirst(ce.Err.Error())), g.tr(msgHintCheckpointWrite), true
	}
	return "", "", false
}

// checkpointSuffix is added to a SQLite file's path to name its default
// checkpoint, next to it.
const checkpointSuffix = ".checkpoint"

// checkpointPath is --checkpoint, else next to the SQLite file, else (for
// PostgreSQL) a file in the per-user data directory named after the
// server, port and database: each machine sealing records into a shared
// database keeps its own checkpoint of it.
func (g *globals) checkpointPath() (string, error) {
	if g.Checkpoint != "" {
		return g.Checkpoint, nil
	}
	dsn, err := g.storeDSN()
	if err != nil {
		return "", err
	}
	if !strings.Contains(dsn, "://") {
		return strings.TrimPrefix(dsn, "sqlite:") + checkpointSuffix, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", usageErrorf("--db: cannot read the DSN: name the checkpoint with --checkpoint")
	}
	db, err := sqlite.DefaultPath()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(u.Hostname() + ":" + u.Port() + u.Path))
	return filepath.Join(filepath.Dir(db), "postgres-"+hex.EncodeToString(sum[:8])+checkpointSuffix), nil
}

// chainFailure is the localised message and hint of a failed records
// verification; verified is how many records verified before it.
func (g *globals) chainFailure(ce *operator.ChainError, cpPath string, verified int) (msg, hint string) {
	hint = g.tr(msgHintChainFailed)
	switch ce.Code() {
	case "unsealed":
		if verified == 0 {
			// Records from before an operator key was set, most likely:
			// not called an alteration, but not accepted either.
			return g.tr(msgChainUnsealed, ce.Seq), g.tr(msgHintUnsealedFirst)
		}
	case "truncated":
		return g.tr(msgChainTruncated, ce.Last, ce.Want), hint
	case "no_checkpoint":
		return g.tr(msgChainNoCheckpoint, ce.Last, cpPath), g.tr(msgHintNoCheckpoint)
	case "bad_checkpoint":
		return g.tr(msgBadCheckpoint, cpPath), hint
	case "nothing_verified":
		return g.tr(msgChainNothing), g.tr(msgHintChainNothing)
	}
	if k, ok := chainReasonKeys[ce.Code()]; ok {
		return g.tr(k, ce.Seq), hint
	}
	return lowerFirst(ce.Error()), hint
}

// chainReasonKeys are the messages of the failures about one record.
var chainReasonKeys = map[string]msgKey{
	"unsealed":           msgChainUnsealed,
	"sequence_gap":       msgChainGap,
	"sequence_order":     msgChainOrder,
	"prev_hash_mismatch": msgChainPrevHash,
	"hash_mismatch":      msgChainHash,
	"bad_signer_cert":    msgChainSignerCert,
	"untrusted_signer":   msgChainUntrusted,
	"bad_signature":      msgChainSignature,
	"head_mismatch":      msgChainHead,
}
