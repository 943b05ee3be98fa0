package projections

import (
	"context"
	"fmt"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/eventhash"
)

// chunkSize is how many petitions share one copy-on-write chunk of a View.
const chunkSize = 256

type viewChunk [chunkSize]*PetitionState

// View is an immutable, consistent snapshot of every projection as of one
// $all position: every petition, count and audit length in it reflects
// exactly the events up to Position(), never a mix. Views are published by
// the Runner after each applied batch; a View stays valid (and unchanged)
// for as long as a reader holds it.
type View struct {
	pos     eventstore.Position
	applied uint64
	chunks  []*viewChunk    // by petition ordinal (creation order)
	n       int             // number of petitions
	index   map[int64]int32 // petition id → ordinal; never mutated once published
	audit   *auditLog
	src     eventstore.Store // for as-of replays; nil in bare ledger tests
	places  *Places
	rules   Rules
}

// Position is the $all position of the last event this view reflects
// (StartPosition before any event).
func (v *View) Position() eventstore.Position { return v.pos }

// EventsApplied is the number of $all events folded into this view.
func (v *View) EventsApplied() uint64 { return v.applied }

// Len is the number of petitions.
func (v *View) Len() int { return v.n }

// Petition returns the state of petition id.
func (v *View) Petition(id int64) (PetitionState, bool) {
	o, ok := v.index[id]
	if !ok || int(o) >= v.n {
		return PetitionState{}, false
	}
	return *v.at(int(o)), true
}

func (v *View) at(ordinal int) *PetitionState {
	return v.chunks[ordinal/chunkSize][ordinal%chunkSize]
}

// Facet selects petitions for Petitions, after the UK service's list
// "state" parameter.
type Facet string

// Facets.
const (
	FacetAll              Facet = "all"
	FacetOpen             Facet = "open"
	FacetClosed           Facet = "closed"
	FacetRejected         Facet = "rejected"
	FacetAwaitingResponse Facet = "awaiting_response"
	FacetWithResponse     Facet = "with_response"
	FacetAwaitingDebate   Facet = "awaiting_debate"
	FacetDebated          Facet = "debated"
	FacetNotDebated       Facet = "not_debated"
)

// Matches reports whether a petition belongs to the facet. Every facet but
// FacetAll keeps only publicly visible petitions (open, closed, rejected).
func (f Facet) Matches(s *PetitionState) bool {
	visible := s.State == "open" || s.State == "closed" || s.State == "rejected"
	switch f {
	case FacetAll, "":
		return true
	case FacetOpen, FacetClosed, FacetRejected:
		return s.State == string(f)
	case FacetAwaitingResponse:
		return visible && s.ResponseState == SubStateAwaiting
	case FacetWithResponse:
		return visible && s.ResponseState == SubStateResponded
	case FacetAwaitingDebate:
		return visible && (s.DebateState == SubStateAwaiting || s.DebateState == SubStateScheduled)
	case FacetDebated:
		return visible && s.DebateState == SubStateDebated
	case FacetNotDebated:
		return visible && s.DebateState == SubStateNotDebated
	}
	return false
}

// Page is one page of petitions and the total that match.
type Page struct {
	Petitions []PetitionState
	Total     int // petitions matching the facet
	Position  eventstore.Position
}

// Petitions returns page (1-based) of the petitions matching facet, count
// per page, in creation order.
func (v *View) Petitions(facet Facet, page, count int) (Page, error) {
	if page < 1 || count < 1 {
		return Page{}, fmt.Errorf("%w: page %d, count %d", ErrInvalidArgument, page, count)
	}
	out := Page{Position: v.pos}
	skip := (page - 1) * count
	for o := 0; o < v.n; o++ {
		s := v.at(o)
		if !facet.Matches(s) {
			continue
		}
		if out.Total >= skip && len(out.Petitions) < count {
			out.Petitions = append(out.Petitions, *s)
		}
		out.Total++
	}
	return out, nil
}

// AuditPage is one page of a petition's audit trail.
type AuditPage struct {
	Entries  []AuditEntry
	Total    uint64 // entries in the trail as of Position
	Position eventstore.Position
}

// Audit returns page (1-based) of petition id's audit trail, count entries
// per page, in log order, as of this view. Each entry's hash is computed
// from the event the store holds at its position (package eventhash).
func (v *View) Audit(ctx context.Context, id int64, page, count int) (AuditPage, error) {
	if page < 1 || count < 1 || count > MaxAuditPage {
		return AuditPage{}, fmt.Errorf("%w: page %d, count %d (at most %d)", ErrInvalidArgument, page, count, MaxAuditPage)
	}
	s, ok := v.Petition(id)
	if !ok {
		return AuditPage{}, fmt.Errorf("%w: %d", ErrPetitionNotFound, id)
	}
	out := AuditPage{Total: s.AuditLen, Position: v.pos}
	recs, err := v.audit.read(id, uint64(page-1)*uint64(count), uint64(count), s.AuditLen)
	if err != nil {
		return AuditPage{}, err
	}
	var h eventhash.Hasher
	for _, r := range recs {
		ev, err := v.eventAt(ctx, r.pos)
		if err != nil {
			return AuditPage{}, err
		}
		out.Entries = append(out.Entries, r.entry(h.Sum(ev)))
	}
	return out, nil
}

// MaxAuditPage bounds the entries of one audit page.
const MaxAuditPage = 1000

// eventAt reads the event recorded at pos.
func (v *View) eventAt(ctx context.Context, pos eventstore.Position) (*eventstore.RecordedEvent, error) {
	if v.src == nil {
		return nil, fmt.Errorf("%w: view has no store to read events from", ErrInvalidArgument)
	}
	evs, err := v.src.ReadAll(ctx, eventstore.ReadAllOptions{From: pos, MaxCount: 1})
	if err != nil {
		return nil, fmt.Errorf("projections: read event at %s: %w", pos, err)
	}
	if len(evs) != 1 || evs[0].Position != pos {
		return nil, fmt.Errorf("%w: audit entry at %s has no event in the store", ErrCheckpointCorrupt, pos)
	}
	return &evs[0], nil
}

// publish returns the view that follows prev after the ledger's latest
// batch: only the chunks holding touched petitions are copied.
func publish(prev *View, l *Ledger) *View {
	v := &View{pos: l.pos, applied: l.applied, n: len(l.byOrdinal), index: prev.index, audit: l.audit,
		src: prev.src, places: l.places, rules: l.rules}
	v.chunks = append([]*viewChunk(nil), prev.chunks...)
	for len(v.chunks)*chunkSize < v.n {
		v.chunks = append(v.chunks, new(viewChunk))
	}
	if v.n > prev.n {
		v.index = make(map[int64]int32, v.n)
		for k, o := range prev.index {
			v.index[k] = o
		}
		for o := prev.n; o < v.n; o++ {
			v.index[l.byOrdinal[o].st.ID] = int32(o)
		}
	}
	copied := map[int]bool{}
	for _, p := range l.touched {
		c := p.ordinal / chunkSize
		if !copied[c] {
			cp := *v.chunks[c]
			v.chunks[c] = &cp
			copied[c] = true
		}
		v.chunks[c][p.ordinal%chunkSize] = p.published()
		p.touched = false
	}
	l.touched = l.touched[:0]
	return v
}

// touchedIDs returns the ids of the petitions changed since the last
// publication, in the order they were first changed.
func (l *Ledger) touchedIDs() []int64 {
	ids := make([]int64, len(l.touched))
	for i, p := range l.touched {
		ids[i] = p.st.ID
	}
	return ids
}
