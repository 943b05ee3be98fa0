package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/ledger"
)

func TestInvalidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		for i := 0; i < 6; i++ {
			in := person(i)
			in.IP = "203.0.113." + itoa(10+i)
			if i >= 4 {
				in.IP = "192.0.2.1" + itoa(i)
			}
			f.clock.Advance(time.Minute)
			r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: in})
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				f.confirm(t, r)
			}
		}
		before := count(t, f.store, id, f.rules.Config.ValidationGrace)
		_, _, err := f.svc.RequestInvalidation(ctx, domain.InvalidationRequest{PetitionID: id})
		wantCode(t, err, domain.ECodeNoCriteria)
		invID, _, err := f.svc.RequestInvalidation(ctx, domain.InvalidationRequest{PetitionID: id, IP: "203.0.113.0/24",
			Reason: "one network"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.CompleteInvalidation(ctx, invID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Matching != 4 || res.Invalidated != 4 {
			t.Errorf("result = %+v, want 4 matching, 4 invalidated", res)
		}
		if got := count(t, f.store, id, f.rules.Config.ValidationGrace); got != before-2 {
			t.Errorf("count = %d, want %d (two validated signatures removed)", got, before-2)
		}
		again, err := f.svc.CompleteInvalidation(ctx, invID)
		if err != nil || again.Matching != 4 || again.Invalidated != 4 || !again.Receipt.AlreadyDone {
			t.Errorf("second completion = %+v, %v", again, err)
		}
		_, err = f.svc.CompleteInvalidation(ctx, uuid.New())
		wantCode(t, err, domain.ECodeInvalidationNotFound)
		_, byEmail, err := f.svc.Invalidate(ctx, domain.InvalidationRequest{PetitionID: id, Email: "PERSON5+spam@example.org"})
		if err != nil || byEmail.Matching != 1 || byEmail.Invalidated != 1 {
			t.Errorf("Invalidate by email = %+v, %v; want 1 matching, 1 invalidated", byEmail, err)
		}
	})
}

// TestInvalidatingSponsorUndoesModerationThreshold: removing a sponsor of a
// sponsored, unmoderated petition takes it back to validated.
func TestInvalidatingSponsorUndoesModerationThreshold(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r, err := f.svc.CreatePetition(ctx, domain.CreatePetition{Action: "A", Background: "B", Creator: person(99)})
		if err != nil {
			t.Fatal(err)
		}
		f.confirm(t, r)
		for i := 0; i < 5; i++ {
			s, err := f.svc.Sponsor(ctx, r.PetitionID, person(i), uuid.Nil)
			if err != nil {
				t.Fatal(err)
			}
			f.confirm(t, s)
		}
		if p, _ := f.svc.Petition(ctx, r.PetitionID); p.State != domain.StateSponsored {
			t.Fatalf("state = %s, want sponsored", p.State)
		}
		for i := 0; i < 2; i++ { // completing twice withdraws once
			_, res, err := f.svc.Invalidate(ctx, domain.InvalidationRequest{PetitionID: r.PetitionID, Email: person(2).Email})
			if err != nil || res.Matching != 1 {
				t.Fatalf("Invalidate = %+v, %v", res, err)
			}
		}
		p, _ := f.svc.Petition(ctx, r.PetitionID)
		if p.State != domain.StateValidated || len(p.Sponsors) != 4 || !p.SponsoredAt.IsZero() {
			t.Errorf("after invalidating a sponsor: state %s, %d sponsors, sponsored at %s", p.State, len(p.Sponsors), p.SponsoredAt)
		}
		s, err := f.svc.Sponsor(ctx, r.PetitionID, person(7), uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		f.confirm(t, s)
		if p, _ := f.svc.Petition(ctx, r.PetitionID); p.State != domain.StateSponsored {
			t.Errorf("a new sponsor did not restore sponsored: %s", p.State)
		}
	})
}
