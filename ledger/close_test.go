package ledger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
	"github.com/petitionledger/petitionledger/ledger"
)

func TestCloseRaceWritesOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		_, err := f.svc.Close(ctx, id, domain.CloseAtDeadline)
		wantCode(t, err, domain.ECodeNotDue)
		f.clock.Advance(190 * 24 * time.Hour)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Another node with its own service over the same store.
				other := f.otherNode(t)
				if _, err := other.svc.CloseDueAtDeadline(ctx); err != nil {
					t.Error(err)
				}
				if r, err := other.svc.Close(ctx, id, domain.CloseAtDeadline); err != nil || !r.AlreadyDone {
					t.Errorf("Close after close = %+v, %v; want AlreadyDone", r, err)
				}
			}()
		}
		wg.Wait()
		closes := 0
		for _, e := range decodeAll(t, f.store) {
			if _, ok := e.(domain.PetitionClosed); ok {
				closes++
			}
		}
		if closes != 1 {
			t.Errorf("%d close events, want 1", closes)
		}
	})
}

// TestValidationGraceWindow pins the 24-hour window after a close.
func TestValidationGraceWindow(t *testing.T) {
	grace := domain.DefaultConfig().ValidationGrace
	tests := []struct {
		name     string
		early    bool          // close early; otherwise let the deadline pass (no close event yet)
		after    time.Duration // validate this long after the close
		wantCode string
	}{
		{"EarlyJustInside", true, grace, ""},
		{"EarlyJustOutside", true, grace + time.Second, domain.ECodeValidationExpired},
		{"DeadlineJustInside", false, grace, ""},
		{"DeadlineJustOutside", false, grace + time.Second, domain.ECodeValidationExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, memstore.New())
			ctx := context.Background()
			id := f.openPetition(t)
			r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(1)})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := f.svc.Petition(ctx, id)
			closedAt := p.ClosesAt
			if tt.early {
				f.clock.Advance(time.Hour)
				if _, err := f.svc.Close(ctx, id, domain.CloseEarly); err != nil {
					t.Fatal(err)
				}
				closedAt = f.clock.Now()
			}
			f.clock.Advance(closedAt.Add(tt.after).Sub(f.clock.Now()))
			msg, _ := f.outbox.For(r.SignatureID)
			link, _ := ledger.ParseConfirmURL(msg.Link)
			_, err = f.svc.ValidateSignature(ctx, link)
			wantCode(t, err, tt.wantCode)
			want := 7 // creator, 5 sponsors, this signer
			if tt.wantCode != "" {
				want = 6
			}
			if got := count(t, f.store, id, grace); got != want {
				t.Errorf("count = %d, want %d", got, want)
			}
		})
	}
}

// TestCloseDueAtDeadlineIncremental checks that the node's incremental scan
// sees publications and closes written between calls, by itself or others.
func TestCloseDueAtDeadlineIncremental(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		first := f.openPetition(t)
		if got, err := f.svc.CloseDueAtDeadline(ctx); err != nil || len(got) != 0 {
			t.Fatalf("nothing due yet: %v, %v", got, err)
		}
		f.clock.Advance(40 * 24 * time.Hour)
		second := f.openPetition(t) // published after the first scan, due 40 days later
		third := f.openPetition(t)
		other := f.otherNode(t)
		if _, err := other.svc.Close(ctx, third, domain.CloseEarly); err != nil { // closed by another node
			t.Fatal(err)
		}
		f.clock.Advance(160 * 24 * time.Hour) // past the first deadline only
		got, err := f.svc.CloseDueAtDeadline(ctx)
		if err != nil || len(got) != 1 || got[0] != first {
			t.Fatalf("closed %v, %v; want [%d]", got, err, first)
		}
		f.clock.Advance(40 * 24 * time.Hour)
		got, err = f.svc.CloseDueAtDeadline(ctx)
		if err != nil || len(got) != 1 || got[0] != second {
			t.Fatalf("closed %v, %v; want [%d]", got, err, second)
		}
		if got, err := f.svc.CloseDueAtDeadline(ctx); err != nil || len(got) != 0 {
			t.Fatalf("third call closed %v, %v; want nothing", got, err)
		}
	})
}
