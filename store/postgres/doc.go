// Package postgres is the shared implementation of [store.Store]: a
// PostgreSQL database (through a github.com/jackc/pgx/v5 pool) that
// several counters use at once. It passes the same conformance tests as
// the embedded SQLite store.
package postgres
