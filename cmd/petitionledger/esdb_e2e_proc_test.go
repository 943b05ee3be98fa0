package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/httpapi"
)

// This file runs `petitionledger serve` processes for the end-to-end tests
// on the esdb backend: a storage node (embedded store + EventStoreDB
// protocol server) and API nodes (--store esdb://...). Every process is
// killed when its test ends, and its output is printed when the test fails.

// e2eModeratorToken is the moderator's admin token on every node.
const e2eModeratorToken = "esdb-e2e-moderator-token"

// e2eStartTimeout bounds how long a node may take to listen, and then to
// become ready (its projections caught up with the log).
const e2eStartTimeout = 60 * time.Second

// lockedBuffer collects a process's output; the test reads it while the
// process writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// nodeProc is one running `petitionledger serve`.
type nodeProc struct {
	name     string
	cmd      *exec.Cmd
	output   *lockedBuffer // stdout and stderr (JSON logs)
	base     string        // http://127.0.0.1:port
	esdbAddr string        // host:port of the EventStoreDB protocol, if served
	done     chan struct{} // closed when the process has exited
	exitErr  error         // set before done is closed
}

// startNodeProc starts bin serve with args, waits until it listens (and
// serves the EventStoreDB protocol when wantESDB) and is ready.
func startNodeProc(t *testing.T, bin, name string, wantESDB bool, args ...string) *nodeProc {
	t.Helper()
	p := &nodeProc{name: name, output: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	p.cmd.Stderr = p.output
	addrs := make(chan [2]string, 1)
	p.cmd.Stdout = &stdoutWatcher{out: p.output, wantESDB: wantESDB, addrs: addrs}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { p.kill(t) })
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.done)
	}()
	select {
	case a := <-addrs:
		p.base, p.esdbAddr = "http://"+a[0], a[1]
	case <-p.done:
		t.Fatalf("%s exited before listening (%v):\n%s", name, p.exitErr, p.output)
	case <-time.After(e2eStartTimeout):
		t.Fatalf("%s did not listen within %s:\n%s", name, e2eStartTimeout, p.output)
	}
	p.waitReady(t)
	return p
}

// stdoutWatcher copies stdout into the output and reports the addresses
// from the "listening on" and "EventStoreDB protocol on" lines.
type stdoutWatcher struct {
	out              *lockedBuffer
	wantESDB         bool
	addrs            chan<- [2]string
	partial          []byte
	httpAddr, esAddr string
	sent             bool
}

// Write is called by one goroutine of exec.Cmd at a time.
func (w *stdoutWatcher) Write(p []byte) (int, error) {
	_, _ = w.out.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.line(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
}

func (w *stdoutWatcher) line(line string) {
	if a, ok := strings.CutPrefix(line, "listening on http://"); ok {
		w.httpAddr = a
	}
	if a, ok := strings.CutPrefix(line, "EventStoreDB protocol on esdb://"); ok {
		w.esAddr = strings.TrimSuffix(a, "?tls=false")
	}
	if !w.sent && w.httpAddr != "" && (w.esAddr != "" || !w.wantESDB) {
		w.addrs <- [2]string{w.httpAddr, w.esAddr}
		w.sent = true
	}
}

// waitReady polls /readyz until it answers 200.
func (p *nodeProc) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(e2eStartTimeout)
	var last string
	for time.Now().Before(deadline) {
		res, err := e2eDo("GET", p.base+"/readyz", "", nil)
		if err == nil && res.status == http.StatusOK {
			return
		}
		last = describe(res, err)
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was ready (%v):\n%s", p.name, p.exitErr, p.output)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s never became ready (last /readyz: %s):\n%s", p.name, last, p.output)
}

// stop sends SIGTERM and checks the node drains and exits with status 0.
func (p *nodeProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(45 * time.Second):
		t.Fatalf("%s did not exit within 45 s of SIGTERM:\n%s", p.name, p.output)
	}
	if p.exitErr != nil {
		t.Fatalf("%s: exit after SIGTERM: %v\n%s", p.name, p.exitErr, p.output)
	}
}

// crash kills the process (SIGKILL) and waits for it to be gone.
func (p *nodeProc) crash(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("SIGKILL %s: %v", p.name, err)
	}
	<-p.done
}

// kill ends the process if it still runs and, when the test failed,
// prints its output.
func (p *nodeProc) kill(t *testing.T) {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if t.Failed() {
		t.Logf("---- output of %s (%s) ----\n%s", p.name, p.base, tail(p.output.String(), 200))
	}
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return "[...]\n" + strings.Join(lines[len(lines)-n:], "\n")
}

// e2eResponse is an HTTP answer, read whole.
type e2eResponse struct {
	status int
	header http.Header
	body   []byte
}

// e2eClient bounds every request: a hung node fails the test instead of
// hanging it.
var e2eClient = &http.Client{Timeout: 30 * time.Second}

// e2eDo sends a request with a JSON body (if any) and headers given as
// name, value pairs.
func e2eDo(method, url, body string, headers []string) (e2eResponse, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return e2eResponse{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e2eClient.Do(req)
	if err != nil {
		return e2eResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return e2eResponse{status: resp.StatusCode, header: resp.Header, body: b}, err
}

func describe(res e2eResponse, err error) string {
	if err != nil {
		return err.Error()
	}
	return http.StatusText(res.status) + " " + string(res.body)
}

// position is the X-Ledger-Position of a response.
func (r e2eResponse) position() (eventstore.Position, error) {
	h := r.header.Get("X-Ledger-Position")
	if h == "" {
		return eventstore.Position{}, errors.New("no X-Ledger-Position header")
	}
	return httpapi.ParsePosition(h)
}
