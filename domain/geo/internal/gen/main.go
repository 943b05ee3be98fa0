// Command gen regenerates the data embedded by domain/geo from the shared
// reference data. Run it from the repository root:
//
//	go run ./domain/geo/internal/gen                  # reads ../shared/data
//	go run ./domain/geo/internal/gen -src DIR -out domain/geo/data
//
// It writes postcodes.bin (the compact postcode table, format in
// domain/geo/doc.go) and copies constituencies.csv, countries.csv and
// example_postcodes.csv byte for byte. The output is deterministic; commit
// it, so builds never need the shared directory. After regenerating, run
// `UPDATE_GOLDEN=1 go test ./domain/geo` to update the pinned checksum.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
)

// copied are the files embedded unchanged.
var copied = []string{"constituencies.csv", "countries.csv", "example_postcodes.csv"}

func main() {
	src := flag.String("src", filepath.Join("..", "shared", "data"), "shared reference data directory")
	out := flag.String("out", filepath.Join("domain", "geo", "data"), "output directory (domain/geo/data)")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	if _, err := os.Stat(filepath.Join(src, pctable.PostcodesFile)); err != nil {
		return fmt.Errorf("shared data not found (use -src): %w", err)
	}
	table, err := pctable.Build(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "postcodes.bin"), table, 0o644); err != nil {
		return err
	}
	for _, name := range copied {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	slog.Info("geo data written", slog.String("dir", out), slog.Int("table_bytes", len(table)))
	return nil
}
