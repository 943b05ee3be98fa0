package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysGenerate(t *testing.T) {
	dir := t.TempDir()
	skey, vkey := filepath.Join(dir, "ck.key"), filepath.Join(dir, "ck.pub")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"keys", "generate", "--name", "ledger-test", "--out", skey, "--pub", vkey}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	st, err := os.Stat(skey)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v mode %v", err, st.Mode().Perm())
	}
	pub, _ := os.ReadFile(vkey)
	if got := strings.TrimSpace(out.String()); got != strings.TrimSpace(string(pub)) || !strings.HasPrefix(got, "ledger-test+") {
		t.Fatalf("printed %q, file %q", got, pub)
	}
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"keys"}, 2, "usage"},
		{[]string{"keys", "generate"}, 2, "--out FILE is required"},
		{[]string{"keys", "generate", "--out", skey}, 1, "already exists"},
	}
	for _, tt := range tests {
		errb.Reset()
		if code := run(context.Background(), tt.args, &out, &errb); code != tt.code || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("%v: exit %d %q, want %d containing %q", tt.args, code, errb.String(), tt.code, tt.msg)
		}
	}
}
