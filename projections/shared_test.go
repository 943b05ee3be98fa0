package projections

import (
	"os"
	"sync"
	"testing"
)

// Fixtures shared by several tests or benchmarks of one test binary (the
// demo history, the benchmark store) live in directories made by
// sharedDir and are removed by TestMain when the binary exits.
var (
	exitMu    sync.Mutex
	exitFuncs []func()
)

// atExit runs f when the test binary exits (in reverse order).
func atExit(f func()) {
	exitMu.Lock()
	defer exitMu.Unlock()
	exitFuncs = append(exitFuncs, f)
}

// sharedDir makes a directory that outlives the test that asked for it
// and is removed when the binary exits.
func sharedDir(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "projections-"+name+"-")
	if err != nil {
		tb.Fatal(err)
	}
	atExit(func() { _ = os.RemoveAll(dir) })
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	exitMu.Lock()
	for i := len(exitFuncs) - 1; i >= 0; i-- {
		exitFuncs[i]()
	}
	exitMu.Unlock()
	os.Exit(code)
}
