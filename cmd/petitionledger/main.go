// Command petitionledger runs the Petition Ledger service and its tools.
//
// Each subcommand lives in its own file and registers itself in init.
package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// command is one subcommand: petitionledger NAME [args].
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// registry holds subcommands by name.
type registry map[string]command

// add registers c; a second command of the same name is a programming
// error (kind names what is registered in the panic).
func (r registry) add(kind string, c command) {
	if _, dup := r[c.name]; dup {
		panic("petitionledger: duplicate " + kind + " " + c.name)
	}
	r[c.name] = c
}

// names returns the registered names, sorted.
func (r registry) names() []string { return slices.Sorted(maps.Keys(r)) }

var commands = registry{}

func register(c command) { commands.add("command", c) }

// usageError is returned for bad command lines; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "petitionledger: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "petitionledger %s: %v\n", c.name, err)
		if _, ok := err.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: petitionledger <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, n := range commands.names() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
