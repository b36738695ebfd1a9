// Package sqlite is the embedded implementation of [store.Store]: one
// SQLite file (modernc.org/sqlite, pure Go, no cgo) for one counter. Every
// write that touches more than one row is one transaction, committed with
// synchronous=FULL so it survives power loss; a full disk is reported as
// store.ErrStorageFull and leaves nothing partial behind.
package sqlite
