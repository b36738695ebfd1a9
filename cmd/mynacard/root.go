package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/reader"
)

// globals holds the root command's persistent flags and the output
// streams every command writes to.
type globals struct {
	// Reader selects the reader: exact name, index or substring
	// (reader.Choose); empty picks the only reader.
	Reader string
	// JSON makes commands print machine-readable JSON on stdout.
	JSON bool
	// Trace logs every APDU to stderr, PIN data redacted.
	Trace bool

	stdout, stderr io.Writer
}

// subcommands builds each command of the CLI. Add a command by writing
// cmd_<name>.go with a newXxxCmd(*globals) function and listing it here.
var subcommands = []func(*globals) *cobra.Command{
	newReadersCmd,
	newVirtualCardCmd,
}

// newRootCmd returns the mynacard command with its persistent flags and
// every subcommand.
func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "mynacard",
		Short:         "use the Individual Number Card (マイナンバーカード) through a PC/SC reader",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Reader, "reader", "r", "", "reader to use: exact name, index or part of the name (default: the only reader)")
	pf.BoolVar(&g.JSON, "json", false, "print results as JSON")
	pf.BoolVar(&g.Trace, "trace", false, "log every APDU to stderr (PIN data redacted)")
	for _, sub := range subcommands {
		root.AddCommand(sub(g))
	}
	return root
}

// run executes the CLI with args and returns the process exit code: 0 on
// success, 1 on error, 130 when interrupted.
func run(args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return 130
	}
	fmt.Fprintf(stderr, "mynacard: %v\n", err)
	if hint := hintFor(err); hint != "" {
		fmt.Fprintf(stderr, "mynacard: hint: %s\n", hint)
	}
	return 1
}

// hintFor suggests what to do about common errors.
func hintFor(err error) string {
	switch {
	case errors.Is(err, reader.ErrNoService):
		return "start the pc/sc service (pcscd), or run `make test` once to install it"
	case errors.Is(err, reader.ErrNoReaders):
		return "connect a reader, or run `mynacard virtual-card` in another terminal"
	case errors.Is(err, reader.ErrAmbiguousReader):
		return "choose one with --reader (see `mynacard readers`)"
	case errors.Is(err, reader.ErrReaderNotFound):
		return "see `mynacard readers` for the names and indexes"
	}
	return ""
}

// traceHook returns a hook that logs APDUs to stderr when --trace is on,
// nil otherwise. The commands it sees are already redacted.
func (g *globals) traceHook() func(reader.TraceEvent) {
	if !g.Trace {
		return nil
	}
	return func(e reader.TraceEvent) {
		if e.Err != nil {
			fmt.Fprintf(g.stderr, "> %X\n! %v (%v)\n", e.Command, e.Err, e.Duration)
			return
		}
		fmt.Fprintf(g.stderr, "> %X\n< %X (%v)\n", e.Command, e.Response, e.Duration)
	}
}
