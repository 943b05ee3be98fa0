package projections

import (
	"log/slog"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// Ledger is the fold of $all into petition state, per-place counts and the
// audit trail. It is a pure, deterministic function of the events it is
// given, in order: no wall clock, no map iteration order. It is owned by
// one goroutine (the Runner's); readers see it only through Views.
type Ledger struct {
	places    *Places
	rules     Rules
	petitions map[int64]*petition
	byOrdinal []*petition // creation order
	audit     *auditLog
	pos       eventstore.Position // last event folded
	applied   uint64              // events folded
	touched   []*petition         // changed since the last publication
	sig       sigFields           // scratch
	log       *slog.Logger
}

// newLedger returns an empty ledger whose audit trail lives in auditDir.
func newLedger(places *Places, rules Rules, auditDir string, log *slog.Logger) (*Ledger, error) {
	a, err := openAuditLog(auditDir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Ledger{places: places, rules: rules, petitions: map[int64]*petition{}, audit: a, log: log}, nil
}

// Apply folds one recorded event. Events that are not the ledger's (other
// streams, system events) only advance the position. A domain event that
// cannot be decoded, or names a petition that does not exist, is logged and
// skipped: it cannot change any count, and skipping it is deterministic.
func (l *Ledger) Apply(ev *eventstore.RecordedEvent) {
	l.pos = ev.Position
	l.applied++
	switch foldKindOf(ev.Type) {
	case foldSignature:
		l.applySignature(ev)
	case foldPetition:
		l.applyPetition(ev)
	}
}

// foldKind says how the Ledger folds an event type.
type foldKind uint8

const (
	foldNone      foldKind = iota // not folded: see notFoldedEventTypes
	foldSignature                 // may change a count (fastdecode.go)
	foldPetition                  // petition lifecycle (petition.applyPetitionEvent)
)

// foldKindOf classifies an event type. Every type in domain.EventTypes is
// either folded here or listed in notFoldedEventTypes (a test checks it).
func foldKindOf(typ string) foldKind {
	switch typ {
	case domain.TypeSignatureValidated, domain.TypeSignatureInvalidated, domain.TypeSignatureMarkedFraudulent:
		return foldSignature
	case domain.TypePetitionCreated, domain.TypePetitionCreatorConfirmed, domain.TypePetitionSponsorSupported,
		domain.TypePetitionSponsorWithdrawn, domain.TypePetitionPublished, domain.TypePetitionRejected,
		domain.TypePetitionHidden, domain.TypePetitionFlagged, domain.TypePetitionStopped, domain.TypePetitionClosed,
		domain.TypeGovernmentResponded, domain.TypeDebateScheduled, domain.TypeDebateOutcomeRecorded,
		domain.TypeOtherBusinessAdded:
		return foldPetition
	}
	return foldNone
}

// notFoldedEventTypes are the domain event types that cannot change what
// the projections show, each with the reason.
var notFoldedEventTypes = map[string]string{
	// Always "" → pending (the domain checks it on encoding): it never
	// changes a count, so it is not even decoded.
	domain.TypeSignatureSigned: "a pending signature never counts",
	// An invalidation's effects are recorded by the SignatureInvalidated
	// and PetitionSponsorWithdrawn events it causes.
	domain.TypeInvalidationRequested: "its effects are the signature and sponsor events it causes",
	domain.TypeInvalidationCompleted: "its effects are the signature and sponsor events it causes",
}

func (l *Ledger) applySignature(ev *eventstore.RecordedEvent) {
	s := &l.sig
	if err := decodeSigFast(ev.Data, s, l.places); err != nil && !l.decodeSigSlow(ev, s) {
		return
	}
	p := l.petitions[s.PetitionID]
	if p == nil {
		l.skip(ev, "signature for an unknown petition")
		return
	}
	delta := signatureDelta(l.rules, ev.Type, s, p.closedAt)
	if delta == 0 {
		return
	}
	cs, ks := s.cs, s.ks
	if s.slotted&1 == 0 {
		cs = l.places.constituencySlot(s.Constituency)
	}
	if s.slotted&2 == 0 {
		ks = l.places.countrySlot(s.Country)
	}
	p.applyCount(l.rules, delta, cs, ks, s.At)
	l.record(p, ev, int8(delta), cs, ks, s.At)
}

// signatureDelta is the change a signature event makes to the count, by the
// domain's counting rule.
func signatureDelta(r Rules, typ string, s *sigFields, closedAt int64) int32 {
	switch typ {
	case domain.TypeSignatureValidated:
		if s.From != domain.SigValidated && s.To == domain.SigValidated && r.counts(s.SignedAt, s.At, closedAt) {
			return 1
		}
	case domain.TypeSignatureInvalidated, domain.TypeSignatureMarkedFraudulent:
		if s.From == domain.SigValidated && s.To != domain.SigValidated && r.counts(s.SignedAt, s.ValidatedAt, closedAt) {
			return -1
		}
	}
	return 0
}

// decodeSigSlow decodes a signature event with the domain's decoder.
func (l *Ledger) decodeSigSlow(ev *eventstore.RecordedEvent, s *sigFields) bool {
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		l.skip(ev, err.Error())
		return false
	}
	*s = sigFieldsOf(e)
	return true
}

// sigFieldsOf extracts the counting fields of a decoded signature event.
func sigFieldsOf(e domain.Event) sigFields {
	var s sigFields
	switch e := e.(type) {
	case domain.SignatureSigned:
		s = sigFields{PetitionID: e.PetitionID, Constituency: e.Location.Constituency, Country: e.Location.Country,
			From: e.From, To: e.To, At: unixNanos(e.At)}
	case domain.SignatureValidated:
		s = sigFields{PetitionID: e.PetitionID, Constituency: e.Location.Constituency, Country: e.Location.Country,
			From: e.From, To: e.To, At: unixNanos(e.At), SignedAt: unixNanos(e.SignedAt)}
	case domain.SignatureInvalidated:
		s = sigFields{PetitionID: e.PetitionID, Constituency: e.Location.Constituency, Country: e.Location.Country,
			From: e.From, To: e.To, At: unixNanos(e.At), SignedAt: unixNanos(e.SignedAt), ValidatedAt: unixNanos(e.ValidatedAt)}
	case domain.SignatureMarkedFraudulent:
		s = sigFields{PetitionID: e.PetitionID, Constituency: e.Location.Constituency, Country: e.Location.Country,
			From: e.From, To: e.To, At: unixNanos(e.At), SignedAt: unixNanos(e.SignedAt), ValidatedAt: unixNanos(e.ValidatedAt)}
	}
	return s
}

func (l *Ledger) applyPetition(ev *eventstore.RecordedEvent) {
	e, err := domain.DecodeEventWithID(ev.Type, ev.ID.String(), ev.Data)
	if err != nil {
		l.skip(ev, err.Error())
		return
	}
	pe, ok := e.(domain.PetitionEvent)
	if !ok {
		return
	}
	id := pe.Petition()
	p := l.petitions[id]
	_, created := e.(domain.PetitionCreated)
	switch {
	case created && p != nil:
		l.skip(ev, "petition created twice")
		return
	case created:
		p = newPetition(id, len(l.byOrdinal), l.places)
		l.petitions[id] = p
		l.byOrdinal = append(l.byOrdinal, p)
	case p == nil:
		l.skip(ev, "event for an unknown petition")
		return
	}
	if p.applyPetitionEvent(e) {
		l.record(p, ev, 0, noConstituency, 0, unixNanos(e.OccurredAt()))
	}
}

// record appends an audit entry for ev and marks p as changed.
func (l *Ledger) record(p *petition, ev *eventstore.RecordedEvent, delta int8, cs, ks uint16, at int64) {
	r := auditRecord{pos: ev.Position, at: at, typ: auditTypeCode[ev.Type], role: roleOf(ev.Type),
		delta: delta, cs: cs, ks: ks}
	l.audit.append(p.st.ID, &r)
	p.st.AuditLen++
	p.st.Position = ev.Position
	if !p.touched {
		p.touched = true
		l.touched = append(l.touched, p)
	}
}

func (l *Ledger) skip(ev *eventstore.RecordedEvent, why string) {
	l.log.Warn("projections: event skipped", slog.String("reason", why), slog.String("type", ev.Type),
		slog.String("stream", ev.Stream), slog.String("position", ev.Position.String()))
}

// advance moves the position past events the store filtered out (a
// filtered subscription's checkpoint): they change nothing.
func (l *Ledger) advance(pos eventstore.Position) {
	if pos.Compare(l.pos) > 0 {
		l.pos = pos
	}
}
