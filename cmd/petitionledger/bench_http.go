package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// bench http: load tests of the HTTP API on loopback. The server runs as a
// child process (`petitionledger serve` on a fresh temporary directory, no
// rate limit) so the two processes each have their own file descriptors;
// this process is the load generator.

func init() {
	registerBench(benchmark{name: "http", summary: "HTTP API load: count, petition, sign, sse scenarios on loopback", run: runBenchHTTP})
}

const benchToken = "bench-moderator-token-0000"

type benchHTTPFlags struct {
	scenario    string
	duration    time.Duration
	conns       int
	writeRate   int
	subscribers int
	seed        bool
	serverFlags tokenList
}

func runBenchHTTP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench http", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchHTTPFlags
	fs.StringVar(&f.scenario, "scenario", "count", "count (GET count.json under write load), petition (GET /petitions/{id}.json, gzip, under write load), sign (POST signatures), sse (live subscribers)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long to measure")
	fs.IntVar(&f.conns, "conns", 64, "concurrent connections of the measured load")
	fs.IntVar(&f.writeRate, "write-rate", 2000, "background signatures per second (count, petition and sse scenarios)")
	fs.IntVar(&f.subscribers, "subscribers", 10000, "live subscribers (sse scenario)")
	fs.BoolVar(&f.seed, "seed", false, "run the server as `demo` and read the seed petition (44,150 signatures over all 650 constituencies: the heaviest document) while signing the demo's open petition")
	fs.Var(&f.serverFlags, "server-flag", "extra flag for the serve child process, e.g. --server-flag=--pprof-listen=127.0.0.1:6060; repeatable")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	switch {
	case !strings.Contains("count petition sign sse", f.scenario) || f.scenario == "":
		return usageError{fmt.Sprintf("--scenario %q: want count, petition, sign or sse", f.scenario)}
	case f.conns < 1 || f.duration <= 0 || f.writeRate < 0 || f.subscribers < 1:
		return usageError{"--conns, --duration and --subscribers must be positive, --write-rate ≥ 0"}
	}
	mode := "serve"
	if f.seed {
		mode = "demo"
	}
	srv, err := startBenchServer(ctx, stderr, mode, f.serverFlags)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := benchClient(max(f.conns, 64) + 64)
	id, writeID := int64(demoSeedPetition), int64(demoOpenPetition)
	if f.seed {
		err = srv.waitReady(ctx, client)
	} else if id, err = srv.openPetition(client); err == nil {
		writeID = id
	}
	if err != nil {
		return fmt.Errorf("set up a petition: %w", err)
	}
	fmt.Fprintf(stdout, "server %s %s (pid %d), petition %d, writes to petition %d, GOMAXPROCS %d\n", mode, srv.base, srv.cmd.Process.Pid, id, writeID, runtime.GOMAXPROCS(0))
	switch f.scenario {
	case "count":
		return benchReads(ctx, stdout, srv, writeID, f, fmt.Sprintf("/petitions/%d/count.json", id), false)
	case "petition":
		return benchReads(ctx, stdout, srv, writeID, f, fmt.Sprintf("/petitions/%d.json", id), true)
	case "sign":
		return benchSign(ctx, stdout, srv, writeID, f)
	}
	return benchSSE(ctx, stdout, srv, client, writeID, f)
}

func benchClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: conns,
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
}

// benchServer is the serve child process.
type benchServer struct {
	cmd    *exec.Cmd
	dir    string
	base   string
	outbox string
}

// The demo history's seed petition (closed, all 650 constituencies) and its
// open petition, which accepts signatures.
const (
	demoSeedPetition = 1
	demoOpenPetition = 2
)

// startBenchServer starts `petitionledger serve` (mode "serve") or
// `petitionledger demo` (mode "demo": the demo history loaded first).
func startBenchServer(ctx context.Context, stderr io.Writer, mode string, extra []string) (*benchServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "petitionledger-bench-")
	if err != nil {
		return nil, err
	}
	s := &benchServer{dir: dir, outbox: filepath.Join(dir, "outbox.jsonl")}
	args := append([]string{mode, "--store", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0", "--rate-limit", "0",
		"--trust-proxy", "--outbox-file", s.outbox, "--token", "moderator:" + benchToken, "--log-level", "warn"}, extra...)
	s.cmd = exec.Command(exe, args...)
	s.cmd.Stderr = stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := benchServerAddress(sc.Text()); ok {
			s.base = addr
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if s.base == "" {
		s.stop()
		return nil, errors.New("the server did not start")
	}
	return s, nil
}

// waitReady polls /readyz until the projections have caught up with the
// log (the demo history), for at most a minute.
func (s *benchServer) waitReady(ctx context.Context, c *http.Client) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		status, _, err := call(c, "GET", s.base+"/readyz", "", "")
		if err == nil && status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("the server was not ready within a minute")
}

// benchServerAddress finds the server's base URL in a line of serve's
// ("listening on URL") or demo's ("Petition Ledger demo on URL (...)") output.
func benchServerAddress(line string) (string, bool) {
	if addr, ok := strings.CutPrefix(line, "listening on "); ok {
		return addr, true
	}
	if _, rest, ok := strings.Cut(line, "Petition Ledger demo on "); ok {
		addr, _, _ := strings.Cut(rest, " ")
		return addr, addr != ""
	}
	return "", false
}

// stop ends the server gracefully and removes its directory.
func (s *benchServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	_ = os.RemoveAll(s.dir)
}

// call sends one request; it returns the status and decoded JSON body.
func call(c *http.Client, method, url, body, ip string, headers ...string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out, nil
}

// confirmLink follows the mailed link of a signature.
func (s *benchServer) confirm(c *http.Client, sigID string) error {
	for try := 0; try < 100; try++ {
		b, err := os.ReadFile(s.outbox)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			var m mailLine
			if json.Unmarshal([]byte(line), &m) == nil && m.SignatureID == sigID {
				i := strings.Index(m.Link, "/signatures/")
				status, body, err := call(c, "GET", s.base+m.Link[i:], "", "")
				if err != nil || status != 200 {
					return fmt.Errorf("validate: %d %v %v", status, body, err)
				}
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no mail for signature %s", sigID)
}

func benchSigner(n int64) string {
	return fmt.Sprintf(`{"name":"Bench Signer","email":"bench%d@example.org","country":"GB","postcode":"SW1A 1AA"}`, n)
}

func benchIP(n int64) string { return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255) }

// openPetition creates, confirms, sponsors and publishes a petition.
func (s *benchServer) openPetition(c *http.Client) (int64, error) {
	status, rc, err := call(c, "POST", s.base+"/petitions", `{"action":"Benchmark petition","background":"Load test.","creator":`+benchSigner(-1)+`}`, "10.200.0.1")
	if err != nil || status != 201 {
		return 0, fmt.Errorf("create: %d %v %v", status, rc, err)
	}
	id := int64(rc["petition_id"].(float64))
	if err := s.confirm(c, rc["signature_id"].(string)); err != nil {
		return 0, err
	}
	for i := int64(0); i < 5; i++ {
		status, sp, err := call(c, "POST", fmt.Sprintf("%s/petitions/%d/sponsors", s.base, id), benchSigner(-10-i), benchIP(1<<22+i))
		if err != nil || status != 202 {
			return 0, fmt.Errorf("sponsor: %d %v %v", status, sp, err)
		}
		if err := s.confirm(c, sp["signature_id"].(string)); err != nil {
			return 0, err
		}
	}
	status, rc, err = call(c, "POST", fmt.Sprintf("%s/admin/petitions/%d/moderation", s.base, id), `{"outcome":"publish"}`, "",
		"Authorization", "Bearer "+benchToken)
	if err != nil || status != 200 {
		return 0, fmt.Errorf("publish: %d %v %v", status, rc, err)
	}
	// Start measuring only once the projections show the petition open.
	status, body, err := call(c, "GET", fmt.Sprintf("%s/petitions/%d/count.json", s.base, id), "", "",
		"X-Ledger-Min-Position", rc["position"].(string))
	if err != nil || status != 200 {
		return 0, fmt.Errorf("read after publish: %d %v %v", status, body, err)
	}
	return id, nil
}

// latencies collects request durations.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) percentile(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	return l.d[min(len(l.d)-1, int(p*float64(len(l.d))))]
}

var signSeq atomic.Int64

// signLoad posts signatures at rate per second until ctx ends; it returns
// the number acknowledged and failed.
func signLoad(ctx context.Context, base string, id int64, rate int) (ok, failed *atomic.Int64, wait func()) {
	ok, failed = &atomic.Int64{}, &atomic.Int64{}
	var wg sync.WaitGroup
	// Each worker waits for its signature to be durable (a group-commit
	// round, tens of ms on a busy disk), so the pool grows with the rate.
	workers := max(32, rate/20)
	if rate == 0 {
		return ok, failed, wg.Wait
	}
	interval := time.Duration(float64(time.Second) * float64(workers) / float64(rate))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := newRawConn(base)
			defer rc.close()
			next := time.Now()
			for ctx.Err() == nil {
				status, _, err := rc.roundTrip(rc.signRequest(id, signSeq.Add(1)))
				if err == nil && status == 202 {
					ok.Add(1)
				} else if ctx.Err() == nil {
					failed.Add(1)
				}
				next = next.Add(interval)
				if d := time.Until(next); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
					}
				}
			}
		}()
	}
	return ok, failed, wg.Wait
}

// benchReads measures GETs of path over f.conns connections while
// signatures are written at f.writeRate.
func benchReads(ctx context.Context, stdout io.Writer, srv *benchServer, writeID int64, f benchHTTPFlags, path string, gzip bool) error {
	ctx, cancel := context.WithTimeout(ctx, f.duration)
	defer cancel()
	wrote, wfail, waitWriters := signLoad(ctx, srv.base, writeID, f.writeRate)
	var gzipOK atomic.Bool
	meter := startCPUMeter(srv.cmd.Process.Pid)
	run := runConns(ctx, srv.base, f.conns, func(*rawConn) func() []byte {
		req := getRequest(srv.base, path, gzip)
		return func() []byte { return req }
	}, func(status int, gzipped bool) bool {
		if status != 200 {
			return false
		}
		if gzipped {
			gzipOK.Store(true)
		}
		return true
	})
	waitWriters()
	fmt.Fprintf(stdout, "GET %s: %d requests in %s over %d connections = %.0f req/s; p50 %s p99 %s; errors %d; gzip %v\n",
		path, run.ok, run.elapsed.Round(time.Millisecond), f.conns, float64(run.ok)/run.elapsed.Seconds(),
		run.lat.percentile(0.50).Round(time.Microsecond), run.lat.percentile(0.99).Round(time.Microsecond), run.failed, gzipOK.Load())
	fmt.Fprintf(stdout, "background writes: %d acknowledged (%.0f/s, target %d/s), %d failed\n",
		wrote.Load(), float64(wrote.Load())/run.elapsed.Seconds(), f.writeRate, wfail.Load())
	fmt.Fprintln(stdout, meter.report(run.ok, "GET, background signing included"))
	return nil
}

// benchSign measures POST signatures over f.conns connections.
func benchSign(ctx context.Context, stdout io.Writer, srv *benchServer, id int64, f benchHTTPFlags) error {
	ctx, cancel := context.WithTimeout(ctx, f.duration)
	defer cancel()
	meter := startCPUMeter(srv.cmd.Process.Pid)
	run := runConns(ctx, srv.base, f.conns, func(rc *rawConn) func() []byte {
		return func() []byte { return rc.signRequest(id, signSeq.Add(1)) }
	}, func(status int, _ bool) bool { return status == 202 })
	fmt.Fprintf(stdout, "POST signatures: %d acknowledged in %s over %d connections = %.0f/s; p50 %s p99 %s; errors %d\n",
		run.ok, run.elapsed.Round(time.Millisecond), f.conns, float64(run.ok)/run.elapsed.Seconds(),
		run.lat.percentile(0.50).Round(time.Microsecond), run.lat.percentile(0.99).Round(time.Microsecond), run.failed)
	fmt.Fprintln(stdout, meter.report(run.ok, "signature"))
	return nil
}

// connRun is what runConns measured.
type connRun struct {
	ok, failed int64 // failures after ctx ended are not counted
	lat        latencies
	elapsed    time.Duration
}

// runConns runs conns workers, each on a raw connection of its own, until
// ctx ends. Each asks requests(conn) for its request source, then sends
// the next request and reads the answer in a loop: accept judges the
// status (and whether the body was gzipped); the latency of each accepted
// request, from sending to the answer, is recorded.
func runConns(ctx context.Context, base string, conns int, requests func(rc *rawConn) func() []byte,
	accept func(status int, gzipped bool) bool) *connRun {
	var (
		run      connRun
		ok, errs atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<14)
			rc := newRawConn(base)
			defer rc.close()
			next := requests(rc)
			for ctx.Err() == nil {
				req := next()
				t0 := time.Now()
				status, gzipped, err := rc.roundTrip(req)
				took := time.Since(t0)
				if err == nil && accept(status, gzipped) {
					ok.Add(1)
					local = append(local, took)
				} else if ctx.Err() == nil {
					errs.Add(1)
				}
			}
			run.lat.add(local)
		}()
	}
	wg.Wait()
	run.elapsed = time.Since(start)
	run.ok, run.failed = ok.Load(), errs.Load()
	return &run
}
