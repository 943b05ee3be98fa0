// Package golden compares test output with golden files. Run the tests with
// UPDATE_GOLDEN=1 to rewrite the files after an intended change.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// EnvUpdate names the environment variable that, when set to anything but
// the empty string, makes Check write the golden files.
const EnvUpdate = "UPDATE_GOLDEN"

// Check compares got with the golden file at path and returns the file's
// contents. With UPDATE_GOLDEN set it first writes got to path (creating
// its directory). A missing file fails tb at once; a difference is reported
// with both versions and tb continues.
func Check(tb testing.TB, path string, got []byte) []byte {
	tb.Helper()
	if os.Getenv(EnvUpdate) != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden file: %v (create it with %s=1)", err, EnvUpdate)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("output differs from golden file %s (%s=1 accepts it):\n got: %s\nwant: %s",
			path, EnvUpdate, bytes.TrimSpace(got), bytes.TrimSpace(want))
	}
	return want
}
