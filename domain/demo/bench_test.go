//go:build unix

package demo_test

import (
	"syscall"
	"testing"

	"github.com/petitionledger/petitionledger/domain/demo"
)

// BenchmarkGenerate measures generating the full demo history (about
// 100,000 events) from scratch.
func BenchmarkGenerate(b *testing.B) {
	opts := testOptions(b, 1)
	if _, err := demo.Generate(opts); err != nil { // load geo and its index outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, n := cpuSeconds(), 0
	for b.Loop() {
		h, err := demo.Generate(opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(h.Records)), "events")
		n++
	}
	// CPU time (all goroutines, GC included) is less disturbed than wall
	// time by other processes on a shared machine.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(n), "cpu-s/op")
}

// cpuSeconds is the user plus system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkDigest measures encoding the full history and hashing it.
func BenchmarkDigest(b *testing.B) {
	h, err := demo.Generate(testOptions(b, 1))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := h.Digest(); err != nil {
			b.Fatal(err)
		}
	}
}
