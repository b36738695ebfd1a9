// Package docscheck holds tests that keep the README true: every example
// its "For Go developers" table names exists and runs as a test.
package docscheck
