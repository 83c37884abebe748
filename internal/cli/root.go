package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Streams are where a command reads and writes: stdin, stdout for results
// and stderr for people.
type Streams struct {
	In          io.Reader
	Out, ErrOut io.Writer
}

// RunFunc runs a parsed command line.
type RunFunc func(ctx context.Context, o *Options) error

const resizeHelp = `thumbs makes thumbnails of many images at once.

Each PATH is an image file or a directory, walked recursively for images
(.jpg .jpeg .png .gif .tif .tiff .bmp .webp .heic .heif .avif, in any case).
With no PATH, or the PATH "-", paths are read from stdin, one per line
(NUL-separated with -0). Thumbnails go under --out: a directory's tree is
mirrored there, a file argument lands at its base name, and a path from stdin
is mirrored as given. With --stdout, thumbs makes the thumbnail of one image,
a file or the bytes on stdin, and writes it to stdout.

Runs are incremental: a run record in the output directory says what was
made, and a re-run skips sources whose thumbnails are current.

Names that hold control characters or bytes that are not UTF-8 are shown
quoted, with Go's escapes ("a\nb.jpg"), in every line meant for people.

Exit status: 0 all done, 1 one or more files failed, 2 usage error,
130 on SIGINT, 143 on SIGTERM.`

const examples = `  thumbs resize ./photos                      # 256x256 boxes into ./thumbs
  thumbs -s 320,640,1280 -f webp -o site/img photos
  find . -name '*.jpg' -print0 | thumbs -0 -o thumbs
  thumbs --fit cover --crop smart -s 200x200 --json photos
  thumbs resize --stdout -s 128 - < in.jpg > out.jpg
  thumbs check photos -o thumbs               # exit 1 if any thumbnail is stale`

// NewRootCmd returns thumbs' command tree reading and writing s. The
// commands resize (also the root's own) and check parse and check their
// flags into Options and call resize or check with them; nil means the
// real ones, which make or check thumbnails.
func NewRootCmd(s Streams, resize, check RunFunc) *cobra.Command {
	if resize == nil {
		resize = runResize
	}
	if check == nil {
		check = runCheck
	}
	var rv flagValues
	resizeFlags := pflag.NewFlagSet("resize", pflag.ContinueOnError)
	defineFlags(resizeFlags, &rv, resizeCommand)
	runWith := func(run RunFunc, v *flagValues, c command) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			o, err := v.options(cmd, args, s, c)
			if err != nil {
				return err
			}
			return run(cmd.Context(), o)
		}
	}

	root := &cobra.Command{
		Use:               "thumbs [flags] [PATH...]",
		Short:             "Make thumbnails of many images at once",
		Long:              resizeHelp,
		Example:           examples,
		Args:              pathsNotCommands,
		ValidArgsFunction: completeFiles,
		Version:           versionLine(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		RunE:              runWith(resize, &rv, resizeCommand),
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetVersionTemplate("{{.Version}}\n")
	// The root and resize share one set of flags: thumbs -s 100 photos and
	// thumbs resize -s 100 photos are the same command.
	root.Flags().AddFlagSet(resizeFlags)
	registerCompletions(root)

	resizeCmd := &cobra.Command{
		Use:               "resize [flags] [PATH...]",
		Short:             "Make thumbnails (the default command)",
		Long:              resizeHelp,
		Example:           examples,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeFiles,
		RunE:              runWith(resize, &rv, resizeCommand),
	}
	resizeCmd.Flags().AddFlagSet(resizeFlags)

	var cv flagValues
	checkCmd := &cobra.Command{
		Use:   "check [flags] [PATH...]",
		Short: "List sources whose thumbnails are missing or stale; exit 1 if any",
		Long: `check writes nothing. It lists on stdout every source whose thumbnails under
--out are missing or out of date for the given options, and exits 1 if there
is any, 0 otherwise: a CI step that verifies committed thumbnails.`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeFiles,
		RunE:              runWith(check, &cv, checkCommand),
	}
	defineFlags(checkCmd.Flags(), &cv, checkCommand)
	registerCompletions(checkCmd)

	version := &cobra.Command{
		Use:               "version",
		Short:             "Print the versions of thumbs, Go and the modules it is built from",
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(cmd.OutOrStdout(), versionReport())
			return nil
		},
	}
	root.AddCommand(resizeCmd, checkCmd, version, newRecordCmd())
	root.SetHelpCommand(helpCommand(root))
	root.SetFlagErrorFunc(flagError)
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(flagError)
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return usageError{err}
				}
				return nil
			}
		}
	}
	return root
}

// pathsNotCommands accepts any arguments of the root command, which are
// paths, unless the first names no file and is close to the name of a
// command: then it was meant as the command, misspelled.
func pathsNotCommands(cmd *cobra.Command, args []string) error {
	if len(args) == 0 || args[0] == "-" || args[0] == "" {
		return nil
	}
	if _, err := os.Lstat(args[0]); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if suggestions := cmd.SuggestionsFor(args[0]); len(suggestions) > 0 {
		return usageError{unknownCommand(args[0], suggestions)}
	}
	return nil
}

// unknownCommand is the error for a command name that is not one, with
// the commands it may have meant, if any.
func unknownCommand(name string, suggestions []string) error {
	if len(suggestions) == 0 {
		return fmt.Errorf("unknown command %q", name)
	}
	quoted := make([]string, len(suggestions))
	for i, s := range suggestions {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Errorf("unknown command %q — did you mean %s?", name, strings.Join(quoted, " or "))
}

// helpCommand returns the help command of root: help for the command
// named, and a usage error for a name that is no command.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, c := range root.Commands() {
					if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
						names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				name := strings.Join(args, " ")
				if len(rest) > 0 {
					name = rest[0]
				}
				return usageError{unknownCommand(name, root.SuggestionsFor(name))}
			}
			return target.Help()
		},
	}
}

// completeFiles completes a PATH argument with file names, as the shell
// does by default.
func completeFiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}
