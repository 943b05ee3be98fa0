package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/petitionledger/petitionledger/eventstore/embedded/storebench"
)

func init() {
	registerBench(benchmark{
		name:    "store",
		summary: "embedded store: durable appends vs raw write+fsync, $all reads, cold open at scale (--streams N)",
		run:     runBenchStore,
	})
}

func runBenchStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "scratch directory (default: a temporary one, removed afterwards)")
	writersList := fs.String("writers", "1,16,256", "comma-separated writer counts for the append runs")
	events := fs.Int("events", 0, "events per append run (default: 2000 × writers, at least 4000, at most 200000)")
	size := fs.Int("size", 300, "event data size in bytes")
	repeat := fs.Int("repeat", 3, "store/raw run pairs per writer count; the median store run is shown")
	readEvents := fs.Int("read-events", 200000, "events in the store read by the $all run (0 skips it)")
	streams := fs.Int("streams", 0, "also build a store of this many single-event streams and measure its cold open (e.g. 10000000)")
	scaleDir := fs.String("scale-dir", "", "directory of the --streams store; reused when it already holds that many streams")
	openOnly := fs.String("open-only", "", "internal: open this store in this process and print the measurements as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *openOnly != "" {
		res, err := storebench.OpenCold(*openOnly)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(res)
	}
	writers, err := parseInts(*writersList)
	if err != nil || *size < 2 || *events < 0 || *streams < 0 || *repeat < 1 {
		return usageError{"bench store: bad --writers, --size, --events, --repeat or --streams"}
	}
	root := *dir
	if root == "" {
		if root, err = os.MkdirTemp("", "bench-store-"); err != nil {
			return err
		}
		defer os.RemoveAll(root)
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tevents\tevents/s\tp50\tp99\tevents/fsync\ttime in fsync\traw write+fsync events/s\traw/store time\t")
	for i, w := range writers {
		n := *events
		if n == 0 {
			n = min(max(2000*w, 4000), 200000)
		}
		// Store and raw runs alternate; the row is the repetition with the
		// median store throughput, with the raw run that followed it.
		type pair struct {
			store storebench.AppendResult
			raw   storebench.RawResult
		}
		var runs []pair
		for r := range *repeat {
			res, err := storebench.Appends(sub(root, fmt.Sprintf("append-%d", r), i), w, n, *size)
			if err != nil {
				return err
			}
			raw, err := storebench.RawWriteFsync(sub(root, fmt.Sprintf("raw-%d", r), i), res.SyncSizes, res.Bytes)
			if err != nil {
				return err
			}
			runs = append(runs, pair{res, raw})
			os.RemoveAll(sub(root, fmt.Sprintf("append-%d", r), i))
			os.RemoveAll(sub(root, fmt.Sprintf("raw-%d", r), i))
		}
		sort.Slice(runs, func(a, b int) bool { return runs[a].store.EventsPerSec < runs[b].store.EventsPerSec })
		res, raw := runs[len(runs)/2].store, runs[len(runs)/2].raw
		fmt.Fprintf(tw, "append %d writers\t%d\t%.0f\t%v\t%v\t%.1f\t%.0f%%\t%.0f\t%.2f\t\n",
			w, n, res.EventsPerSec, res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond),
			float64(n)/float64(res.Syncs), 100*res.SyncTime.Seconds()/res.Elapsed.Seconds(),
			raw.EventsPerSec, raw.Elapsed.Seconds()/res.Elapsed.Seconds())
	}
	if *readEvents > 0 {
		d := sub(root, "read", 0)
		if _, err := storebench.Appends(d, 256, *readEvents, *size); err != nil {
			return err
		}
		res, err := storebench.ReadAll(d, 4096)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "ReadAll forwards, warm\t%d\t%.0f\t\t\t\t\t\t\t\n", res.Events, res.EventsPerSec)
		fmt.Fprintf(tw, "  (per CPU-second)\t\t%.0f\t\t\t\t\t\t\t\n", res.EventsPerCPUSec)
	}
	tw.Flush()
	if *streams > 0 {
		return benchScale(ctx, *streams, *scaleDir, root, stdout, stderr)
	}
	return nil
}

// benchScale builds (or reuses) a store of n single-event streams, then
// measures a cold open in a fresh process.
func benchScale(ctx context.Context, n int, dir, root string, stdout, stderr io.Writer) error {
	if dir == "" {
		dir = sub(root, "scale", n)
	}
	probe, err := measureOpen(ctx, dir)
	if err != nil || probe.Streams < n {
		start := time.Now()
		fmt.Fprintf(stdout, "building %d streams in %s ...\n", n, dir)
		res, err := storebench.Appends(dir, 2048, n, 100)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "built in %v (%.0f events/s, %.0f events/fsync, 2048 writers, 100-byte events)\n",
			time.Since(start).Round(time.Second), res.EventsPerSec, float64(n)/float64(res.Syncs))
	}
	if err := storebench.EvictFromPageCache(dir); err != nil {
		fmt.Fprintf(stderr, "warning: could not evict the store from the page cache: %v\n", err)
	}
	res, err := measureOpen(ctx, dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "streams\tlog bytes\tsnapshot bytes\tcold open\tRSS after open\tpeak RSS\tindex heap\tindex bytes/stream\tRSS bytes/stream\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%v\t%.0f MiB\t%.0f MiB\t%.0f MiB\t%.1f\t%.1f\t\n",
		res.Streams, res.LogBytes, res.SnapBytes, res.Elapsed.Round(time.Millisecond),
		mib(res.RSSBytes), mib(res.PeakRSS), mib(res.IndexBytes),
		float64(res.IndexBytes)/float64(res.Streams), float64(res.RSSBytes)/float64(res.Streams))
	return tw.Flush()
}

// measureOpen opens dir in a child process (bench store --open-only).
func measureOpen(ctx context.Context, dir string) (storebench.OpenResult, error) {
	var res storebench.OpenResult
	if _, err := os.Stat(dir); err != nil {
		return res, err
	}
	// /proc/self/exe is this very binary even if its file was replaced.
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return res, err
		}
	}
	out, err := exec.CommandContext(ctx, exe, "bench", "store", "--open-only", dir).Output()
	if err != nil {
		return res, fmt.Errorf("open %s in a child process: %w", dir, err)
	}
	return res, json.Unmarshal(out, &res)
}

func sub(root, name string, i int) string {
	return fmt.Sprintf("%s/%s-%d", root, name, i)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad number %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
