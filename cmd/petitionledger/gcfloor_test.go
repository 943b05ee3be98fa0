package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name              string
		floor, live       uint64
		base, wantPercent int
	}{
		{"SmallHeapRaised", 128 * mib, 4 * mib, 100, 3100},
		{"HalfFloorKeepsBase", 128 * mib, 64 * mib, 100, 100},
		{"AboveFloorKeepsBase", 128 * mib, 1024 * mib, 100, 100},
		{"HigherBaseKept", 128 * mib, 64 * mib, 400, 400},
		{"NoLiveHeapKeepsBase", 128 * mib, 0, 100, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := gcPercentFor(tc.floor, tc.live, tc.base)
			if got != tc.wantPercent {
				t.Errorf("gcPercentFor(%d, %d, %d) = %d, want %d", tc.floor, tc.live, tc.base, got, tc.wantPercent)
			}
			// The heap goal reaches the floor, or the base already did.
			if goal := tc.live + tc.live*uint64(got)/100; tc.live > 0 && goal < tc.floor && got != tc.base {
				t.Errorf("heap goal %d below the floor %d", goal, tc.floor)
			}
		})
	}
}

// TestGCFloorRaisesAndRestoresGOGC starts a floor far above this test's
// heap: GOGC rises, stays raised across collections, and returns to what
// it was when the floor stops.
func TestGCFloorRaisesAndRestoresGOGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	stop := startGCFloor(1 << 30)
	for range 3 {
		runtime.GC()
	}
	raised := debug.SetGCPercent(-1)
	debug.SetGCPercent(raised)
	stop()
	after := debug.SetGCPercent(100)
	if raised <= 100 || after != 100 {
		t.Errorf("GOGC with the floor %d (want > 100), after stop %d (want 100)", raised, after)
	}
}
