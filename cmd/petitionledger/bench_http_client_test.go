package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
)

// TestSignRequestEncoding checks the load generator's hand-encoded POST
// parses as the request benchSigner and benchIP describe.
func TestSignRequestEncoding(t *testing.T) {
	c := newRawConn("http://127.0.0.1:8080")
	tests := []struct{ id, n int64 }{{1, 1}, {42, 70000}, {7, 1<<24 + 5}}
	for _, tt := range tests {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(c.signRequest(tt.id, tt.n))))
		if err != nil {
			t.Fatalf("signRequest(%d, %d): %v", tt.id, tt.n, err)
		}
		body, _ := io.ReadAll(req.Body)
		got := []string{req.Method, req.URL.Path, req.Host, req.Header.Get("X-Forwarded-For"), req.Header.Get("Content-Type"), string(body)}
		want := []string{"POST", "/petitions/" + strconv.FormatInt(tt.id, 10) + "/signatures", "127.0.0.1:8080", benchIP(tt.n), "application/json", benchSigner(tt.n)}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("signRequest(%d, %d) part %d = %q, want %q", tt.id, tt.n, i, got[i], want[i])
			}
		}
	}
}

func TestGetRequestEncoding(t *testing.T) {
	for _, gz := range []bool{false, true} {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(getRequest("http://h:1", "/petitions/3.json", gz))))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := req.Header.Get("Accept-Encoding") == "gzip", gz; got != want || req.URL.Path != "/petitions/3.json" || req.Host != "h:1" {
			t.Errorf("getRequest(gzip=%v) = %s %s %v", gz, req.Host, req.URL.Path, req.Header)
		}
	}
}

// TestCPUTime checks both sources: getrusage for this process and
// /proc/{pid}/stat for another (the go command that started the test has
// used CPU to build it).
func TestCPUTime(t *testing.T) {
	before := cpuTime(os.Getpid())
	for x, i := 0, 0; i < 50_000_000; i++ {
		x += i * i
		_ = x
	}
	if after := cpuTime(os.Getpid()); after <= before {
		t.Errorf("own CPU time %v -> %v after a busy loop, want it to grow", before, after)
	}
	if got := cpuTime(os.Getppid()); got <= 0 {
		t.Errorf("cpuTime(parent) = %v, want > 0 (read from /proc/%d/stat)", got, os.Getppid())
	}
	if got := cpuTime(1 << 30); got != 0 {
		t.Errorf("cpuTime(no such pid) = %v, want 0", got)
	}
}

func TestBenchServerAddress(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"listening on http://127.0.0.1:4000", "http://127.0.0.1:4000", true},
		{"Petition Ledger demo on http://127.0.0.1:8080 (data in /tmp/x, removed at exit)", "http://127.0.0.1:8080", true},
		{"loaded 100182 events in 7.36s", "", false},
	}
	for _, tt := range tests {
		got, ok := benchServerAddress(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("benchServerAddress(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}
