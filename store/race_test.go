//go:build race

package store_test

// raceEnabled says the race detector is on: the pure-Go SQLite then runs
// tens of times slower, so the big-file tests use fewer rows.
const raceEnabled = true
