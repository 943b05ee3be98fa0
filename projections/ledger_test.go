package projections

import (
	"fmt"
	"testing"
)

// TestLedgerEqualsRecountAtEveryPosition folds generated histories one
// event at a time and, after every event, compares the petition it touched
// with the oracle's recount from raw events; every few hundred events it
// compares every petition.
func TestLedgerEqualsRecountAtEveryPosition(t *testing.T) {
	t.Parallel()
	var covered oracle // what the histories exercised, summed over seeds
	for _, seed := range []uint64{2, 3, 5, 6} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			h := mustHistory(t, genOptions(seed, 12, 4000))
			evs := recorded(t, fill(t, h))
			l := newTestLedger(t)
			o := newOracle(t, testRules)
			prev := &View{index: map[int64]int32{}}
			for i := range evs {
				l.Apply(&evs[i])
				id := o.apply(&evs[i])
				v := publish(prev, l)
				prev = v
				where := fmt.Sprintf("event %d (%s)", i, evs[i].Type)
				if id != 0 {
					got, ok := v.Petition(id)
					if !ok {
						t.Fatalf("%s: petition %d missing", where, id)
					}
					o.check(t, where, id, got)
				}
				if i%500 == 0 || i == len(evs)-1 {
					for pid := range o.petitions {
						got, _ := v.Petition(pid)
						o.check(t, where, pid, got)
					}
				}
			}
			if err := l.audit.flush(); err != nil {
				t.Fatal(err)
			}
			covered.respReached += o.respReached
			covered.respUndone += o.respUndone
			covered.debateReached += o.debateReached
			covered.modUndone += o.modUndone
			covered.notCounted += o.notCounted
		})
	}
	o := &covered
	if o.respReached == 0 || o.respUndone == 0 || o.debateReached == 0 || o.modUndone == 0 || o.notCounted == 0 {
		t.Fatalf("histories too tame: response reached %d undone %d, debate reached %d, moderation undone %d, uncounted changes %d",
			o.respReached, o.respUndone, o.debateReached, o.modUndone, o.notCounted)
	}
}
