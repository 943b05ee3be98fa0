package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/httpapi"
)

const crashModeratorToken = "crash-test-moderator-token"

// buildBinary builds petitionledger once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the crash test builds the binary: install Go and put it on PATH (%v)", err)
	}
	bin := filepath.Join(t.TempDir(), "petitionledger")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a petitionledger serve process.
type server struct {
	cmd    *exec.Cmd
	base   string
	stderr *bytes.Buffer
	exited chan error
}

func startServer(t *testing.T, bin, dir, outbox string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--store", dir, "--listen", "127.0.0.1:0", "--rate-limit", "0",
		"--trust-proxy", "--outbox-file", outbox, "--token", "moderator:"+crashModeratorToken, "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			s.base = addr
			break
		}
	}
	if s.base == "" {
		t.Fatalf("server did not start: %s", s.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	s.waitReady(t)
	return s
}

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	var last string
	for i := 0; i < 1200; i++ {
		status, body, err := get(s.base + "/readyz")
		if err == nil && status == 200 {
			return
		}
		last = fmt.Sprint(status, body, err)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server never became ready (last /readyz: %s): %s", last, s.stderr)
}

// post sends a JSON write from client address ip.
func post(base, path, body, ip string, headers ...string) (int, map[string]any, error) {
	req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return doJSON(req)
}

func get(url string, headers ...string) (int, map[string]any, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, nil, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return doJSON(req)
}

func doJSON(req *http.Request) (int, map[string]any, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("status %d, body %q: %w", resp.StatusCode, b, err)
	}
	return resp.StatusCode, out, nil
}

// outboxLinks reads the confirmation links by signature id.
func outboxLinks(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m mailLine
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("outbox line %q: %v", line, err)
		}
		links[m.SignatureID] = m.Link
	}
	return links
}

// confirm follows the confirmation link of a signature on base.
func confirm(t *testing.T, base, outbox, sigID string) string {
	t.Helper()
	link, ok := outboxLinks(t, outbox)[sigID]
	if !ok {
		t.Fatalf("no confirmation mail for signature %s", sigID)
	}
	i := strings.Index(link, "/signatures/")
	status, body, err := get(base + link[i:])
	if err != nil || status != 200 {
		t.Fatalf("validate %s: %d %v %v", sigID, status, body, err)
	}
	return body["position"].(string)
}

// confirmAll validates every receipt's signature through its mailed link,
// 8 at a time, and returns the highest position acknowledged.
func confirmAll(t *testing.T, base string, links map[string]string, receipts []signReceipt) string {
	t.Helper()
	var (
		mu      sync.Mutex
		highest eventstore.Position
		wg      sync.WaitGroup
		next    atomic.Int64
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(receipts); i = int(next.Add(1)) - 1 {
				link, ok := links[receipts[i].sigID]
				if !ok {
					t.Errorf("no confirmation mail for acknowledged signature %s", receipts[i].sigID)
					continue
				}
				status, body, err := get(base + link[strings.Index(link, "/signatures/"):])
				if err != nil || status != 200 {
					t.Errorf("validate %s: %d %v %v", receipts[i].sigID, status, body, err)
					continue
				}
				pos, err := httpapi.ParsePosition(body["position"].(string))
				if err != nil {
					t.Errorf("receipt position: %v", err)
					continue
				}
				mu.Lock()
				if pos.Compare(highest) > 0 {
					highest = pos
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return highest.String()
}

func ipOf(n int) string { return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255) }

func signerBody(name, email string) string {
	return fmt.Sprintf(`{"name":%q,"email":%q,"country":"GB","postcode":"SW1A 1AA"}`, name, email)
}

// openPetitionViaAPI creates, confirms, sponsors and publishes a petition.
func openPetitionViaAPI(t *testing.T, s *server, outbox string, n int) int64 {
	t.Helper()
	status, rc, err := post(s.base, "/petitions", fmt.Sprintf(`{"action":"Crash test petition %d","background":"Testing durability.","creator":%s}`,
		n, signerBody("Creator", fmt.Sprintf("creator%d@example.org", n))), ipOf(1_000_000+n))
	if err != nil || status != 201 {
		t.Fatalf("create: %d %v %v", status, rc, err)
	}
	id := int64(rc["petition_id"].(float64))
	confirm(t, s.base, outbox, rc["signature_id"].(string))
	for i := 0; i < 5; i++ {
		status, sp, err := post(s.base, fmt.Sprintf("/petitions/%d/sponsors", id),
			signerBody("Sponsor", fmt.Sprintf("sponsor%d-%d@example.org", n, i)), ipOf(2_000_000+10*n+i))
		if err != nil || status != 202 {
			t.Fatalf("sponsor: %d %v %v", status, sp, err)
		}
		confirm(t, s.base, outbox, sp["signature_id"].(string))
	}
	status, rc, err = post(s.base, fmt.Sprintf("/admin/petitions/%d/moderation", id), `{"outcome":"publish"}`, "10.255.255.1",
		"Authorization", "Bearer "+crashModeratorToken)
	if err != nil || status != 200 {
		t.Fatalf("publish: %d %v %v", status, rc, err)
	}
	// Wait until the projections show the petition open: a read without
	// X-Ledger-Min-Position may otherwise still see it unpublished (404).
	countOf(t, s.base, id, rc["position"].(string))
	return id
}

type signReceipt struct {
	petition int64
	sigID    string
}

func countOf(t *testing.T, base string, id int64, minPos string) int {
	t.Helper()
	status, body, err := get(fmt.Sprintf("%s/petitions/%d/count.json", base, id), "X-Ledger-Min-Position", minPos)
	if err != nil || status != 200 {
		t.Fatalf("count of %d: %d %v %v", id, status, body, err)
	}
	return int(body["signature_count"].(float64))
}

// TestCrashKeepsEveryAcknowledgedSignature: signatures acknowledged with a
// 2xx before a SIGKILL are all in the log after a restart, each once, and
// the served counts equal a recount of the log.
func TestCrashKeepsEveryAcknowledgedSignature(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	s := startServer(t, bin, dir, outbox)
	var ids []int64
	for n := 0; n < 3; n++ {
		ids = append(ids, openPetitionViaAPI(t, s, outbox, n))
	}
	baseline := map[int64]int{}
	for _, id := range ids {
		baseline[id] = countOf(t, s.base, id, "0")
	}

	killAfter := 400
	if testing.Short() {
		killAfter = 120
	}
	var seq atomic.Int64
	receipts := signUntil(t, s, ids, &seq, killAfter, syscall.SIGKILL)
	t.Logf("%d signatures acknowledged before SIGKILL", len(receipts))

	s = startServer(t, bin, dir, outbox)
	perPetition := map[int64]int{}
	for _, r := range receipts {
		perPetition[r.petition]++
	}
	lastPos := confirmAll(t, s.base, outboxLinks(t, outbox), receipts)
	served := map[int64]int{}
	for _, id := range ids {
		served[id] = countOf(t, s.base, id, lastPos)
		if want := baseline[id] + perPetition[id]; served[id] != want {
			t.Errorf("petition %d: count %d, want %d (baseline %d + %d acknowledged)", id, served[id], want, baseline[id], perPetition[id])
		}
	}
	// Graceful shutdown under load: every signature acknowledged before
	// SIGTERM ended the process is in the log.
	drained := signUntil(t, s, ids, &seq, killAfter/2, syscall.SIGTERM)
	if err := <-s.exited; err != nil {
		t.Fatalf("graceful shutdown: %v\n%s", err, s.stderr)
	}
	t.Logf("%d signatures acknowledged around SIGTERM", len(drained))
	recountFromLog(t, dir, receipts, drained, served)
}

// signUntil signs from 16 workers until n signatures are acknowledged,
// then sends sig to the server, and returns every acknowledged signature
// (those answered while the server drains included).
func signUntil(t *testing.T, s *server, ids []int64, seq *atomic.Int64, n int, sig syscall.Signal) []signReceipt {
	t.Helper()
	var (
		mu       sync.Mutex
		receipts []signReceipt
		wg       sync.WaitGroup
		once     sync.Once
	)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(seq.Add(1))
				id := ids[k%len(ids)]
				status, rc, err := post(s.base, fmt.Sprintf("/petitions/%d/signatures", id),
					signerBody("Signer", fmt.Sprintf("signer%d@example.org", k)), ipOf(k), "Idempotency-Key", uuid.NewString())
				if err != nil {
					return // the server is gone
				}
				if status == http.StatusServiceUnavailable && sig == syscall.SIGTERM {
					return // draining: refused, not acknowledged
				}
				if status/100 != 2 {
					t.Errorf("sign: %d %v", status, rc)
					return
				}
				mu.Lock()
				receipts = append(receipts, signReceipt{id, rc["signature_id"].(string)})
				if len(receipts) >= n {
					once.Do(func() { _ = s.cmd.Process.Signal(sig) })
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if sig == syscall.SIGKILL {
		<-s.exited
	}
	return receipts
}

// recountFromLog reads the whole log: every acknowledged signature is
// signed once (and validated once, except those acknowledged in the drain
// phase, never validated), and the validated signatures per petition equal
// the served counts.
func recountFromLog(t *testing.T, dir string, receipts, unvalidated []signReceipt, served map[int64]int) {
	t.Helper()
	store, err := embedded.Open(dir, embedded.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	evs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	signed, validated := map[string]int{}, map[string]int{}
	recount := map[int64]int{}
	for _, ev := range evs {
		if !domain.IsKnownEventType(ev.Type) {
			continue
		}
		e, err := domain.DecodeEvent(ev.Type, ev.Data)
		if err != nil {
			t.Fatalf("decode %s at %s: %v", ev.Type, ev.Position, err)
		}
		switch e := e.(type) {
		case domain.SignatureSigned:
			signed[e.SignatureID.String()]++
		case domain.SignatureValidated:
			validated[e.SignatureID.String()]++
			recount[e.PetitionID]++
		case domain.SignatureInvalidated, domain.SignatureMarkedFraudulent:
			t.Fatalf("unexpected %T in the crash test's log", e)
		}
	}
	for _, r := range receipts {
		if signed[r.sigID] != 1 || validated[r.sigID] != 1 {
			t.Errorf("signature %s: signed %d times, validated %d times; want 1 and 1", r.sigID, signed[r.sigID], validated[r.sigID])
		}
	}
	for _, r := range unvalidated {
		if signed[r.sigID] != 1 || validated[r.sigID] != 0 {
			t.Errorf("signature %s acknowledged while draining: signed %d times, validated %d; want 1 and 0", r.sigID, signed[r.sigID], validated[r.sigID])
		}
	}
	for id, n := range served {
		if recount[id] != n {
			t.Errorf("petition %d: served count %d, recount of the log %d", id, n, recount[id])
		}
	}
}
