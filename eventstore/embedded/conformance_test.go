package embedded_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/storetest"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mustOpen opens a store in a fresh directory, closed when the test ends.
func mustOpen(tb testing.TB, opts ...embedded.Option) (*embedded.Store, string) {
	tb.Helper()
	dir := tb.TempDir()
	s, err := embedded.Open(dir, append([]embedded.Option{embedded.WithLogger(quietLogger())}, opts...)...)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, dir
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) eventstore.Store {
		s, _ := mustOpen(tb)
		return s
	})
}

// TestConformanceSmallSegments runs the suite with tiny segments so that
// reads and subscriptions cross segment boundaries all the time.
func TestConformanceSmallSegments(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) eventstore.Store {
		s, _ := mustOpen(tb, embedded.WithSegmentSize(4096))
		return s
	})
}
