//go:build !amd64 && !arm64

package revocation

// prefetch does nothing where the package has no prefetch instruction:
// lookups are then answered one miss after another, as without it.
func prefetch(*uint64) {}
