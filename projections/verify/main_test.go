package verify

import (
	"os"
	"testing"
)

// sharedDir holds the shared demo fixture's files for the whole run.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "verify-test-")
	if err != nil {
		panic(err)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
