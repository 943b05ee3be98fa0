package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

func init() {
	register(command{
		name:    "store",
		summary: "check or repair an embedded store directory: store check|repair --store DIR",
		run:     runStore,
	})
}

func runStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"store: want a subcommand: check or repair"}
	}
	switch args[0] {
	case "check":
		return runStoreCheck(args[1:], stdout, stderr)
	case "repair":
		return runStoreRepair(args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("store: unknown subcommand %q (want check or repair)", args[0])}
}

func storeFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("store "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("store", "", "embedded store data directory (required)")
	return fs, dir
}

// parseStoreFlags parses args into fs, refusing positional arguments and
// requiring --store (dir); errors are usage errors naming fs.
func parseStoreFlags(fs *flag.FlagSet, dir *string, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	if *dir == "" {
		return usageError{fs.Name() + ": --store DIR is required"}
	}
	return nil
}

// errStoreProblems makes `store check` exit non-zero when it finds problems.
var errStoreProblems = errors.New("the store has problems")

func runStoreCheck(args []string, stdout, stderr io.Writer) error {
	fs, dir := storeFlags("check", stderr)
	if err := parseStoreFlags(fs, dir, args); err != nil {
		return err
	}
	rep, err := embedded.Check(*dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "store %s: %d segments, %d bytes, %d records before any problem\n",
		rep.Dir, rep.Segments, rep.Bytes, rep.Records)
	if rep.OK() {
		fmt.Fprintln(stdout, "ok")
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "problem: %s\n", p)
		switch {
		case p.Kind == embedded.ProblemTornTail:
			fmt.Fprintf(stdout, "  a torn tail (crash during a write): opening the store truncates it at offset %d; nothing acknowledged is lost\n", p.Cut)
		case p.ValidAfter > 0:
			fmt.Fprintf(stdout, "  repair would truncate at offset %d and drop %d CRC-valid records (segments set aside: %v); it needs --drop-valid-records\n",
				p.Cut, p.ValidAfter, p.LaterSegments)
		default:
			fmt.Fprintf(stdout, "  repair would truncate at offset %d\n", p.Cut)
		}
	}
	return errStoreProblems
}

func runStoreRepair(args []string, stdout, stderr io.Writer) error {
	fs, dir := storeFlags("repair", stderr)
	drop := fs.Bool("drop-valid-records", false,
		"allow dropping records after mid-log corruption that still pass their CRC (possibly acknowledged events)")
	if err := parseStoreFlags(fs, dir, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	actions, err := embedded.Repair(*dir, embedded.RepairOptions{DropValidRecords: *drop, Logger: log})
	for _, a := range actions {
		fmt.Fprintf(stdout, "repaired: %s\n  backup of the damaged segment: %s\n  truncated at offset %d\n", a.Problem, a.Backup, a.Problem.Cut)
		for _, f := range a.SetAside {
			fmt.Fprintf(stdout, "  segment set aside: %s\n", f)
		}
		if a.Dropped > 0 {
			fmt.Fprintf(stdout, "  dropped %d CRC-valid records\n", a.Dropped)
		}
	}
	if errors.Is(err, embedded.ErrWouldDropRecords) {
		return fmt.Errorf("%w\nnothing was changed; rerun with --drop-valid-records to accept the loss (the damaged segment is copied aside first)", err)
	}
	if err != nil {
		return err
	}
	if len(actions) == 0 {
		fmt.Fprintln(stdout, "nothing to repair")
	}
	return nil
}
