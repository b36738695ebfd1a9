// Package secrets holds the secret-handling checks of the reliability
// campaign as tests: PIN buffers handed to the library are wiped
// after every operation, on success and on every failure path; and the
// mynacard CLI, built once and run as a subprocess with --trace against the
// built-in virtual card and through pcscd, never shows a PIN, a signing
// password (in any letter case) or the Individual Number (plain, with
// separators, full-width, or hex-encoded in an APDU trace) on stdout, stderr
// or in any file it writes, and refuses PINs given in argv or the
// environment before any VERIFY reaches the card.
//
// It owns no production code.
package secrets
