package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunUnknownCommandFails(t *testing.T) {
	var out, errb bytes.Buffer
	got := run(context.Background(), []string{"no-such-command"}, &out, &errb)
	if want := 2; got != want {
		t.Fatalf("exit code: got %d, want %d", got, want)
	}
	if !strings.Contains(errb.String(), `unknown command "no-such-command"`) {
		t.Fatalf("stderr does not name the command: %q", errb.String())
	}
}

func TestRunHelpListsCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if got := run(context.Background(), []string{"help"}, &out, &errb); got != 0 {
		t.Fatalf("exit code: got %d, want 0", got)
	}
	if !strings.Contains(out.String(), "usage: petitionledger") {
		t.Fatalf("help output: %q", out.String())
	}
}
