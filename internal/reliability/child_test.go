package reliability

// runChild runs the child half of a multi-process test when the test binary
// was re-executed as one, and reports whether it did.
func runChild() bool { return false }
