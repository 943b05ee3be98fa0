package projections

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// TestEveryDomainEventTypeIsFoldedOrListed fails when domain registers an
// event type the projections do not know: each type in domain.EventTypes
// must be folded (foldKindOf) or listed with a reason in
// notFoldedEventTypes, not both. A folded type must also have an audit
// code, pass the store filter (foldedTypePrefixes) and, for lifecycle
// events, change the petition when folded (domain's golden sample of it).
func TestEveryDomainEventTypeIsFoldedOrListed(t *testing.T) {
	for _, typ := range domain.EventTypes() {
		kind := foldKindOf(typ)
		reason, listed := notFoldedEventTypes[typ]
		switch {
		case kind == foldNone && !listed:
			t.Errorf("domain event type %q is neither folded (foldKindOf) nor listed in notFoldedEventTypes", typ)
			continue
		case kind != foldNone && listed:
			t.Errorf("event type %q is folded and also listed as not folded (%q)", typ, reason)
			continue
		case kind == foldNone:
			continue
		}
		if auditTypeCode[typ] == 0 {
			t.Errorf("folded event type %q has no audit code (append it to auditEventTypes)", typ)
		}
		if !matchesPrefix(typ, foldedTypePrefixes) {
			t.Errorf("folded event type %q is dropped by the store filter (foldedTypePrefixes)", typ)
		}
		if kind == foldPetition {
			e := domainSample(t, typ)
			p := newPetition(e.(domain.PetitionEvent).Petition(), 0, testPlaces(t))
			if !p.applyPetitionEvent(e) {
				t.Errorf("lifecycle event type %q is dispatched but applyPetitionEvent ignores it", typ)
			}
		}
	}
	for typ := range notFoldedEventTypes {
		if !domain.IsKnownEventType(typ) {
			t.Errorf("notFoldedEventTypes lists %q, which domain does not register", typ)
		}
	}
	for _, typ := range auditEventTypes[1:] {
		if !domain.IsKnownEventType(typ) {
			t.Errorf("auditEventTypes lists %q, which domain does not register", typ)
		}
	}
}

func matchesPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// domainSample decodes domain's golden sample of an event type.
func domainSample(t *testing.T, typ string) domain.Event {
	t.Helper()
	path := filepath.Join("..", "domain", "testdata", "golden", typ+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("domain's sample of %s: %v", typ, err)
	}
	e, err := domain.DecodeEvent(typ, b)
	if err != nil {
		t.Fatalf("domain's sample of %s: %v", typ, err)
	}
	return e
}

// sponsorHistory builds a petition's lifecycle from a script: '+' a
// sponsor supports, '-' the latest sponsor is withdrawn, 'P' published,
// 'R' rejected, 'F' flagged. From/To follow domain's commands
// (SupportSponsor, WithdrawSponsor) with the default threshold of 5.
func sponsorHistory(t *testing.T, id int64, script string) []domain.Event {
	t.Helper()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tick := func() time.Time { at = at.Add(time.Minute); return at }
	evs := []domain.Event{
		domain.PetitionCreated{PetitionID: id, Action: "Act", Background: "Why.", CreatorKey: strings.Repeat("c", 64),
			CreatorSignatureID: uuid.New(), CreatorSealed: domain.Sealed{KeyID: "k1", Nonce: []byte("nonce-12byte"), Ciphertext: []byte("ct+tag")}, At: tick()},
		domain.PetitionCreatorConfirmed{PetitionID: id, At: tick()},
	}
	state := domain.StateValidated
	var sponsors []string
	for i, c := range script {
		switch c {
		case '+':
			key := strings.Repeat(string(rune('a'+i%26)), 63) + string(rune('a'+i/26))
			sponsors = append(sponsors, key)
			to := state
			if len(sponsors) >= 5 {
				to = domain.StateSponsored
			}
			evs = append(evs, domain.PetitionSponsorSupported{PetitionID: id, SponsorKey: key, SignatureID: uuid.New(),
				SponsorCount: len(sponsors), From: state, To: to, At: tick()})
			state = to
		case '-':
			key := sponsors[len(sponsors)-1]
			sponsors = sponsors[:len(sponsors)-1]
			to := state
			if to == domain.StateSponsored && len(sponsors) < 5 {
				to = domain.StateValidated
			}
			evs = append(evs, domain.PetitionSponsorWithdrawn{PetitionID: id, SponsorKey: key, SignatureID: uuid.New(),
				SponsorCount: len(sponsors), From: state, To: to, At: tick()})
			state = to
		case 'P':
			closes := at.Add(180 * 24 * time.Hour)
			evs = append(evs, domain.PetitionPublished{PetitionID: id, From: state, Deadline: closes.Format(domain.DateLayout), ClosesAt: closes, At: tick()})
			state = domain.StateOpen
		case 'R':
			evs = append(evs, domain.PetitionRejected{PetitionID: id, From: state, Code: "duplicate", Details: "Dup.", At: tick()})
			state = domain.StateRejected
		case 'F':
			evs = append(evs, domain.PetitionFlagged{PetitionID: id, From: state, At: tick()})
			state = domain.StateFlagged
		default:
			t.Fatalf("bad script %q", script)
		}
	}
	return evs
}

// TestSponsorFoldAgreesWithDomain folds the same petition events through
// domain's aggregate (domain.Petition.Apply) and the projection's fold and
// compares, after every event, the state, the moderation threshold time
// and the sponsor count.
func TestSponsorFoldAgreesWithDomain(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		wantState domain.PetitionState
		wantMod   bool // moderation_threshold_reached_at set at the end
	}{
		{"below threshold", "++++", domain.StateValidated, false},
		{"sponsored", "+++++", domain.StateSponsored, true},
		{"withdrawn below threshold", "+++++-", domain.StateValidated, false},
		{"withdrawn above threshold", "++++++-", domain.StateSponsored, true},
		{"withdrawn before threshold", "++++-+", domain.StateValidated, false},
		{"withdrawn then sponsored again", "+++++-+", domain.StateSponsored, true},
		{"down and up twice", "+++++--++-+", domain.StateSponsored, true},
		{"withdrawn then rejected", "++++++--R", domain.StateRejected, false},
		{"withdrawn, sponsored again, published", "+++++-+P", domain.StateOpen, true},
		{"flagged", "+++++F", domain.StateFlagged, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs := sponsorHistory(t, 7, tc.script)
			got := foldBoth(t, evs)
			if got.State != tc.wantState || got.SponsoredAt.IsZero() == tc.wantMod {
				t.Fatalf("domain fold: state %q, sponsored at %v; want %q, set=%v", got.State, got.SponsoredAt, tc.wantState, tc.wantMod)
			}
		})
	}
}

// TestSponsorFoldAgreesWithDomainOnGeneratedHistories does the same for
// every petition stream of generated histories (which withdraw sponsors),
// and compares the full Ledger's final petition state with domain's.
func TestSponsorFoldAgreesWithDomainOnGeneratedHistories(t *testing.T) {
	withdrawals := 0
	for seed := uint64(1); seed <= 6; seed++ {
		h := mustHistory(t, genOptions(seed, 30, 200))
		streams := map[int64][]domain.Event{}
		l := newTestLedger(t)
		for i, a := range h {
			l.Apply(&eventstore.RecordedEvent{Stream: a.Stream, ID: a.Event.ID, Type: a.Event.Type, Data: a.Event.Data,
				Position: eventstore.Position{Commit: uint64(i + 1), Prepare: uint64(i + 1)}})
			if !strings.HasPrefix(a.Stream, "petition-") {
				continue
			}
			e, err := domain.DecodeEvent(a.Event.Type, a.Event.Data)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := e.(domain.PetitionSponsorWithdrawn); ok {
				withdrawals++
			}
			id := e.(domain.PetitionEvent).Petition()
			streams[id] = append(streams[id], e)
		}
		for id, evs := range streams {
			want := foldBoth(t, evs)
			got := l.petitions[id].st
			if got.State != string(want.State) || !got.ModerationThresholdReachedAt.Equal(want.SponsoredAt) || got.SponsorCount != len(want.Sponsors) {
				t.Fatalf("seed %d petition %d: ledger (%q, %v, %d sponsors), domain (%q, %v, %d sponsors)", seed, id,
					got.State, got.ModerationThresholdReachedAt, got.SponsorCount, want.State, want.SponsoredAt, len(want.Sponsors))
			}
		}
	}
	if withdrawals == 0 {
		t.Fatal("the generated histories withdrew no sponsor")
	}
}

// foldBoth folds evs through domain.Petition and the projection's
// petition, failing at the first event after which they disagree; it
// returns domain's result.
func foldBoth(t *testing.T, evs []domain.Event) *domain.Petition {
	t.Helper()
	d := &domain.Petition{}
	var p *petition
	for i, e := range evs {
		if err := d.Apply(e); err != nil {
			t.Fatalf("event %d: domain refuses %s: %v", i, e.EventType(), err)
		}
		if p == nil {
			p = newPetition(d.ID, 0, testPlaces(t))
		}
		p.applyPetitionEvent(e)
		s := p.st
		if s.State != string(d.State) || !s.ModerationThresholdReachedAt.Equal(d.SponsoredAt) || s.SponsorCount != len(d.Sponsors) {
			t.Fatalf("after event %d (%s): projection (%q, %v, %d sponsors), domain (%q, %v, %d sponsors)", i, e.EventType(),
				s.State, s.ModerationThresholdReachedAt, s.SponsorCount, d.State, d.SponsoredAt, len(d.Sponsors))
		}
	}
	return d
}
