//go:build !race

package store

// raceEnabled says the race detector is on.
const raceEnabled = false
