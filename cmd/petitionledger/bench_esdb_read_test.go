package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchESDBReadSplitsClientAndServer runs the benchmark small, through
// the real binary (the client runs as a child process of it), and checks
// that it reads every event both ways and reports each side's CPU.
func TestBenchESDBReadSplitsClientAndServer(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "bench", "esdb-read", "-events", "2500", "-reps", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("bench esdb-read: %v\n%s", err, out)
	}
	rows := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "server process"):
			rows["server process"]++
			if len(fields) != 7 || !strings.HasSuffix(fields[5], "s") {
				t.Errorf("in-process row %q: want events/s, -, -, cpu per event, ceiling", line)
			}
		case strings.HasPrefix(line, "own process"):
			rows["own process"]++
			if len(fields) != 7 || fields[3] == "-" || fields[4] == "-" {
				t.Errorf("child row %q: want client and server CPU apart", line)
			}
		}
	}
	if got, want := rows, map[string]int{"server process": 1, "own process": 1}; got["server process"] != want["server process"] || got["own process"] != want["own process"] {
		t.Fatalf("rows: got %v, want %v\n%s", got, want, out)
	}
}

func TestBenchESDBReadRejectsBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "esdb-read", "-events", "0"}, "-events and -reps must be positive"},
		{[]string{"bench", "esdb-read", "-reps", "-1"}, "-events and -reps must be positive"},
		{[]string{"bench", "esdb-read", "extra"}, "no arguments"},
		{[]string{"bench", "esdb-read", "-nope"}, "flag provided but not defined"},
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
