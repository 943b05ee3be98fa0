package embedded_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// lockChildEnv makes the test binary try to open a directory and report.
const lockChildEnv = "EMBEDDED_LOCK_CHILD_DIR"

// lockChild tries to open dir: exit 0 if it could, 7 with the error on
// stderr if it is locked, 8 on any other error.
func lockChild(dir string) {
	s, err := embedded.Open(dir, embedded.WithLogger(quietLogger()))
	switch {
	case err == nil:
		s.Close()
		os.Exit(0)
	case errors.Is(err, embedded.ErrLocked):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(7)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(8)
	}
}

// TestSecondProcessIsLocked: while one process has the store open, another
// process gets ErrLocked naming the directory; after Close it can open.
func TestSecondProcessIsLocked(t *testing.T) {
	s, dir := mustOpen(t)
	run := func() (int, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), lockChildEnv+"="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), stderr.String()
		}
		if err != nil {
			t.Fatalf("run child: %v", err)
		}
		return 0, stderr.String()
	}
	code, msg := run()
	if code != 7 || !strings.Contains(msg, dir) {
		t.Fatalf("second process while open: exit %d, %q; want exit 7 (ErrLocked) naming %s", code, msg, dir)
	}
	s.Close()
	if code, msg := run(); code != 0 {
		t.Fatalf("second process after Close: exit %d, %q; want 0", code, msg)
	}
}
