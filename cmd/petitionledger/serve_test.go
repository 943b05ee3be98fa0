package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/httpapi"
)

func TestServeFlagsFromEnvironment(t *testing.T) {
	env := map[string]string{
		"PETITIONLEDGER_LISTEN":     "127.0.0.1:9999",
		"PETITIONLEDGER_STORE":      "esdb://db:2113?tls=false",
		"PETITIONLEDGER_RATE_LIMIT": "2.5",
		"PETITIONLEDGER_TOKENS":     "moderator:" + strings.Repeat("m", 20) + ",auditor:" + strings.Repeat("a", 20),
	}
	getenv := func(k string) string { return env[k] }
	t.Setenv("PETITIONLEDGER_LISTEN", env["PETITIONLEDGER_LISTEN"])
	t.Setenv("PETITIONLEDGER_STORE", env["PETITIONLEDGER_STORE"])
	t.Setenv("PETITIONLEDGER_RATE_LIMIT", env["PETITIONLEDGER_RATE_LIMIT"])
	var stderr bytes.Buffer
	f, err := parseServeFlags("serve", []string{"--listen", "127.0.0.1:7000"}, "./data", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.nodeConfig(getenv, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"flag beats env", cfg.Listen, "127.0.0.1:7000"},
		{"store from env", cfg.Store, "esdb://db:2113?tls=false"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if cfg.PublicWrites != (httpapi.RateLimit{Rate: 2.5, Burst: 20}) {
		t.Errorf("rate: got %+v", cfg.PublicWrites)
	}
	if cfg.Tokens.Len() != 2 {
		t.Errorf("tokens: got %d, want 2", cfg.Tokens.Len())
	}
	cfg.derivePaths()
	if cfg.StateDir != filepath.Join("state", "projections") || cfg.SecretsFile != filepath.Join("state", "secrets.json") {
		t.Errorf("esdb paths: %q %q", cfg.StateDir, cfg.SecretsFile)
	}
	embeddedCfg := nodeConfig{Store: "/srv/data"}
	embeddedCfg.derivePaths()
	if embeddedCfg.StateDir != "/srv/data/projections" || embeddedCfg.SecretsFile != "/srv/data/secrets.json" {
		t.Errorf("embedded paths: %q %q", embeddedCfg.StateDir, embeddedCfg.SecretsFile)
	}
}

func TestServeBadCommandLines(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
		{"extra argument", []string{"now"}, "unexpected arguments"},
		{"bad token", []string{"--token", "king:" + strings.Repeat("k", 20)}, "unknown role"},
		{"short token", []string{"--token", "moderator:abc"}, "at least 16"},
		{"bad rate", []string{"--rate-limit", "-1"}, "--rate-limit"},
		{"bad level", []string{"--log-level", "loud"}, "--log-level"},
		{"empty store", []string{"--store", ""}, "--store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runServe(context.Background(), tt.args, &out, &errb)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a usage error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), strings.Repeat("k", 20)) {
				t.Fatal("the error echoes the token")
			}
		})
	}
	t.Run("missing tokens file", func(t *testing.T) {
		var out, errb bytes.Buffer
		err := runServe(context.Background(), []string{"--tokens-file", filepath.Join(t.TempDir(), "none")}, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "--tokens-file") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSecretsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secrets.json")
	a, err := loadOrCreateSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadOrCreateSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.HasherKey, b.HasherKey) || !bytes.Equal(a.TokenSecret, b.TokenSecret) {
		t.Fatal("secrets changed between loads")
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", st.Mode(), err)
	}
	if err := os.WriteFile(path, []byte(`{"version":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadOrCreateSecrets(path); err == nil {
		t.Fatal("a secrets file without keys was accepted")
	}
}

func TestServeAnswersOnAFreshDirectoryAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	var stderr bytes.Buffer
	f, err := parseServeFlags("serve", []string{"--store", dir, "--listen", "127.0.0.1:0"}, "./data", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.nodeConfig(func(string) string { return "" }, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Started = func(addr, _ string) { started <- addr }
	done := make(chan error, 1)
	go func() { done <- runNode(ctx, cfg) }()
	addr := <-started
	for _, path := range []string{"/healthz", "/petitions.json", "/constituencies.json"} {
		status, _, err := get("http://" + addr + path)
		if err != nil && path != "/constituencies.json" || status != 200 {
			t.Errorf("%s: %d %v", path, status, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets.json")); err != nil {
		t.Fatalf("secrets file: %v", err)
	}
}

// startNode runs a node in process until the test ends and returns its
// HTTP and esdb addresses.
func startNode(t *testing.T, args ...string) (httpAddr, esdbAddr string) {
	t.Helper()
	var stderr bytes.Buffer
	f, err := parseServeFlags("serve", append([]string{"--listen", "127.0.0.1:0", "--log-level", "error"}, args...), "./data", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.nodeConfig(func(string) string { return "" }, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	type addrs struct{ http, esdb string }
	started := make(chan addrs, 1)
	cfg.Started = func(h, e string) { started <- addrs{h, e} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runNode(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node shutdown: %v", err)
		}
	})
	select {
	case a := <-started:
		return a.http, a.esdb
	case err := <-done:
		t.Fatalf("node did not start: %v (%s)", err, stderr.String())
	}
	return "", ""
}

// TestServeOverEventStoreDBProtocol runs one node on the embedded store
// serving the EventStoreDB protocol, and a second node, same binary and
// flags, on --store esdb://: a petition created through the second is seen
// by the first.
func TestServeOverEventStoreDBProtocol(t *testing.T) {
	auditor := "auditor:" + strings.Repeat("a", 24)
	dir := t.TempDir()
	httpA, esdbA := startNode(t, "--store", filepath.Join(dir, "a"), "--esdb-listen", "127.0.0.1:0", "--token", auditor)
	if esdbA == "" {
		t.Fatal("no esdb address")
	}
	httpB, _ := startNode(t, "--store", "esdb://"+esdbA+"?tls=false", "--state-dir", filepath.Join(dir, "b-state"),
		"--secrets-file", filepath.Join(dir, "a", "secrets.json"))
	status, rc, err := post("http://"+httpB, "/petitions",
		`{"action":"Through the esdb protocol","background":"Same binary, same flags.","creator":{"name":"Ada","email":"ada@example.org","country":"FR"}}`, "")
	if err != nil || status != 201 {
		t.Fatalf("create on B: %d %v %v", status, rc, err)
	}
	pos := rc["position"].(string)
	id := int64(rc["petition_id"].(float64))
	status, body, err := get(fmt.Sprintf("http://%s/admin/petitions/%d.json", httpA, id),
		"Authorization", "Bearer "+strings.Repeat("a", 24), "X-Ledger-Min-Position", pos)
	if err != nil || status != 200 {
		t.Fatalf("read on A: %d %v %v", status, body, err)
	}
	attrs := body["data"].(map[string]any)["attributes"].(map[string]any)
	if attrs["action"] != "Through the esdb protocol" || attrs["state"] != "pending" {
		t.Fatalf("A sees %v", attrs)
	}
	if status, body, err := get("http://" + httpB + "/readyz"); err != nil || status != 200 {
		t.Fatalf("B readyz: %d %v %v", status, body, err)
	}
}

// FuzzSecretsFile: any file content either loads as complete secrets or is
// refused; it never panics.
func FuzzSecretsFile(f *testing.F) {
	good, _ := os.ReadFile(func() string {
		p := filepath.Join(f.TempDir(), "s.json")
		if _, err := loadOrCreateSecrets(p); err != nil {
			f.Fatal(err)
		}
		return p
	}())
	for _, s := range [][]byte{good, []byte(`{}`), []byte(`{"version":1,"current_key":"k1","sealing_keys":{"k1":""}}`), []byte(`[`), nil} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "secrets.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := loadOrCreateSecrets(p)
		if err != nil {
			return
		}
		if len(s.HasherKey) < 32 || len(s.TokenSecret) < 32 || len(s.SealingKeys[s.CurrentKey]) != 32 {
			t.Fatalf("accepted incomplete secrets from %q", b)
		}
		if _, err := domainRules(s); err != nil {
			t.Fatalf("accepted secrets the domain refuses: %v", err)
		}
	})
}
