package verify

import (
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// recount is the verifier's own fold: the last known facts of every
// signature and the close time of every petition, from the raw events
// (read into foldOps by prepareEvent), judged with domain.Counts. It shares
// no code with package projections.
//
// Its per-signature state is compact and holds no pointers, so the heap of
// a 10-million-event log is a few hundred MB the garbage collector never
// has to scan: a signature's location and state are indexes into tables of
// the distinct values seen, its times are seconds and nanoseconds.
type recount struct {
	grace     time.Duration
	head      eventstore.Position // position of the last event folded
	petitions map[int64]*petitionFacts
	lastID    int64 // petition of the previous fold, a one-entry cache
	last      *petitionFacts
	locs      []domain.Location
	locIDs    map[domain.Location]uint32
	states    []domain.SignatureState
	stateIDs  map[domain.SignatureState]uint32
}

type petitionFacts struct {
	published bool
	closedAt  time.Time
	sigs      map[uuid.UUID]sigFacts
}

// sigFacts is what counting needs of one signature.
type sigFacts struct {
	signedAt, validatedAt instant
	loc                   uint32 // index into recount.locs
	state                 uint32 // index into recount.states
}

// instant is a time as Unix seconds and nanoseconds: exact for any
// time.Time (the zero time included), and free of pointers.
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

// time returns the instant as a UTC time.Time; the zero instant (that of
// the zero time.Time) gives the zero time.Time.
func (i instant) time() time.Time { return time.Unix(i.sec, int64(i.nsec)).UTC() }

func newRecount(grace time.Duration) *recount {
	return &recount{grace: grace, petitions: map[int64]*petitionFacts{},
		locIDs: map[domain.Location]uint32{}, stateIDs: map[domain.SignatureState]uint32{}}
}

func (r *recount) petition(id int64) *petitionFacts {
	if r.last != nil && r.lastID == id {
		return r.last
	}
	p := r.petitions[id]
	if p == nil {
		p = &petitionFacts{sigs: map[uuid.UUID]sigFacts{}}
		r.petitions[id] = p
	}
	r.lastID, r.last = id, p
	return p
}

// locID interns a location; its strings may point into a page's event
// data, so a new one is stored as a copy.
func (r *recount) locID(l domain.Location) uint32 {
	if id, ok := r.locIDs[l]; ok {
		return id
	}
	l = domain.Location{Constituency: strings.Clone(l.Constituency), Country: strings.Clone(l.Country), Region: strings.Clone(l.Region)}
	id := uint32(len(r.locs))
	r.locs = append(r.locs, l)
	r.locIDs[l] = id
	return id
}

func (r *recount) stateID(s domain.SignatureState) uint32 {
	if id, ok := r.stateIDs[s]; ok {
		return id
	}
	s = domain.SignatureState(strings.Clone(string(s)))
	id := uint32(len(r.states))
	r.states = append(r.states, s)
	r.stateIDs[s] = id
	return id
}

// fold applies one prepared event, in log order.
func (r *recount) fold(op *foldOp) {
	switch op.kind {
	case opNone:
	case opPublished:
		r.petition(op.petition).published = true
	case opClosed:
		r.petition(op.petition).closedAt = op.signedAt.time()
	default:
		p := r.petition(op.petition)
		s := p.sigs[op.signature]
		s.loc, s.state = r.locID(op.loc), r.stateID(op.to)
		s.signedAt = op.signedAt
		if op.kind != opSigned { // a new signature keeps any validation time it had
			s.validatedAt = op.validatedAt
		}
		p.sigs[op.signature] = s
	}
}

// Event type names the recount reads (domain's registry names).
var (
	typeSigned      = domain.SignatureSigned{}.EventType()
	typeValidated   = domain.SignatureValidated{}.EventType()
	typeInvalidated = domain.SignatureInvalidated{}.EventType()
	typeFraudulent  = domain.SignatureMarkedFraudulent{}.EventType()
	typePublished   = domain.PetitionPublished{}.EventType()
	typeClosed      = domain.PetitionClosed{}.EventType()
)

// tally is the recounted totals of one petition.
type tally struct {
	total, signatures, invalidated, fraudulent, abroad int64
	constituency, region, country                      map[string]int64
}

func (r *recount) tally(id int64) tally {
	p := r.petitions[id]
	t := tally{constituency: map[string]int64{}, region: map[string]int64{}, country: map[string]int64{}}
	byLoc := make([]int64, len(r.locs))
	for _, s := range p.sigs {
		t.signatures++
		state := r.states[s.state]
		switch state {
		case domain.SigInvalidated:
			t.invalidated++
		case domain.SigFraudulent:
			t.fraudulent++
		}
		f := domain.CountFacts{State: state, SignedAt: s.signedAt.time(), ValidatedAt: s.validatedAt.time()}
		if domain.Counts(f, p.closedAt, r.grace) {
			byLoc[s.loc]++
		}
	}
	for id, n := range byLoc {
		if n == 0 {
			continue
		}
		loc := r.locs[id]
		t.total += n
		if loc.Constituency != "" {
			t.constituency[loc.Constituency] += n
		}
		if loc.Region != "" {
			t.region[loc.Region] += n
		}
		if loc.Country != "" {
			t.country[loc.Country] += n
		}
		if loc.Country != "GB" {
			t.abroad += n
		}
	}
	return t
}

func (r *recount) ids() []int64 {
	ids := make([]int64, 0, len(r.petitions))
	for id := range r.petitions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
