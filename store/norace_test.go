//go:build !race

package store_test

// raceEnabled says the race detector is on.
const raceEnabled = false
