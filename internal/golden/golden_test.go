package golden_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/internal/golden"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	errors, fatals int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Fatalf(string, ...any) { r.fatals++; panic(r) }
func (r *recorder) Fatal(...any)          { r.fatals++; panic(r) }
func check(r *recorder, path string, got []byte) (want []byte) {
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	return golden.Check(r, path, got)
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "doc.txt")
	t.Run("MissingFileIsFatal", func(t *testing.T) {
		t.Setenv(golden.EnvUpdate, "")
		r := &recorder{TB: t}
		check(r, path, []byte("a\n"))
		if r.fatals != 1 {
			t.Errorf("fatals: got %d, want 1", r.fatals)
		}
	})
	t.Run("UpdateWritesTheFile", func(t *testing.T) {
		t.Setenv(golden.EnvUpdate, "1")
		r := &recorder{TB: t}
		if got := string(check(r, path, []byte("a\n"))); got != "a\n" || r.errors+r.fatals != 0 {
			t.Errorf("got %q with %d errors, %d fatals; want %q and none", got, r.errors, r.fatals, "a\n")
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != "a\n" {
			t.Errorf("file: got %q, %v; want %q", b, err, "a\n")
		}
	})
	t.Run("EqualPasses", func(t *testing.T) {
		t.Setenv(golden.EnvUpdate, "")
		r := &recorder{TB: t}
		check(r, path, []byte("a\n"))
		if r.errors+r.fatals != 0 {
			t.Errorf("got %d errors, %d fatals; want none", r.errors, r.fatals)
		}
	})
	t.Run("DifferenceIsAnError", func(t *testing.T) {
		t.Setenv(golden.EnvUpdate, "")
		r := &recorder{TB: t}
		want := check(r, path, []byte("b\n"))
		if r.errors != 1 || r.fatals != 0 || string(want) != "a\n" {
			t.Errorf("got %d errors, %d fatals, golden %q; want 1 error and golden %q", r.errors, r.fatals, want, "a\n")
		}
	})
}
