package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/petitionledger/petitionledger/projections/merkle"
)

func init() {
	register(command{
		name:    "keys",
		summary: "checkpoint signing keys: keys generate --name NAME --out FILE [--pub FILE]",
		run:     runKeys,
	})
}

func runKeys(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return usageError{"keys: usage: keys generate --name NAME --out FILE [--pub FILE]"}
	}
	fset := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fset.SetOutput(stderr)
	name := fset.String("name", "petitionledger", "key name (appears in every checkpoint signature line)")
	out := fset.String("out", "", "private key file to create, mode 0600 (required; never overwritten)")
	pub := fset.String("pub", "", "public verifier key file to create (optional; the key is printed either way)")
	if err := fset.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if fset.NArg() > 0 {
		return usageError{fmt.Sprintf("keys generate: unexpected argument %q", fset.Arg(0))}
	}
	if *out == "" {
		return usageError{"keys generate: --out FILE is required"}
	}
	vkey, err := merkle.GenerateKey(*name, *out, *pub)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}
