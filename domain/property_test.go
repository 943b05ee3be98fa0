package domain_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/petitionledger/petitionledger/domain"
)

// model drives one open petition through random commands, keeping every
// stream's events, and checks the invariants after each step.
type model struct {
	r        domain.Rules
	limiter  *domain.RateLimiter
	now      time.Time
	petition *domain.Petition
	petLog   []domain.Event
	signers  map[string]*domain.Signer
	sigLogs  map[string][]domain.Event
	sigs     []sigRef // every accepted signature
	counted  int      // incremental count, folded from events only
}

type sigRef struct {
	key string
	id  uuid.UUID
}

var (
	propEmails    = []string{"ada@gmail.com", "a.d.a+x@googlemail.com", "bob@example.org", "carol@example.org"}
	propNames     = []string{"Ada", "Bob", "Carol"}
	propPostcodes = []string{"SW1A 1AA", "EH1 1YZ", ""}
	propIPs       = []string{"203.0.113.1", "203.0.113.2", "2001:db8::1"}
)

func newModel(t *rapid.T) *model {
	r := mustRules(t)
	m := &model{r: r, limiter: domain.NewRateLimiter(r.Config.Rate), now: t0, petition: &domain.Petition{},
		signers: map[string]*domain.Signer{}, sigLogs: map[string][]domain.Event{}}
	m.petition, m.petLog = newPetitionLog(t, r, domain.StateOpen)
	return m
}

// petitionEvent records a petition event.
func (m *model) petitionEvent(t *rapid.T, events []domain.Event) {
	for _, e := range events {
		if err := m.petition.Apply(e); err != nil {
			t.Fatal(err)
		}
		m.petLog = append(m.petLog, e)
	}
}

// signerEvents records signer events and folds them into the incremental
// count the way a projection would: from the events alone.
func (m *model) signerEvents(t *rapid.T, key string, events []domain.Event) {
	s := m.signers[key]
	if s == nil {
		s = &domain.Signer{}
		m.signers[key] = s
	}
	grace := m.r.Config.ValidationGrace
	for _, e := range events {
		if err := s.Apply(e); err != nil {
			t.Fatal(err)
		}
		m.sigLogs[key] = append(m.sigLogs[key], e)
		closedAt := m.petition.ClosedAt
		switch e := e.(type) {
		case domain.SignatureSigned:
			m.sigs = append(m.sigs, sigRef{key, e.SignatureID})
		case domain.SignatureValidated:
			if domain.Counts(domain.CountFacts{State: domain.SigValidated, SignedAt: e.SignedAt, ValidatedAt: e.At}, closedAt, grace) {
				m.counted++
			}
		case domain.SignatureInvalidated:
			if e.From == domain.SigValidated && domain.Counts(domain.CountFacts{State: e.From, SignedAt: e.SignedAt,
				ValidatedAt: e.ValidatedAt}, closedAt, grace) {
				m.counted--
			}
		case domain.SignatureMarkedFraudulent:
			if e.From == domain.SigValidated && domain.Counts(domain.CountFacts{State: e.From, SignedAt: e.SignedAt,
				ValidatedAt: e.ValidatedAt}, closedAt, grace) {
				m.counted--
			}
		}
	}
}

func (m *model) sign(t *rapid.T) {
	email := rapid.SampledFrom(propEmails).Draw(t, "email")
	if rapid.Bool().Draw(t, "fresh") { // a new person, most of the time
		email = fmt.Sprintf("person%d@example.org", rapid.IntRange(0, 30).Draw(t, "person"))
	}
	ip := rapid.SampledFrom(propIPs).Draw(t, "ip")
	if rapid.Bool().Draw(t, "freshIP") {
		ip = fmt.Sprintf("198.51.100.%d", rapid.IntRange(1, 200).Draw(t, "host"))
	}
	in := domain.SignerInput{Name: rapid.SampledFrom(propNames).Draw(t, "name"), Email: email, IP: ip}
	in.Postcode = rapid.SampledFrom(propPostcodes).Draw(t, "postcode")
	in.Country = "GB"
	if in.Postcode == "" {
		in.Country = "FR"
	}
	sig, err := m.r.PrepareSignature(in, m.petition.ID, uuid.New(), domain.KindSigner, m.now)
	if err != nil {
		t.Fatal(err)
	}
	s := m.signers[sig.SignerKey]
	if s == nil {
		s = &domain.Signer{}
	}
	reason := m.limiter.Attempt(sig.IPHash, sig.PetitionID, m.now)
	events, err := s.Sign(m.r.Config, m.petition, sig, domain.SignOptions{FraudReason: reason})
	if err != nil {
		return
	}
	if !m.petition.SignableAt(m.now) {
		t.Fatalf("signature accepted at %s on a %s petition closing %s", m.now, m.petition.State, m.petition.ClosesAt)
	}
	m.signerEvents(t, sig.SignerKey, events)
}

func (m *model) pick(t *rapid.T) (sigRef, bool) {
	if len(m.sigs) == 0 {
		return sigRef{}, false
	}
	return m.sigs[rapid.IntRange(0, len(m.sigs)-1).Draw(t, "sig")], true
}

func (m *model) validate(t *rapid.T) {
	ref, ok := m.pick(t)
	if !ok {
		return
	}
	s := m.signers[ref.key]
	events, err := s.Validate(m.r.Config, m.petition, ref.id, m.now)
	if err != nil || len(events) == 0 {
		return
	}
	closed := m.petition.EffectiveClose(m.now)
	if !closed.IsZero() && (m.now.After(closed.Add(m.r.Config.ValidationGrace)) || s.Find(ref.id).SignedAt.After(closed)) {
		t.Fatalf("validation accepted at %s, closed %s", m.now, closed)
	}
	m.signerEvents(t, ref.key, events)
}

func (m *model) invalidate(t *rapid.T) {
	if ref, ok := m.pick(t); ok {
		if events, err := m.signers[ref.key].Invalidate(ref.id, uuid.New(), "test", m.now); err == nil {
			m.signerEvents(t, ref.key, events)
		}
	}
}

func (m *model) fraud(t *rapid.T) {
	if ref, ok := m.pick(t); ok {
		if events, err := m.signers[ref.key].MarkFraudulent(ref.id, "manual", m.now); err == nil {
			m.signerEvents(t, ref.key, events)
		}
	}
}

func (m *model) close(t *rapid.T) {
	reason := rapid.SampledFrom([]domain.CloseReason{domain.CloseEarly, domain.CloseAtDeadline}).Draw(t, "reason")
	if events, err := m.petition.Close(reason, m.now); err == nil {
		m.petitionEvent(t, events)
	}
}

func (m *model) advance(t *rapid.T) {
	step := rapid.SampledFrom([]time.Duration{time.Second, 30 * time.Second, 2 * time.Minute, time.Hour,
		20 * time.Hour, 23 * time.Hour, 25 * time.Hour, 30 * 24 * time.Hour, 100 * 24 * time.Hour}).Draw(t, "step")
	m.now = m.now.Add(step)
}

// check asserts the invariants.
func (m *model) check(t *rapid.T) {
	recount := 0
	closedAt := m.petition.ClosedAt
	for key, s := range m.signers {
		if len(s.Signatures) > m.r.Config.MaxSignaturesPerEmail {
			t.Fatalf("signer %s has %d signatures", key, len(s.Signatures))
		}
		for _, rec := range s.Signatures {
			if domain.Counts(rec.Facts(), closedAt, m.r.Config.ValidationGrace) {
				recount++
			}
		}
	}
	if m.counted < 0 {
		t.Fatalf("count went negative: %d", m.counted)
	}
	if m.counted != recount {
		t.Fatalf("incremental count %d != recount %d", m.counted, recount)
	}
}

// checkReplay re-decodes every stream's events and replays them.
func (m *model) checkReplay(t *rapid.T) {
	for key, log := range m.sigLogs {
		got, err := domain.ReplaySigner(roundTrip(t, log))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, m.signers[key]) {
			t.Fatalf("replay of signer %s differs:\n%+v\n%+v", key, got, m.signers[key])
		}
	}
	replayed, err := domain.ReplayPetition(roundTrip(t, m.petLog))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(replayed, m.petition) {
		t.Fatalf("replayed petition differs:\n%+v\n%+v", replayed, m.petition)
	}
}

// roundTrip encodes and decodes events through the registry.
func roundTrip(t *rapid.T, events []domain.Event) []domain.Event {
	out := make([]domain.Event, 0, len(events))
	for _, e := range events {
		data, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := domain.DecodeEvent(e.EventType(), data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, back)
	}
	return out
}

func TestPropertySigningInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newModel(t)
		// Weighted: signing and validating are the common operations.
		ops := []func(*rapid.T){m.sign, m.sign, m.sign, m.validate, m.validate, m.validate,
			m.invalidate, m.fraud, m.advance, m.advance}
		if rapid.Bool().Draw(t, "mayClose") { // half the runs reach the deadline with no close event
			ops = append(ops, m.close)
		}
		steps := rapid.IntRange(1, 150).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			ops[rapid.IntRange(0, len(ops)-1).Draw(t, "op")](t)
			m.check(t)
		}
		m.checkReplay(t)
	})
}

// TestPropertyPetitionReplay checks that replaying a petition's full log
// reproduces the aggregate exactly, whatever the commands.
func TestPropertyPetitionReplay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := mustRules(t)
		p := &domain.Petition{}
		var log []domain.Event
		now := t0
		created, _, err := r.CreatePetition(domain.CreatePetition{Action: "A", Background: "B", Creator: creator()}, 5, uuid.New(), now)
		if err != nil {
			t.Fatal(err)
		}
		record := func(events []domain.Event, err error) {
			if err != nil {
				return
			}
			for _, e := range events {
				if err := p.Apply(e); err != nil {
					t.Fatal(err)
				}
				log = append(log, e)
			}
		}
		record([]domain.Event{created}, nil)
		ops := []string{"confirm", "sponsor", "withdraw", "publish", "reject", "hide", "flag", "dormant", "stop", "close",
			"closeDue", "respond", "schedule", "debate", "business", "advance"}
		n := rapid.IntRange(0, 40).Draw(t, "n")
		for i := 0; i < n; i++ {
			switch op := rapid.SampledFrom(ops).Draw(t, "op"); op {
			case "confirm":
				record(p.ConfirmCreator(now))
			case "sponsor":
				k := rapid.IntRange(0, 25).Draw(t, "sponsor")
				record(p.SupportSponsor(r.Config, keyN(k), domain.SignatureValidated{SignatureID: uuid.New()}, now))
			case "withdraw":
				k := rapid.IntRange(0, 25).Draw(t, "withdrawn")
				record(p.WithdrawSponsor(r.Config, keyN(k), uuid.New(), now))
			case "publish", "reject", "hide", "flag", "dormant":
				record(p.Moderate(r.Config, domain.Moderation{Outcome: op, Code: "duplicate"}, now))
			case "stop":
				record(p.Stop(now))
			case "close":
				record(p.Close(domain.CloseEarly, now))
			case "closeDue":
				record(p.Close(domain.CloseAtDeadline, now))
			case "respond":
				record(p.RespondAsGovernment(r.Config, domain.GovernmentResponse{Summary: "s", RespondedOn: "2022-03-21",
					Department: domain.Department{Name: "CO"}}, now))
			case "schedule":
				record(p.ScheduleDebate("2022-05-25", now))
			case "debate":
				record(p.RecordDebateOutcome(r.Config, domain.DebateOutcome{}, now))
			case "business":
				record(p.AddOtherBusiness(r.Config, domain.OtherBusiness{Subject: "s", OccurredOn: "2022-05-25"}, now))
			case "advance":
				now = now.Add(time.Duration(rapid.IntRange(1, 400).Draw(t, "days")) * 24 * time.Hour)
			default:
				panic(fmt.Sprint("unknown op ", op))
			}
			if len(p.Sponsors) > r.Config.MaxSponsors {
				t.Fatalf("%d sponsors", len(p.Sponsors))
			}
		}
		replayed, err := domain.ReplayPetition(roundTrip(t, log))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(replayed, p) {
			t.Fatalf("replay differs:\n%+v\n%+v", replayed, p)
		}
	})
}
