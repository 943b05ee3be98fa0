package embedded_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestExactExpectationRace: writers race to append each next revision of
// one stream with Exact; exactly one wins every revision and the losers
// see the winner's revision as actual.
func TestExactExpectationRace(t *testing.T) {
	s, _ := mustOpen(t)
	const writers, revisions = 16, 40
	ctx := context.Background()
	wins := make([][]int, revisions)
	var mu sync.Mutex
	for rev := range revisions {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				exp := eventstore.ExpectedRevision(eventstore.NoStream{})
				if rev > 0 {
					exp = eventstore.Exact(uint64(rev - 1))
				}
				res, err := s.Append(ctx, "race", exp, event("race", w))
				var wrong *eventstore.WrongExpectedRevisionError
				switch {
				case err == nil:
					if res.NextRevision != uint64(rev) {
						t.Errorf("winner of revision %d got NextRevision %d", rev, res.NextRevision)
					}
					mu.Lock()
					wins[rev] = append(wins[rev], w)
					mu.Unlock()
				case errors.As(err, &wrong):
					if wrong.Actual.NoStream || wrong.Actual.Revision != uint64(rev) {
						t.Errorf("loser of revision %d: actual %v, want %d", rev, wrong.Actual, rev)
					}
				default:
					t.Errorf("append: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	for rev, w := range wins {
		if len(w) != 1 {
			t.Errorf("revision %d: %d winners, want exactly 1", rev, len(w))
		}
	}
	if got := len(streamIDs(t, s, "race")); got != revisions {
		t.Errorf("stream holds %d events, want %d", got, revisions)
	}
}
