// Package pinentry obtains PINs and passwords for the mynacard CLI from a
// no-echo terminal prompt, from standard input, or from a numbered file
// descriptor — never from argv or the environment, where other users and
// shell history could read them.
//
// It owns reading one secret line into memory it controls, stripping the
// line ending, bounding its length, refusing NUL bytes, and wiping every
// buffer it used. It does not own the PIN's format (digits, A–Z and 0–9,
// lengths), remaining-try bookkeeping or the refusal of a last try: those
// belong to the card layer, which calls [Source.Read] through a small
// adapter in the CLI.
//
// Prompts are phrased by a [PromptFunc]; [LocalizedPrompt] takes them
// from the CLI's English or Japanese catalog (internal/i18n).
//
// Ctrl-C at a prompt raises SIGINT as usual (the terminal keeps ISIG). The
// CLI should run under signal.NotifyContext so that the signal cancels the
// context: the read then returns ctx.Err() and the terminal's echo is
// restored. A process killed outright at the prompt leaves echo off, as
// with any password prompt.
//
// The caller owns the slice a read returns and must [Wipe] it after use.
// No error this package returns contains any byte of what was read.
//
// The terminal path is written against golang.org/x/term (state save and
// restore) and golang.org/x/sys/unix (turning echo off) rather than
// term.ReadPassword, because ReadPassword grows its result with append —
// leaving copies of the PIN behind that nobody can wipe — and cannot be
// interrupted by a context.
package pinentry
