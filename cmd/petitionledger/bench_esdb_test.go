package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchESDBSplitReportsServerCPU runs the benchmark small through the
// real binary with the server in a child process, and checks that every
// esdb row reports the server's CPU apart from the client's.
func TestBenchESDBSplitReportsServerCPU(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "bench", "esdb", "--split", "--events", "2000", "--singles", "2000", "--clients", "16", "--conns", "4").CombinedOutput()
	if err != nil {
		t.Fatalf("bench esdb --split: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "server: child process") {
		t.Errorf("the report does not say the server is a child process:\n%s", out)
	}
	rows := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "grpc unary") && !strings.HasPrefix(line, "append") && !strings.HasPrefix(line, "read $all") {
			continue
		}
		rows++
		fields := strings.Fields(line)
		// The server CPU column is the third from the end; "-" when unknown.
		if len(fields) < 7 || fields[len(fields)-2] == "-" {
			t.Errorf("row %q: want the server's CPU per event", line)
		}
	}
	if rows != 4 {
		t.Fatalf("got %d rows, want 4 (baseline, batch, single, read)\n%s", rows, out)
	}
}

func TestBenchESDBRejectsBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "esdb", "-singles", "0"}, "must be positive"},
		{[]string{"bench", "esdb", "-conns", "-1"}, "-conns not negative"},
		{[]string{"bench", "esdb", "-split", "-server", "127.0.0.1:1"}, "--split and --server exclude each other"},
		{[]string{"bench", "esdb", "-server-pid", "12"}, "--server-pid needs --server"},
		{[]string{"bench", "esdb", "extra"}, "no arguments"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &errb); got != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, got)
		}
		if !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: stderr %q does not say %q", tt.args, errb.String(), tt.want)
		}
	}
}
