package projections

import (
	"context"
	"errors"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/eventhash"
)

func TestAuditTrail(t *testing.T) {
	store := fill(t, mustHistory(t, genOptions(14, 3, 1200)))
	v := buildTo(t, store, t.TempDir(), 1<<40)
	byPos := map[eventstore.Position]eventstore.RecordedEvent{}
	for _, ev := range recorded(t, store) {
		byPos[ev.Position] = ev
	}
	ctx := context.Background()
	for o := 0; o < v.Len(); o++ {
		s := v.at(o)
		all, err := v.Audit(ctx, s.ID, 1, MaxAuditPage)
		if err != nil {
			t.Fatal(err)
		}
		if all.Total != s.AuditLen || uint64(len(all.Entries)) != min(s.AuditLen, MaxAuditPage) {
			t.Fatalf("petition %d: %d entries of %d, AuditLen %d", s.ID, len(all.Entries), all.Total, s.AuditLen)
		}
		var sum int64
		for i, e := range all.Entries {
			ev, ok := byPos[e.Position]
			if !ok {
				t.Fatalf("entry %d at %s: no such event", i, e.Position)
			}
			if i > 0 && e.Position.Compare(all.Entries[i-1].Position) <= 0 {
				t.Fatalf("entries out of log order at %d", i)
			}
			if e.EventType != ev.Type || e.Hash != eventhash.Of(&ev) || e.ActorRole == "" {
				t.Fatalf("entry %d: %+v does not describe event %s %s", i, e, ev.Type, ev.Position)
			}
			sum += int64(e.Delta)
		}
		if s.AuditLen <= MaxAuditPage && sum != s.SignatureCount {
			t.Fatalf("petition %d: audit deltas sum to %d, count is %d", s.ID, sum, s.SignatureCount)
		}
		// Small pages concatenate to the same trail.
		var paged []AuditEntry
		for p := 1; ; p++ {
			pg, err := v.Audit(ctx, s.ID, p, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Entries) == 0 {
				break
			}
			paged = append(paged, pg.Entries...)
		}
		if len(paged) != int(s.AuditLen) {
			t.Fatalf("paging by 7 gave %d entries, want %d", len(paged), s.AuditLen)
		}
		for i := range all.Entries {
			if paged[i] != all.Entries[i] {
				t.Fatalf("entry %d differs between page sizes", i)
			}
		}
	}
	if _, err := v.Audit(ctx, 99999, 1, 10); !errors.Is(err, ErrPetitionNotFound) {
		t.Fatalf("unknown petition: got %v", err)
	}
	if _, err := v.Audit(ctx, v.at(0).ID, 0, 10); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("page 0: got %v", err)
	}
}
