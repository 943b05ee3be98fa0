package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultGCMinHeapMiB is the heap the garbage collector may grow to before
// it runs at all in `serve` (and in `bench esdb`'s server): 128 MiB.
//
// Go's collector runs whenever the heap doubles what stayed live (GOGC=100).
// A server whose live heap is a few MiB (a fresh store, few projections)
// then collects every few MiB of garbage: through the EventStoreDB
// protocol, every ~300 single-event appends, which with the stack
// re-growth it causes cost about a fifth of the CPU per append. A floor on
// the heap goal makes a small server collect rarely, and changes nothing
// once the live heap is above half the floor (a large store's index).
const DefaultGCMinHeapMiB = 128

// gcFlags are the collector settings of a long-running command.
type gcFlags struct {
	minHeapMiB int
}

func (f *gcFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.minHeapMiB, "gc-min-heap", DefaultGCMinHeapMiB,
		"MiB the Go heap may reach before garbage collection runs (0: Go's default, collect when the heap doubles; GOGC and GOMEMLIMIT still apply)")
}

// describe says what apply does, for reports.
func (f gcFlags) describe() string {
	if f.minHeapMiB <= 0 || os.Getenv("GOGC") == "off" {
		return "Go's default garbage collection (GOGC=" + os.Getenv("GOGC") + ")"
	}
	return fmt.Sprintf("garbage collection heap floor %d MiB (serve's --gc-min-heap)", f.minHeapMiB)
}

// apply starts the heap floor unless it is 0 or GOGC is "off"; stop ends it.
func (f gcFlags) apply(log *slog.Logger) (stop func()) {
	if f.minHeapMiB <= 0 || os.Getenv("GOGC") == "off" {
		return func() {}
	}
	log.Debug("garbage collection heap floor", slog.Int("min_heap_mib", f.minHeapMiB))
	return startGCFloor(uint64(f.minHeapMiB) << 20)
}

// gcFloor keeps the collector's heap goal at or above floor bytes by
// raising GOGC after each collection while the live heap is small. It never
// lowers GOGC below the percentage in effect when it started.
type gcFloor struct {
	floor  uint64
	base   int // GOGC when the floor started
	sample []metrics.Sample

	mu      sync.Mutex // orders adjust and stop
	stopped bool
}

// gcSentinel is garbage whose finalizer runs once per collection. It is
// larger than the 16-byte tiny-allocator blocks, whose finalizers may never
// run.
type gcSentinel struct{ _ [32]byte }

func startGCFloor(floor uint64) (stop func()) {
	g := &gcFloor{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	g.base = debug.SetGCPercent(100)
	debug.SetGCPercent(g.base)
	g.adjust()
	g.arm()
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.stopped = true
		debug.SetGCPercent(g.base)
	}
}

// arm has adjust run after the next collection.
func (g *gcFloor) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		if g.adjust() {
			g.arm()
		}
	})
}

// adjust sets GOGC for the live heap the last collection measured; false
// once the floor has stopped.
func (g *gcFloor) adjust() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	metrics.Read(g.sample)
	// Before the first collection the runtime counts a live heap of
	// 4 MiB, its minimum, and so does this.
	live := uint64(4 << 20)
	if g.sample[0].Value.Kind() == metrics.KindUint64 {
		live = max(live, g.sample[0].Value.Uint64())
	}
	debug.SetGCPercent(gcPercentFor(g.floor, live, g.base))
	return true
}

// gcPercentFor is the GOGC that puts the heap goal, live × (1 + GOGC/100),
// at floor, but not below base.
func gcPercentFor(floor, live uint64, base int) int {
	if live == 0 || live >= floor {
		return base
	}
	return max(base, int(float64(floor)/float64(live)*100)-100)
}
