package main

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"syscall"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/internal/i18n"
)

// langFromArgs returns the value of --lang in args (before a "--"), or
// "": the help, the usage errors and the argument checks that cobra runs
// before any command's hooks must already speak the chosen language.
func langFromArgs(args []string) string {
	lang := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return lang
		case a == "--lang" && i+1 < len(args):
			lang = args[i+1]
			i++
		case strings.HasPrefix(a, "--lang="):
			lang = strings.TrimPrefix(a, "--lang=")
		}
	}
	if lang != i18n.Japanese && lang != i18n.English {
		// PersistentPreRunE refuses it, in the locale's language.
		return ""
	}
	return lang
}

// slicesContains reports whether args holds s before a "--".
func slicesContains(args []string, s string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == s {
			return true
		}
	}
	return false
}

// localizeCommands gives the command tree cobra's own help command and
// help flags and, in Japanese, every command's descriptions, every flag's
// description and the usage template from the Japanese help catalog
// (messages_ja_help.go). English is what the commands are written with.
func (g *globals) localizeCommands(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	walkCommands(root, func(c *cobra.Command) { c.InitDefaultHelpFlag() })
	if g.p.Lang() != i18n.Japanese {
		return
	}
	walkCommands(root, func(c *cobra.Command) {
		path := commandKey(c)
		if h, ok := jaCommandHelp[path]; ok {
			c.Short = h.short
			if h.use != "" {
				c.Use = h.use
			}
			if c.Long != "" || h.long != "" {
				c.Long = h.long
			}
		} else if h, ok := jaCommandHelpFor(c); ok {
			c.Short, c.Long = h.short, h.long
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if u, ok := jaFlagHelpFor(path, f.Name); ok {
				f.Usage = u
			}
		})
	})
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if u, ok := jaFlagHelp["--"+f.Name]; ok {
			f.Usage = u
		}
	})
	root.Long = jaRootLong + "\n\n" + g.exitCodeHelpJA()
	cobra.AddTemplateFunc("jaFlagUsages", jaFlagUsages)
	root.SetUsageTemplate(jaUsageTemplate(root.UsageTemplate()))
}

// walkCommands calls f on c and every command under it.
func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, s := range c.Commands() {
		walkCommands(s, f)
	}
}

// commandKey is a command's path without the program name ("" for the
// root, "pin change").
func commandKey(c *cobra.Command) string {
	p := c.CommandPath()
	if i := strings.IndexByte(p, ' '); i >= 0 {
		return p[i+1:]
	}
	return ""
}

// jaCommandHelpFor covers cobra's own commands that have no entry of
// their own: the shell completion scripts.
func jaCommandHelpFor(c *cobra.Command) (commandHelp, bool) {
	if c.HasParent() && c.Parent().Name() == "completion" {
		return commandHelp{
			short: fmt.Sprintf(jaCompletionShellShort, c.Name()),
			long:  fmt.Sprintf(jaCompletionShellLong, c.Name()),
		}, true
	}
	return commandHelp{}, false
}

// jaFlagHelpFor finds a command's own flag's Japanese description: the
// command's entry, else the one every command with that flag shares.
func jaFlagHelpFor(path, name string) (string, bool) {
	if name == "help" {
		return jaHelpFlag, true
	}
	if u, ok := jaFlagHelp[path+" --"+name]; ok {
		return u, true
	}
	u, ok := jaFlagHelp["* --"+name]
	return u, ok
}

// jaUsageTemplate turns cobra's usage template into Japanese: headings,
// the closing line, and flag lists with Japanese placeholders and
// defaults.
func jaUsageTemplate(tpl string) string {
	return strings.NewReplacer(
		"Usage:", "使い方：",
		"Aliases:", "別名：",
		"Examples:", "例：",
		"Available Commands:", "コマンド：",
		"Additional Commands:", "その他のコマンド：",
		"Global Flags:", "共通のフラグ：",
		"Flags:", "フラグ：",
		"Additional help topics:", "その他のヘルプ：",
		".LocalFlags.FlagUsages", "jaFlagUsages .LocalFlags",
		".InheritedFlags.FlagUsages", "jaFlagUsages .InheritedFlags",
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		`各コマンドの説明は "{{.CommandPath}} [command] --help" で表示します。`,
	).Replace(tpl)
}

// jaFlagUsages lists a flag set as pflag does, with the value's kind and
// the default in Japanese.
func jaFlagUsages(fs *pflag.FlagSet) string {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		if ph := jaPlaceholder[f.Value.Type()]; ph != "" {
			left += " " + ph
		}
		usage := f.Usage
		switch f.DefValue {
		case "", "false", "0", "[]":
		default:
			usage += fmt.Sprintf(jaDefaultValue, f.DefValue)
		}
		width = max(width, uniseg.StringWidth(left))
		lines = append(lines, line{left, usage})
	})
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.left)
		b.WriteString(strings.Repeat(" ", width-uniseg.StringWidth(l.left)+3))
		b.WriteString(strings.ReplaceAll(l.usage, "\n", "\n"+strings.Repeat(" ", width+3)))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n ")
}

// The argument checks: cobra's, with the message in the chosen language.

func (g *globals) exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			g.cmdName = commandKey(cmd)
			return &usageError{err: errors.New(g.tr(msgArgsExact, cmd.CommandPath(), n, len(args)))}
		}
		return nil
	}
}

func (g *globals) rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			g.cmdName = commandKey(cmd)
			return &usageError{err: errors.New(g.tr(msgArgsRange, cmd.CommandPath(), lo, hi, len(args)))}
		}
		return nil
	}
}

func (g *globals) maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			g.cmdName = commandKey(cmd)
			return &usageError{err: errors.New(g.tr(msgArgsMax, cmd.CommandPath(), n, len(args)))}
		}
		return nil
	}
}

// flagError puts pflag's parse errors in the chosen language.
func (g *globals) flagError(err error) error {
	var (
		ne *pflag.NotExistError
		ve *pflag.ValueRequiredError
		ie *pflag.InvalidValueError
		se *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &ne):
		name := "--" + ne.GetSpecifiedName()
		if ne.GetSpecifiedName() == "" || ne.GetSpecifiedShortnames() != "" {
			name = "-" + ne.GetSpecifiedShortnames()
			if s := ne.GetSpecifiedName(); s != "" {
				name = "-" + s
			}
		}
		return &usageError{err: errors.New(g.tr(msgFlagUnknown, name))}
	case errors.As(err, &ve):
		return &usageError{err: errors.New(g.tr(msgFlagNeedsValue, "--"+ve.GetFlag().Name))}
	case errors.As(err, &ie):
		return &usageError{err: errors.New(g.tr(msgFlagBadValue, "--"+ie.GetFlag().Name, ie.GetValue()))}
	case errors.As(err, &se):
		return &usageError{err: errors.New(g.tr(msgFlagSyntax, se.GetSpecifiedFlag()))}
	}
	return &usageError{err: err}
}

// unknownCommand matches cobra's error for a command that does not exist.
var unknownCommand = regexp.MustCompile(`^unknown command "([^"]*)" for "([^"]*)"`)

// commandError puts cobra's "unknown command" in the chosen language, with
// its suggestions on the same line.
func (g *globals) commandError(root *cobra.Command, err error) error {
	m := unknownCommand.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	parent := root
	if c, _, ferr := root.Find(strings.Fields(m[2])[1:]); ferr == nil {
		parent = c
	}
	msg := g.tr(msgUnknownCommand, m[1], m[2])
	if s := parent.SuggestionsFor(m[1]); len(s) > 0 {
		msg += g.tr(msgDidYouMean, strings.Join(s, g.tr(msgListSep)))
	}
	return &usageError{err: errors.New(msg)}
}

// describePathError names the file of a failed file operation and says
// what went wrong in the chosen language (Go's "open F: no such file or
// directory" otherwise).
func (g *globals) describePathError(err error) (string, bool) {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return "", false
	}
	var why string
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		why = g.tr(msgSourceMissing)
	case errors.Is(pe.Err, fs.ErrPermission):
		why = g.tr(msgSourceUnreadable)
	case errors.Is(pe.Err, fs.ErrExist):
		why = g.tr(msgFileExistsPlain)
	case errors.Is(pe.Err, syscall.EISDIR):
		why = g.tr(msgIsDirectory)
	case errors.Is(pe.Err, syscall.ENOSPC):
		why = g.tr(msgDiskFull)
	default:
		why = pe.Err.Error()
	}
	return g.tr(msgFileProblem, pe.Path, why), true
}
