package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/internal/i18n"
)

// noArgs refuses positional arguments like cobra.NoArgs, but without
// repeating them: a clerk who types a PIN after the command name
// (`mynacard identify 1234`) must not see it echoed to the terminal, a log
// or a screen recording. PINs are never read from the command line.
func (g *globals) noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if g.p == nil {
		// Arguments are checked before PersistentPreRunE; the flags,
		// --lang among them, are already parsed.
		g.p = i18n.New(g.Lang)
	}
	g.cmdName = commandKey(cmd)
	return &usageError{err: errors.New(g.tr(msgNoArgs, cmd.CommandPath(), len(args)))}
}
