package projections

import (
	"context"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestAsOfEqualsLedgerAtThatPosition compares as-of replays at many past
// positions with the state a ledger fed up to that position published.
func TestAsOfEqualsLedgerAtThatPosition(t *testing.T) {
	h := mustHistory(t, genOptions(12, 4, 1500))
	store := fill(t, h)
	evs := recorded(t, store)
	final := buildTo(t, store, t.TempDir(), 1<<40)

	l := newTestLedger(t)
	prev := &View{index: map[int64]int32{}}
	checked := 0
	for i := range evs {
		l.Apply(&evs[i])
		prev = publish(prev, l)
		if i%53 != 0 && i != len(evs)-1 {
			continue
		}
		for o := 0; o < final.Len(); o++ {
			id := final.at(o).ID
			want, existed := prev.Petition(id)
			got, ok, err := final.AsOfPosition(context.Background(), id, evs[i].Position)
			if err != nil {
				t.Fatal(err)
			}
			if ok != existed {
				t.Fatalf("position %s petition %d: exists %v, want %v", evs[i].Position, id, ok, existed)
			}
			if !ok {
				continue
			}
			if a, b := encodeState(&got), encodeState(&want); string(a) != string(b) {
				t.Fatalf("position %s petition %d: as-of state differs:\n got %+v\nwant %+v", evs[i].Position, id, got, want)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("only %d as-of states checked", checked)
	}
	// By time: the state at a petition's own last update time is its state.
	s := final.at(0)
	got, ok, err := final.AsOfTime(context.Background(), s.ID, s.UpdatedAt)
	if err != nil || !ok || string(encodeState(&got)) != string(encodeState(s)) {
		t.Fatalf("AsOfTime(UpdatedAt) = %+v, %v, %v; want the current state", got, ok, err)
	}
	if _, ok, _ := final.AsOfPosition(context.Background(), s.ID, eventstore.StartPosition); ok {
		t.Fatalf("petition exists before the first event")
	}
}

func encodeState(s *PetitionState) []byte {
	e := &enc{}
	encodePetition(e, s, s.counts)
	return e.b
}
