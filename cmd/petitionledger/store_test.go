package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// storeWithFlippedBit writes 10 events, then damages the fourth record and
// removes the index snapshot.
func storeWithFlippedBit(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := embedded.Open(dir, embedded.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		ev := eventstore.EventData{ID: uuid.New(), Type: "t", Data: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		if _, err := s.Append(context.Background(), "cli", eventstore.Any{}, ev); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	os.Remove(filepath.Join(dir, "index.snap"))
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.log"))
	b, _ := os.ReadFile(segs[0])
	size := (len(b) - 16) / 10
	b[16+3*size+60] ^= 1
	if err := os.WriteFile(segs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStoreCommand(t *testing.T) {
	dir := storeWithFlippedBit(t)
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"MissingStoreFlagIsUsage", []string{"store", "check"}, 2, "--store DIR is required"},
		{"UnknownSubcommandIsUsage", []string{"store", "fix", "--store", dir}, 2, "unknown subcommand"},
		{"CheckReportsCorruption", []string{"store", "check", "--store", dir}, 1, "corrupt:"},
		{"RepairRefusesToDropValidRecords", []string{"store", "repair", "--store", dir}, 1, "--drop-valid-records"},
		{"CheckStillReportsIt", []string{"store", "check", "--store", dir}, 1, "6 CRC-valid records"},
		{"RepairWithFlagDrops", []string{"store", "repair", "--store", dir, "--drop-valid-records"}, 0, "dropped 6 CRC-valid records"},
		{"CheckIsCleanAfterRepair", []string{"store", "check", "--store", dir}, 0, "ok"},
		{"RepairOfCleanStoreDoesNothing", []string{"store", "repair", "--store", dir}, 0, "nothing to repair"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := run(context.Background(), tc.args, &out, &errb)
			if got != tc.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", got, tc.wantCode, out.String(), errb.String())
			}
			if all := out.String() + errb.String(); !strings.Contains(all, tc.wantOut) {
				t.Errorf("output does not contain %q:\n%s", tc.wantOut, all)
			}
		})
	}
}
