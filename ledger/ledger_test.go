package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
	"github.com/petitionledger/petitionledger/ledger"
)

// backends lists the stores the ledger is tested against.
func backends(t *testing.T) map[string]func(t *testing.T) eventstore.Store {
	return map[string]func(t *testing.T) eventstore.Store{
		"mem":      func(t *testing.T) eventstore.Store { return memstore.New() },
		"embedded": func(t *testing.T) eventstore.Store { return openEmbedded(t) },
	}
}

// forEachBackend runs test once per backend.
func forEachBackend(t *testing.T, test func(t *testing.T, f *fixture)) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { test(t, newFixture(t, open(t))) })
	}
}

func TestLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		p, err := f.svc.Petition(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.State != domain.StateOpen || len(p.Sponsors) != 5 || p.Deadline != "2022-03-21" {
			t.Fatalf("petition = %+v", p)
		}
		var receipts []ledger.Receipt
		for i := 0; i < 10; i++ {
			f.clock.Advance(2 * time.Minute)
			r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(i)})
			if err != nil {
				t.Fatalf("sign %d: %v", i, err)
			}
			receipts = append(receipts, r)
		}
		for _, r := range receipts[:7] {
			f.confirm(t, r)
		}
		// creator + 5 sponsors + 7 signers
		if got := count(t, f.store, id, f.rules.Config.ValidationGrace); got != 13 {
			t.Errorf("count = %d, want 13", got)
		}
		f.clock.Advance(200 * 24 * time.Hour) // past the deadline
		closed, err := f.svc.CloseDueAtDeadline(ctx)
		if err != nil || len(closed) != 1 || closed[0] != id {
			t.Fatalf("CloseDueAtDeadline = %v, %v", closed, err)
		}
		// Too late to validate the rest (deadline + 24 h long gone).
		msg, _ := f.outbox.For(receipts[8].SignatureID)
		link, _ := ledger.ParseConfirmURL(msg.Link)
		_, err = f.svc.ValidateSignature(ctx, link)
		wantCode(t, err, domain.ECodeValidationExpired)
		_, err = f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(50)})
		wantCode(t, err, domain.ECodePetitionClosed)

		if _, err := f.svc.RespondAsGovernment(ctx, id, domain.GovernmentResponse{Summary: "We will not.",
			Details: "Because.", RespondedOn: "2022-03-21", Department: domain.Department{Acronym: "CO", Name: "Cabinet Office"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ScheduleDebate(ctx, id, "2022-05-25"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordDebateOutcome(ctx, id, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25",
			TranscriptURL: "https://hansard.parliament.uk/x", VideoURL: "https://parliamentlive.tv/y"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.RecordDebateOutcome(ctx, id, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25",
			VideoURL: "https://evilparliament.uk/y"})
		wantCode(t, err, domain.ECodeURLNotAllowed)
		if _, err := f.svc.AddOtherBusiness(ctx, id, domain.OtherBusiness{Subject: "Westminster Hall debate",
			Body: "Foreign lobbying.", OccurredOn: "2022-05-25"}); err != nil {
			t.Fatal(err)
		}
		p, _ = f.svc.Petition(ctx, id)
		if p.State != domain.StateClosed || p.Response == nil || p.Debate == nil || len(p.OtherBusiness) != 1 ||
			p.DebateDate != "2022-05-25" || !p.ClosedAt.Equal(p.ClosesAt) {
			t.Errorf("final petition = %+v", p)
		}
		if got := count(t, f.store, id, f.rules.Config.ValidationGrace); got != 13 {
			t.Errorf("count after close = %d, want 13", got)
		}
	})
}

func TestConcurrentSignersSameEmail(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		const workers = 32
		nodes := []*ledger.Service{f.svc} // several API nodes on one store
		for i := 0; i < 3; i++ {
			nodes = append(nodes, f.otherNode(t).svc)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted := 0
		codes := map[string]int{}
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				in := domain.SignerInput{Name: "Name " + itoa(i), Email: "Same.Person+" + itoa(i) + "@gmail.com",
					Postcode: "SW1A 1AA", Country: "GB"}
				_, err := nodes[i%len(nodes)].Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: in})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					accepted++
				} else {
					codes[domain.ErrorCode(err)]++
				}
			}(i)
		}
		wg.Wait()
		if accepted != 2 {
			t.Errorf("accepted %d signatures for one email, want exactly 2 (rejections %v)", accepted, codes)
		}
		for code := range codes {
			if code != domain.ECodeTooManySignatures && code != domain.ECONFLICT {
				t.Errorf("unexpected rejection code %q", code)
			}
		}
		key, _ := f.rules.SignerKeyFor("sameperson@gmail.com")
		recs, err := f.store.ReadStream(ctx, domain.SignerStream(id, key), eventstore.ReadStreamOptions{})
		if err != nil || len(recs) != 2 {
			t.Errorf("signer stream has %d events (%v), want 2", len(recs), err)
		}
	})
}

func TestSignRetryIsIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		req := ledger.SignRequest{PetitionID: id, Signer: person(1), EventID: uuid.New()}
		first, err := f.svc.Sign(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			node := f.svc
			if i%2 == 1 { // half the retries reach another node
				other := f.otherNode(t)
				node = other.svc
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.clock.Advance(time.Second) // a retry later, over the rate limit: still the same signature
				again, err := node.Sign(ctx, req)
				if err != nil {
					t.Errorf("retry: %v", err)
					return
				}
				if again.SignatureID != first.SignatureID || again.EventID != first.EventID ||
					again.Position != first.Position || !again.AlreadyDone || again.Fraudulent {
					t.Errorf("retry receipt = %+v, want %+v", again, first)
				}
			}()
		}
		wg.Wait()
		f.confirm(t, first)
		f.confirm(t, first) // a second click
		signed := 0
		for _, e := range decodeAll(t, f.store) {
			if s, ok := e.(domain.SignatureSigned); ok && s.SignatureID == first.SignatureID {
				signed++
			}
		}
		if signed != 1 {
			t.Errorf("signature written %d times, want 1", signed)
		}
		if got := count(t, f.store, id, f.rules.Config.ValidationGrace); got != 7 {
			t.Errorf("count = %d, want 7 (creator, 5 sponsors, 1 signer)", got)
		}
	})
}

func TestRateLimitMarksFraudulent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		a, b := person(1), person(2)
		b.IP = a.IP
		r1, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: a})
		if err != nil || r1.Fraudulent {
			t.Fatalf("first = %+v, %v", r1, err)
		}
		f.clock.Advance(10 * time.Second)
		r2, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: b})
		if err != nil || !r2.Fraudulent {
			t.Fatalf("second within 60 s = %+v, %v; want recorded as fraudulent", r2, err)
		}
		if _, ok := f.outbox.For(r2.SignatureID); ok {
			t.Error("a fraudulent signature was sent a confirmation link")
		}
		last := decodeAll(t, f.store)
		if fr, ok := last[len(last)-1].(domain.SignatureMarkedFraudulent); !ok || fr.Reason != domain.ReasonRateBurst {
			t.Errorf("last event = %#v, want SignatureMarkedFraudulent(rate_limit_burst)", last[len(last)-1])
		}
	})
}

func TestValidateSignatureErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(3)})
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := f.outbox.For(r.SignatureID)
		link, err := ledger.ParseConfirmURL(msg.Link)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			edit func(l *ledger.ConfirmLink)
			want string
		}{
			{"BadToken", func(l *ledger.ConfirmLink) { l.Token = strings.Repeat("0", 64) }, domain.ECodeInvalidToken},
			{"OtherSignature", func(l *ledger.ConfirmLink) { l.SignatureID = uuid.New() }, domain.ECodeInvalidToken},
			{"OtherPetition", func(l *ledger.ConfirmLink) { l.PetitionID++ }, domain.ECodeInvalidToken},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l := link
				tt.edit(&l)
				_, err := f.svc.ValidateSignature(ctx, l)
				wantCode(t, err, tt.want)
			})
		}
		if _, err := ledger.ParseConfirmURL("https://x/signatures/nope/verify"); domain.ErrorCode(err) != domain.ECodeInvalidToken {
			t.Errorf("ParseConfirmURL(bad) err = %v", err)
		}
	})
}

func TestSignRejections(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		r, err := f.svc.CreatePetition(ctx, domain.CreatePetition{Action: "Unpublished", Background: "B",
			Creator: person(90)})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			req  ledger.SignRequest
			want string
		}{
			{"NoSuchPetition", ledger.SignRequest{PetitionID: 999, Signer: person(1)}, domain.ECodePetitionNotFound},
			{"NotOpen", ledger.SignRequest{PetitionID: r.PetitionID, Signer: person(1)}, domain.ECodePetitionNotOpen},
			{"BadEmail", ledger.SignRequest{PetitionID: id, Signer: domain.SignerInput{Name: "A", Email: "a@", Country: "FR"}},
				domain.ECodeInvalidEmail},
			{"BadPostcode", ledger.SignRequest{PetitionID: id, Signer: domain.SignerInput{Name: "A", Email: "a@b.org",
				Country: "GB", Postcode: "12345"}}, domain.ECodeInvalidPostcode},
			{"CreatorKind", ledger.SignRequest{PetitionID: id, Signer: person(1), Kind: domain.KindCreator}, domain.EINVALID},
			{"UnknownKind", ledger.SignRequest{PetitionID: id, Signer: person(1), Kind: "vip"}, domain.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.Sign(ctx, tt.req)
				wantCode(t, err, tt.want)
			})
		}
	})
}

func TestConcurrentCreateAllocatesDistinctIDs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const n = 12
		ids := make(chan int64, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				node := newFixture(t, f.store) // separate nodes: no shared hint
				r, err := node.svc.CreatePetition(ctx, domain.CreatePetition{Action: "P" + itoa(i), Background: "B",
					Creator: person(i)})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- r.PetitionID
			}(i)
		}
		wg.Wait()
		close(ids)
		seen := map[int64]bool{}
		for id := range ids {
			if seen[id] || id < 1 || id > n {
				t.Errorf("petition id %d duplicated or out of 1..%d", id, n)
			}
			seen[id] = true
		}
		if len(seen) != n {
			t.Errorf("%d ids, want %d", len(seen), n)
		}
	})
}

func TestNoPersonalDataInLogsOrEvents(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		in := domain.SignerInput{Name: "Zebedee Quux", Email: "zebedee.quux@example.net", Postcode: "EH1 1YZ",
			Country: "GB", IP: "192.0.2.77"}
		r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: in})
		if err != nil {
			t.Fatal(err)
		}
		f.confirm(t, r)
		var all strings.Builder
		all.WriteString(f.logs.String())
		for _, rec := range mustReadAll(t, f.store) {
			all.Write(rec.Data)
			all.Write(rec.Metadata)
		}
		low := strings.ToLower(all.String())
		for _, secret := range []string{"zebedee", "quux", "example.net", "eh11yz", "eh1 1yz", "192.0.2.77", "creator@"} {
			if strings.Contains(low, secret) {
				t.Errorf("personal datum %q found in logs or events", secret)
			}
		}
		if !strings.Contains(f.logs.String(), "signature recorded") {
			t.Error("nothing was logged")
		}
	})
}

func mustReadAll(tb testing.TB, s eventstore.Store) []eventstore.RecordedEvent {
	tb.Helper()
	recs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

// TestPetitionCacheSeesOtherNodes checks that a node's cached petition
// follows writes made by another node on the same store.
func TestPetitionCacheSeesOtherNodes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		if _, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(1)}); err != nil {
			t.Fatal(err) // the petition is now cached as open
		}
		other := f.otherNode(t)
		if _, err := other.svc.Close(ctx, id, domain.CloseEarly); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		_, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(2)})
		wantCode(t, err, domain.ECodePetitionClosed)
		p, err := f.svc.Petition(ctx, id)
		if err != nil || p.State != domain.StateClosed {
			t.Fatalf("Petition = %+v, %v; want closed", p, err)
		}
		p.Sponsors[0] = "mutated by the caller"
		again, _ := f.svc.Petition(ctx, id)
		if again.Sponsors[0] == "mutated by the caller" {
			t.Error("a caller's change leaked into the cache")
		}
	})
}

func TestImportPetition(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		cmd := domain.CreatePetition{Action: "Imported", Background: "B", Creator: person(1)}
		r, err := f.svc.ImportPetition(ctx, 601932, cmd)
		if err != nil || r.PetitionID != 601932 {
			t.Fatalf("ImportPetition = %+v, %v", r, err)
		}
		_, err = f.svc.ImportPetition(ctx, 601932, cmd)
		wantCode(t, err, domain.ECodePetitionExists)
		_, err = f.svc.ImportPetition(ctx, 0, cmd)
		wantCode(t, err, domain.EINVALID)
		next, err := f.svc.CreatePetition(ctx, cmd)
		if err != nil || next.PetitionID != 601933 {
			t.Errorf("next CreatePetition = %+v, %v; want id 601933", next, err)
		}
		f.confirm(t, r)
		if p, _ := f.svc.Petition(ctx, 601932); p.State != domain.StateValidated {
			t.Errorf("imported petition state = %s after the creator confirmed", p.State)
		}
	})
}

func TestResendConfirmation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id := f.openPetition(t)
		r, err := f.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: person(4)})
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.outbox.Messages())
		n, err := f.svc.ResendConfirmation(ctx, id, "PERSON4+x@example.org")
		if err != nil || n != 1 || len(f.outbox.Messages()) != before+1 {
			t.Fatalf("ResendConfirmation = %d, %v", n, err)
		}
		f.confirm(t, r) // the resent link works
		if n, err := f.svc.ResendConfirmation(ctx, id, person(4).Email); err != nil || n != 0 {
			t.Errorf("after validation = %d, %v; want 0", n, err)
		}
		if n, err := f.svc.ResendConfirmation(ctx, id, "nobody@example.org"); err != nil || n != 0 {
			t.Errorf("unknown address = %d, %v; want 0", n, err)
		}
		_, err = f.svc.ResendConfirmation(ctx, id, "not an email")
		wantCode(t, err, domain.ECodeInvalidEmail)
	})
}

func TestCreatorSignatureSurvivesTransientFailures(t *testing.T) {
	store := &failingStore{Store: memstore.New()}
	failures := 2
	store.beforeAppend = func(stream string) error {
		if strings.HasPrefix(stream, domain.SignerStreamPrefix) && failures > 0 {
			failures--
			return fmt.Errorf("injected: %w", eventstore.ErrUnavailable)
		}
		return nil
	}
	f := newFixture(t, store)
	r, err := f.svc.CreatePetition(context.Background(), domain.CreatePetition{Action: "A", Background: "B", Creator: person(1)})
	if err != nil {
		t.Fatalf("CreatePetition: %v", err)
	}
	f.confirm(t, r)
	if p, _ := f.svc.Petition(context.Background(), r.PetitionID); p.State != domain.StateValidated {
		t.Errorf("state = %s, want validated", p.State)
	}
	failures = 100
	_, err = f.svc.CreatePetition(context.Background(), domain.CreatePetition{Action: "A", Background: "B", Creator: person(2)})
	if !errors.Is(err, eventstore.ErrUnavailable) || !strings.Contains(err.Error(), "creator's signature was not recorded") {
		t.Errorf("persistent failure: err = %v", err)
	}
}
