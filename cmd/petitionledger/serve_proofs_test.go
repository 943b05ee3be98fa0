package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
)

// TestServeLedgerProofsEndToEnd runs serve on a seeded store, completes a
// receipt over HTTP, checks it with `verify receipt`, stops the node and
// checks the whole store with `verify ledger` (which finds the tree and the
// checkpoint history under <store>/projections/merkle).
func TestServeLedgerProofsEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	t.Setenv(envCheckpointEvery, "50ms")
	var stderr bytes.Buffer
	f, err := parseServeFlags("serve", []string{"--store", dir, "--listen", "127.0.0.1:0", "--log-level", "error"}, "./data", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.nodeConfig(func(string) string { return "" }, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	var id uuid.UUID
	var pos eventstore.Position
	cfg.Seed = func(ctx context.Context, s eventstore.Store) error {
		for i := 0; i < 25; i++ {
			e := uuid.New()
			res, err := s.Append(ctx, fmt.Sprintf("seed-%d", i), eventstore.NoStream{}, eventstore.EventData{ID: e, Type: "Seed.v1", Data: []byte(`{}`)})
			if err != nil {
				return err
			}
			if i == 17 {
				id, pos = e, res.Position
			}
		}
		return nil
	}
	started := make(chan string, 1)
	cfg.Started = func(h, _ string) { started <- h }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runNode(ctx, cfg) }()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		t.Fatalf("node did not start: %v %s", err, stderr.String())
	}
	work := t.TempDir()
	key := fetch(t, "http://"+addr+"/.well-known/petitionledger/checkpoint-key")
	writeFile(t, filepath.Join(work, "key"), key)
	var receipt []byte
	for deadline := time.Now().Add(20 * time.Second); ; {
		code, body := fetchStatus(t, fmt.Sprintf("http://%s/ledger/receipt?position=%s&event_id=%s", addr, pos, id))
		if code == 200 {
			receipt = body
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipt: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cp := fetch(t, "http://"+addr+"/ledger/checkpoint")
	writeFile(t, filepath.Join(work, "receipt.json"), receipt)
	writeFile(t, filepath.Join(work, "cp"), cp)
	code, out, errs := runCLI("verify", "receipt", "--receipt", filepath.Join(work, "receipt.json"), "--checkpoint", filepath.Join(work, "cp"), "--key", filepath.Join(work, "key"))
	if code != 0 || !strings.Contains(out, "is leaf 17 of petitionledger.local/ledger") {
		t.Fatalf("verify receipt: %d %s %s", code, out, errs)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	code, out, errs = runCLI("verify", "ledger", "--store", dir, "--checkpoint", filepath.Join(work, "cp"), "--key", filepath.Join(work, "key"))
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify ledger: %d %s %s", code, out, errs)
	}
	if st, err := os.Stat(filepath.Join(dir, "projections", "merkle", "checkpoint.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint key: %v", err)
	}
}

func fetchStatus(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	code, b := fetchStatus(t, url)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", url, code, b)
	}
	return b
}
