package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// benchmark is one `petitionledger bench NAME` load test.
type benchmark = command

var benchmarks = registry{}

// registerBench adds a benchmark; each lives in its own bench_*.go file.
func registerBench(b benchmark) { benchmarks.add("benchmark", b) }

func init() {
	register(command{name: "bench", summary: "load tests: bench <name> [flags] (see bench help)", run: runBench})
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	names := benchmarks.names()
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprintln(stdout, "usage: petitionledger bench <name> [flags]")
		for _, n := range names {
			fmt.Fprintf(stdout, "  %-8s %s\n", n, benchmarks[n].summary)
		}
		return nil
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("bench: unknown benchmark %q (want one of %s)", args[0], strings.Join(names, ", "))}
	}
	return b.run(ctx, args[1:], stdout, stderr)
}
