package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections"
)

func init() {
	register(command{
		name:    "rebuild",
		summary: "rebuild every projection from zero: rebuild --store DIR [--state-dir DIR]",
		run:     runRebuild,
	})
}

func runRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	fset.SetOutput(stderr)
	storeDir := fset.String("store", "", "embedded store data directory (required)")
	stateDir := fset.String("state-dir", "", "projection checkpoint and audit trails (default: <store>/projections, as serve uses)")
	every := fset.Duration("progress-every", 0, "progress interval (default: 100ms on a terminal, 2s otherwise)")
	if err := parseStoreFlags(fset, storeDir, args); err != nil {
		return err
	}
	if fi, err := os.Stat(*storeDir); err != nil || !fi.IsDir() {
		if err == nil {
			err = fs.ErrInvalid
		}
		return fmt.Errorf("store directory %q: %w", *storeDir, err)
	}
	if *stateDir == "" {
		*stateDir = filepath.Join(*storeDir, "projections")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := embedded.Open(*storeDir, embedded.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	places, err := projections.PlacesFromGeo(geo.Default())
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr)
	if *every == 0 {
		*every = 2 * time.Second
		if bar.tty {
			*every = 100 * time.Millisecond
		}
	}
	start := time.Now()
	v, err := projections.Rebuild(ctx, projections.Config{Store: store, Dir: *stateDir, Places: places, Logger: logger, StoreFilter: true},
		*every, bar.report)
	bar.finish()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "rebuilt %d petitions up to position %s in %s: %d events folded (the store skipped the events no projection reads)\n",
		v.Len(), v.Position(), elapsed.Round(time.Millisecond), v.EventsApplied())
	return nil
}

// progressBar renders rebuild progress: a redrawn bar on a terminal, one
// plain line per report otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	start time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), start: time.Now()}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) report(p projections.Progress) {
	frac := 1.0
	if p.Target.Commit > 0 {
		frac = min(1, float64(p.At.Commit)/float64(p.Target.Commit))
	}
	rate := float64(p.Applied) / max(time.Since(b.start).Seconds(), 1e-9)
	if !b.tty {
		fmt.Fprintf(b.w, "rebuild: %5.1f%% position=%s target=%s folded=%d (%.0f/s)\n", 100*frac, p.At, p.Target, p.Applied, rate)
		return
	}
	const width = 30
	full := int(frac * width)
	fmt.Fprintf(b.w, "\r[%s%s] %5.1f%% position %s of %s, %d folded", strings.Repeat("#", full), strings.Repeat(".", width-full),
		100*frac, p.At, p.Target, p.Applied)
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}
