// Package reliability holds the project's reliability campaign as
// tests: the fault matrix that runs every card operation through pcscd and
// vpcd with the virtual card (card/virtual) failing at every APDU index in
// every way it can, the concurrency tests (two processes and many goroutines
// on one reader, a reader unplugged while a program waits on it), and fuzz
// targets for parsers of outside bytes that have none in their own package.
//
// It owns no production code: everything here is in _test.go files, and the
// package exists so that these cross-layer tests have one home that imports
// card, jpki, confirm and store together without any of them importing each
// other the wrong way. Tests that use pcscd go through internal/pcsctest.
//
// Run it alone (it takes both vpcd slots at times):
//
//	go test -race ./internal/reliability/
//	go test -race -short ./internal/reliability/   # sampled matrix
package reliability
