package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

func init() {
	registerBench(benchmark{
		name:    "verify",
		summary: "`verify ledger` on a real ledger of --events domain events (built once in --dir), against a raw $all read of the same store",
		run:     runBenchVerify,
	})
}

// benchVerifyFlags configure `petitionledger bench verify`.
type benchVerifyFlags struct {
	events     int64
	dir        string
	repeat     int
	cpuProfile string
	rawRead    string // internal: read this store's $all and print the count as JSON
}

func runBenchVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchVerifyFlags
	fs.Int64Var(&f.events, "events", 10_000_000, "events in the ledger")
	fs.StringVar(&f.dir, "dir", "", "directory of the ledger, reused when it already holds one of --events events (default: a temporary one, removed afterwards)")
	fs.IntVar(&f.repeat, "repeat", 1, "raw read / verify pairs to run, alternating")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the (last) verify run to this file")
	fs.StringVar(&f.rawRead, "raw-read", "", "internal: read the first --events events of this store's $all without hashing, print the count as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("bench verify: unexpected argument %q", fs.Arg(0))}
	}
	if f.events < 1 || f.repeat < 1 {
		return usageError{"bench verify: --events and --repeat must be at least 1"}
	}
	if f.rawRead != "" {
		return rawReadAll(ctx, f.rawRead, f.events, stdout)
	}
	if f.dir == "" {
		tmp, err := os.MkdirTemp("", "bench-verify-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		f.dir = tmp
	}
	l := benchLedger{dir: f.dir}
	m, ok, err := openBenchLedger(l, f.events)
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(stdout, "ledger: %d events in %s (reused; built in %.0f s)\n", m.Events, l.store(), m.BuildSeconds)
	} else {
		fmt.Fprintf(stdout, "building a ledger of %d events in %s ...\n", f.events, l.store())
		if m, err = buildBenchLedger(ctx, l, f.events, stderr); err != nil {
			return fmt.Errorf("bench verify: build: %w", err)
		}
		fmt.Fprintf(stdout, "ledger: %d events in %s (built in %.0f s: %d demo histories, %d petitions, %d checkpoints)\n",
			m.Events, l.store(), m.BuildSeconds, m.Histories, m.Petitions, m.Checkpoints)
	}
	return timeBenchVerify(ctx, f, l, stdout)
}

// childRun is one timed child process.
type childRun struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
	stdout    []byte
}

// timeBenchVerify alternates a raw read and `verify ledger`, each in a
// child process of this binary, and prints wall and CPU time of each.
func timeBenchVerify(ctx context.Context, f benchVerifyFlags, l benchLedger, stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\twhat\tevents\twall\tCPU\tevents/s\tCPU µs/event\tpeak RSS\tverify/raw wall\t")
	load := loadAverage()
	for i := 1; i <= f.repeat; i++ {
		raw, err := runChild(ctx, "bench", "verify", "--events", fmt.Sprint(f.events), "--raw-read", l.store())
		if err != nil {
			return fmt.Errorf("raw read: %w", err)
		}
		var rr rawReadResult
		if err := json.Unmarshal(raw.stdout, &rr); err != nil || rr.Events != f.events {
			return fmt.Errorf("raw read: read %d events (%v), want %d", rr.Events, err, f.events)
		}
		args := []string{"verify", "ledger", "--store", l.store(), "--checkpoint", l.checkpoint(), "--key", l.pubKey(),
			"--json", filepath.Join(l.dir, "report.json")}
		if f.cpuProfile != "" && i == f.repeat {
			args = append(args, "--cpuprofile", f.cpuProfile)
		}
		ver, err := runChild(ctx, args...)
		if err != nil {
			return fmt.Errorf("verify ledger: %w", err)
		}
		if !bytes.HasSuffix(ver.stdout, []byte("\nOK\n")) {
			return fmt.Errorf("verify ledger did not end with OK:\n%s", lastBytes(ver.stdout, 2000))
		}
		printChildRow(tw, i, "raw $all read", f.events, raw, "")
		printChildRow(tw, i, "verify ledger", f.events, ver, fmt.Sprintf("%.2f", ver.wall.Seconds()/raw.wall.Seconds()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "load average before the runs: %s; after: %s\n", load, loadAverage())
	return nil
}

func printChildRow(w io.Writer, run int, what string, events int64, c childRun, ratio string) {
	rss := fmt.Sprintf("%.0f MiB", float64(c.maxRSS)/(1<<20))
	if c.maxRSS <= selfMaxRSS() {
		// Linux carries the parent's peak into a child's (the exec'd
		// process starts from the forking one's mm): not the child's own.
		rss = "n/a"
	}
	fmt.Fprintf(w, "%d\t%s\t%d\t%.2f s\t%.2f s\t%.0f\t%.2f\t%s\t%s\t\n", run, what, events,
		c.wall.Seconds(), c.cpu.Seconds(), float64(events)/c.wall.Seconds(),
		float64(c.cpu.Microseconds())/float64(events), rss, ratio)
}

// selfMaxRSS is this process's peak RSS in bytes (0 if unknown).
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

// runChild runs this binary with args and returns its wall time, CPU time
// (user + system, from its rusage), peak RSS and standard output.
func runChild(ctx context.Context, args ...string) (childRun, error) {
	var r childRun
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return r, err
		}
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	r.stdout = out.Bytes()
	if err != nil {
		return r, fmt.Errorf("%s: %w\n%s%s", strings.Join(args, " "), err, lastBytes(out.Bytes(), 2000), lastBytes(errOut.Bytes(), 2000))
	}
	st := cmd.ProcessState
	r.cpu = st.UserTime() + st.SystemTime()
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024
	}
	return r, nil
}

func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

// rawReadResult is what --raw-read prints.
type rawReadResult struct {
	Events int64 `json:"events"`
	Bytes  int64 `json:"bytes"`
}

// rawReadAll reads the first events events of the store's $all in pages
// of 4096, as verify does, touching each event's data but hashing nothing:
// the floor under any verification of the same store.
func rawReadAll(ctx context.Context, dir string, events int64, stdout io.Writer) error {
	s, err := embedded.Open(dir, embedded.WithLogger(slog.New(slog.DiscardHandler)), embedded.WithSnapshotEvery(-1))
	if err != nil {
		return err
	}
	defer s.Close()
	var res rawReadResult
	var from eventstore.AllFrom = eventstore.Start{}
	var last *eventstore.Position
	for res.Events < events {
		evs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: 4096})
		if err != nil {
			return err
		}
		if last != nil && len(evs) > 0 && evs[0].Position == *last {
			evs = evs[1:]
		}
		if len(evs) == 0 {
			break
		}
		evs = evs[:min(int64(len(evs)), events-res.Events)]
		for i := range evs {
			res.Bytes += int64(len(evs[i].Data) + len(evs[i].Stream) + len(evs[i].Type))
		}
		res.Events += int64(len(evs))
		p := evs[len(evs)-1].Position
		from, last = p, &p
	}
	return json.NewEncoder(stdout).Encode(res)
}
