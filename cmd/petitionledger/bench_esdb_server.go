package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// serveOnlyPrefix starts the line `bench esdb --serve-only` prints once it
// listens: "esdb server on ADDR".
const serveOnlyPrefix = "esdb server on "

// startESDBServer provides the server `bench esdb` measures: in this
// process over served (the default), in a child process (--split), or one
// already running (--server).
func startESDBServer(ctx context.Context, f benchESDBFlags, served eventstore.Store, stderr io.Writer) (*esdbServerUnderTest, error) {
	switch {
	case f.server != "":
		d := "already running at " + f.server + ", CPU not measured"
		if f.serverPid != 0 {
			d = fmt.Sprintf("already running at %s, process %d", f.server, f.serverPid)
		}
		return &esdbServerUnderTest{addr: f.server, pid: f.serverPid, describe: d, stop: func() {}}, nil
	case f.split:
		return startESDBChild(ctx, f.gc, stderr)
	}
	// The server's process gets serve's collector settings; here that is
	// also the client's.
	stopGC := f.gc.apply(slog.New(slog.DiscardHandler))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := esdbserver.New(served, esdbserver.Options{Logger: slog.New(slog.DiscardHandler)})
	go func() { _ = srv.Serve(lis) }()
	return &esdbServerUnderTest{addr: lis.Addr().String(), stop: func() { srv.Stop(); stopGC() },
		describe: "in this process (client and server CPU counted together; " + f.gc.describe() + ", for both)"}, nil
}

// startESDBChild runs `petitionledger bench esdb --serve-only 127.0.0.1:0`
// and reads its address; closing its stdin stops it.
func startESDBChild(ctx context.Context, gc gcFlags, stderr io.Writer) (*esdbServerUnderTest, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "esdb", "--serve-only", "127.0.0.1:0", "--gc-min-heap", strconv.Itoa(gc.minHeapMiB))
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() { _ = stdin.Close(); _ = cmd.Wait() }
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), serveOnlyPrefix); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return &esdbServerUnderTest{addr: addr, pid: cmd.Process.Pid,
				describe: "child process " + strconv.Itoa(cmd.Process.Pid) + " (bench esdb --serve-only; " + gc.describe() + "); this process, the client, has Go's default collector settings", stop: stop}, nil
		}
	}
	stop()
	return nil, errors.New("bench esdb: the --serve-only child did not start")
}

// serveESDBOnly serves esdbserver over a fresh embedded store on addr until
// in reaches EOF (the parent closed it, or died) or ctx ends.
func serveESDBOnly(ctx context.Context, addr string, gc gcFlags, in io.Reader, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "petitionledger-bench-esdb-server-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	defer gc.apply(quiet)()
	store, err := embedded.Open(dir, embedded.WithLogger(quiet))
	if err != nil {
		return err
	}
	defer store.Close()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError{fmt.Sprintf("bench esdb: --serve-only %s: %v", addr, err)}
	}
	srv := esdbserver.New(store, esdbserver.Options{Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	fmt.Fprintln(stdout, serveOnlyPrefix+lis.Addr().String())
	eof := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, in); close(eof) }()
	select {
	case <-eof:
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	srv.Stop()
	return <-done
}
