package projections

import (
	"container/heap"

	"github.com/petitionledger/petitionledger/eventstore"
)

// waiter is one WaitFor call parked until the view reaches pos.
type waiter struct {
	pos   eventstore.Position
	ready chan struct{} // closed when the view reaches pos or the runner stops
}

// waitHeap orders parked waiters by position, so a publication wakes only
// the waiters it satisfies rather than every one of them.
type waitHeap []*waiter

func (h waitHeap) Len() int           { return len(h) }
func (h waitHeap) Less(i, j int) bool { return h[i].pos.Compare(h[j].pos) < 0 }
func (h waitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)        { *h = append(*h, x.(*waiter)) }
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}

// wakeLocked releases every waiter at or before pos. r.mu must be held.
func (r *Runner) wakeLocked(pos eventstore.Position) {
	for len(r.waiters) > 0 && r.waiters[0].pos.Compare(pos) <= 0 {
		close(heap.Pop(&r.waiters).(*waiter).ready)
	}
}

// wakeAllLocked releases every waiter (the runner stopped). r.mu must be held.
func (r *Runner) wakeAllLocked() {
	for _, w := range r.waiters {
		close(w.ready)
	}
	r.waiters = nil
}

// forgetLocked removes a waiter that gave up. r.mu must be held.
func (r *Runner) forgetLocked(w *waiter) {
	for i, x := range r.waiters {
		if x == w {
			heap.Remove(&r.waiters, i)
			return
		}
	}
}
