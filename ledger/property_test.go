package ledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
	"github.com/petitionledger/petitionledger/ledger"
)

// TestPropertyLedger runs random command sequences through the service and
// checks, against the log itself: no signer stream holds more than two
// signatures; nothing is signed after the petition closed and nothing is
// validated after close + grace; the recount never goes negative; and a
// retried request never writes twice.
func TestPropertyLedger(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t, memstore.New())
		ctx := context.Background()
		id := f.openPetition(t)
		var receipts []ledger.Receipt
		var requests []ledger.SignRequest
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			switch rapid.IntRange(0, 10).Draw(rt, "op") {
			case 0, 1, 2: // sign
				who := rapid.IntRange(0, 6).Draw(rt, "who")
				in := domain.SignerInput{Name: rapid.SampledFrom([]string{"Ann", "Bea", "Cy"}).Draw(rt, "name"),
					Email: fmt.Sprintf("p%d+%d@example.org", who, i), Postcode: "SW1A 1AA", Country: "GB",
					IP: fmt.Sprintf("198.51.100.%d", rapid.IntRange(1, 4).Draw(rt, "ip"))}
				req := ledger.SignRequest{PetitionID: id, Signer: in, EventID: uuid.New()}
				if r, err := f.svc.Sign(ctx, req); err == nil {
					receipts, requests = append(receipts, r), append(requests, req)
				}
			case 3: // retry an earlier request
				if len(requests) > 0 {
					k := rapid.IntRange(0, len(requests)-1).Draw(rt, "retry")
					r, err := f.svc.Sign(ctx, requests[k])
					if err != nil || r.SignatureID != receipts[k].SignatureID || !r.AlreadyDone {
						rt.Fatalf("retry = %+v, %v; want the first receipt %+v", r, err, receipts[k])
					}
				}
			case 4, 5: // validate
				if len(receipts) > 0 {
					r := receipts[rapid.IntRange(0, len(receipts)-1).Draw(rt, "validate")]
					if msg, ok := f.outbox.For(r.SignatureID); ok {
						link, _ := ledger.ParseConfirmURL(msg.Link)
						f.svc.ValidateSignature(ctx, link)
					}
				}
			case 6: // invalidate one network
				f.svc.Invalidate(ctx, domain.InvalidationRequest{PetitionID: id,
					IP: fmt.Sprintf("198.51.100.%d", rapid.IntRange(1, 4).Draw(rt, "badip"))})
			case 7:
				f.svc.Close(ctx, id, domain.CloseEarly)
			case 8, 10:
				f.clock.Advance(rapid.SampledFrom([]time.Duration{30 * time.Second, 10 * time.Minute, 20 * time.Hour,
					23 * time.Hour, 25 * time.Hour, 60 * 24 * time.Hour, 100 * 24 * time.Hour, 100 * 24 * time.Hour}).Draw(rt, "advance"))
			case 9:
				f.svc.CloseDueAtDeadline(ctx)
			}
		}
		// The checks read the whole log, so checking once at the end covers
		// every step.
		checkLog(rt, f, id)
	})
}

// checkLog checks the invariants from the events alone.
func checkLog(rt *rapid.T, f *fixture, id int64) {
	grace := f.rules.Config.ValidationGrace
	perStream := map[string]int{}
	signedAt := map[uuid.UUID]time.Time{}
	seenSigned := map[uuid.UUID]bool{}
	var closedAt, closesAt time.Time
	for _, e := range decodeAll(rt, f.store) {
		switch e := e.(type) {
		case domain.PetitionPublished:
			closesAt = e.ClosesAt
		case domain.PetitionClosed:
			closedAt = e.At
		case domain.SignatureSigned:
			if seenSigned[e.SignatureID] {
				rt.Fatalf("signature %s written twice", e.SignatureID)
			}
			seenSigned[e.SignatureID] = true
			perStream[e.SignerKey]++
			if perStream[e.SignerKey] > 2 {
				rt.Fatalf("signer %s has %d signatures", e.SignerKey, perStream[e.SignerKey])
			}
			signedAt[e.SignatureID] = e.At
			if e.Kind == domain.KindSigner && ((!closedAt.IsZero() && e.At.After(closedAt)) || !e.At.Before(closesAt)) {
				rt.Fatalf("signature at %s accepted after close %s / deadline %s", e.At, closedAt, closesAt)
			}
		case domain.SignatureValidated:
			end := closedAt
			if end.IsZero() && !closesAt.IsZero() && !e.At.Before(closesAt) {
				end = closesAt
			}
			if !end.IsZero() && e.At.After(end.Add(grace)) {
				rt.Fatalf("validation at %s after close %s + grace", e.At, end)
			}
		}
	}
	if n := count(rt, f.store, id, grace); n < 0 {
		rt.Fatalf("count %d", n)
	}
}
