package demo

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// wave is a period of signing; share is the fraction of the crowd signing
// in it. A front-loaded wave thins out towards its end (news fades).
type wave struct {
	from, to time.Time
	share    float64
	front    bool
}

// crowdSpec describes the ordinary signers of one petition.
type crowdSpec struct {
	counted        int     // ordinary signatures that must count
	neverConfirmed int     // extra signers who never follow the email link
	abroadShare    float64 // of counted, signers living outside the UK
	unknownShare   float64 // of UK signers, postcodes the table lacks
	householdShare float64 // of UK signers, a second person using the same email
	waves          []wave
	end            time.Time // signing happens before this
	validateBy     time.Time // confirmations happen no later than this
	ipBase         int       // offset into ipFor, distinct per petition
	scale          float64   // Options.scale
}

// plan is one signing, decided before it is played.
type plan struct {
	n          int // order of creation, the tie-break between equal times
	at         time.Time
	who        person
	country    string
	postcode   string
	ip         string
	notify     bool
	validateAt time.Time // zero: never confirmed
}

// slot is where a signer lives and whether they will confirm.
type slot struct {
	ons, country string // ons "" abroad; ons geo.UnknownConstituency for an unknown postcode
	confirms     bool
}

// crowd plans the signings of spec, sorted by time.
func (s *petitionSim) crowd(spec crowdSpec) ([]plan, error) {
	r, g := s.r, s.g.geo
	spec.scale = s.g.opts.scale
	slots, households := crowdSlots(r, g, spec)
	r.shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	plans := make([]plan, 0, len(slots)+households)
	for i, s := range slots {
		p, err := planFor(r, g, spec, s, i)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	slices.SortFunc(plans, byTime)
	plans = addHouseholds(r, spec, plans, households)
	slices.SortFunc(plans, byTime)
	return plans, nil
}

// crowdSlots apportions the counted signers over constituencies (weights
// 0.6–1.4, a stand-in for roughly equal electorates) and countries, adds the
// never-confirmed ones, and returns how many household seconds to add.
func crowdSlots(r *rng, g *geo.Data, spec crowdSpec) ([]slot, int) {
	if spec.scale > 0 {
		spec.counted = int(float64(spec.counted) * spec.scale)
		spec.neverConfirmed = int(float64(spec.neverConfirmed) * spec.scale)
	}
	nAbroad := int(math.Round(float64(spec.counted) * spec.abroadShare))
	nUK := spec.counted - nAbroad
	nUnknown := int(math.Round(float64(nUK) * spec.unknownShare))
	nHouse := int(math.Round(float64(nUK) * spec.householdShare))
	cs := g.Constituencies()
	weights := make([]float64, len(cs))
	for i := range weights {
		// The conversion forbids fusing into an FMA (Go spec), so the
		// weights, and the history, are the same on every architecture.
		weights[i] = 0.6 + float64(0.8*r.float())
	}
	slots := make([]slot, 0, spec.counted+spec.neverConfirmed)
	for i, n := range apportion(nUK-nUnknown-nHouse, weights) {
		for range n {
			slots = append(slots, slot{ons: cs[i].ONSCode, country: geo.UnitedKingdom, confirms: true})
		}
	}
	countryWeights := make([]float64, len(abroad))
	for i, a := range abroad {
		countryWeights[i] = a.weight
	}
	for i, n := range apportion(nAbroad, countryWeights) {
		for range n {
			slots = append(slots, slot{country: abroad[i].code, confirms: true})
		}
	}
	for range nUnknown {
		slots = append(slots, slot{ons: geo.UnknownConstituency, country: geo.UnitedKingdom, confirms: true})
	}
	for range spec.neverConfirmed {
		s := slot{ons: cs[r.intn(len(cs))].ONSCode, country: geo.UnitedKingdom}
		if r.chance(spec.abroadShare) {
			s = slot{country: abroad[r.intn(len(abroad))].code}
		}
		slots = append(slots, s)
	}
	return slots, nHouse
}

// byTime orders plans by time, then by creation.
func byTime(a, b plan) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return a.n - b.n
}

// planFor turns a slot into a signing at a time drawn from the waves.
func planFor(r *rng, g *geo.Data, spec crowdSpec, s slot, n int) (plan, error) {
	p := plan{n: n, at: waveTime(r, spec.waves), who: newPerson(r, n), country: s.country,
		ip: ipFor(spec.ipBase + n), notify: r.chance(0.7)}
	if !p.at.Before(spec.end) {
		p.at = spec.end.Add(-time.Minute)
	}
	switch s.ons {
	case "":
	case geo.UnknownConstituency:
		p.postcode = unknownPostcode(r, g)
	default:
		pc, err := postcodeIn(r, g, s.ons)
		if err != nil {
			return plan{}, err
		}
		p.postcode = pc
	}
	if s.confirms {
		p.validateAt = confirmation(r, p.at, spec.validateBy)
	}
	return p, nil
}

// addHouseholds adds n second signatures: another person of a UK signer's
// household, same email, postcode and network, 10 minutes to 3 hours later.
func addHouseholds(r *rng, spec crowdSpec, plans []plan, n int) []plan {
	var candidates []int
	for i, p := range plans {
		if p.country == geo.UnitedKingdom && !p.validateAt.IsZero() && p.at.Before(spec.end.Add(-4*time.Hour)) {
			candidates = append(candidates, i)
		}
	}
	r.shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	for _, i := range candidates[:min(n, len(candidates))] {
		first := plans[i]
		second := first
		second.n = len(plans)
		second.who = householdMember(r, first.who)
		second.at = first.at.Add(10*time.Minute + time.Duration(r.float()*float64(170*time.Minute)))
		second.notify = r.chance(0.7)
		second.validateAt = confirmation(r, second.at, spec.validateBy)
		plans = append(plans, second)
	}
	return plans
}

// waveTime draws a signing time: a wave by share, then a time within it.
func waveTime(r *rng, waves []wave) time.Time {
	u, w := r.float(), waves[len(waves)-1]
	for _, candidate := range waves {
		if u < candidate.share {
			w = candidate
			break
		}
		u -= candidate.share
	}
	x := r.float()
	if w.front {
		x *= x
	}
	return w.from.Add(time.Duration(x * float64(w.to.Sub(w.from)))).Truncate(time.Millisecond)
}

// confirmation draws when a signer follows the email link: mostly within
// minutes, sometimes hours later, never after by.
func confirmation(r *rng, signed, by time.Time) time.Time {
	u := r.float()
	at := signed.Add(20*time.Second + time.Duration(u*u*u*float64(6*time.Hour))).Truncate(time.Millisecond)
	if at.After(by) {
		at = by
	}
	if !at.After(signed) {
		at = signed.Add(time.Millisecond)
	}
	return at
}

// step is one action of a crowd: plan i signs, or confirms.
type step struct {
	at      time.Time
	plan    int
	confirm bool
}

// steps orders the signings and confirmations of plans by time (ties:
// signing first, then plan order), so each signer stream is written in
// time order even when a household's second signature comes before the
// first one is confirmed.
func steps(plans []plan) []step {
	out := make([]step, 0, 2*len(plans))
	for i, p := range plans {
		out = append(out, step{at: p.at, plan: i})
		if !p.validateAt.IsZero() {
			out = append(out, step{at: p.validateAt, plan: i, confirm: true})
		}
	}
	slices.SortFunc(out, func(a, b step) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.confirm != b.confirm {
			if a.confirm {
				return 1
			}
			return -1
		}
		return a.plan - b.plan
	})
	return out
}

// play signs and confirms every plan on the petition. With bots false an
// ordinary signer over the rate limit means the story is broken; with bots
// true a rate-limited signing stays recorded as fraudulent and is never
// confirmed.
func (s *petitionSim) play(plans []plan, bots bool) error {
	refs := make([]sigRef, len(plans))
	fraudulent := make([]bool, len(plans))
	ready := s.prepareAll(plans)
	defer ready.stop.Store(true)
	for _, st := range steps(plans) {
		p := plans[st.plan]
		if st.confirm {
			if fraudulent[st.plan] {
				continue
			}
			if err := s.validateWithID(refs[st.plan], ready.get(st.plan).validatedID, st.at); err != nil {
				return fmt.Errorf("confirming at %s: %w", st.at.Format(time.RFC3339), err)
			}
			continue
		}
		ps := ready.get(st.plan)
		if ps.err != nil {
			return fmt.Errorf("signing at %s: %w", p.at.Format(time.RFC3339), ps.err)
		}
		ref, fraud, err := s.record(*ps)
		if err != nil {
			return fmt.Errorf("signing at %s: %w", p.at.Format(time.RFC3339), err)
		}
		if fraud && !bots {
			return fmt.Errorf("ordinary signer at %s was rate limited", p.at.Format(time.RFC3339))
		}
		refs[st.plan], fraudulent[st.plan] = ref, fraud
	}
	return nil
}

// preparing builds every plan's SignatureSigned (keyed hashes and seal,
// the costly part) on all cores, in chunks, ahead of the sequential
// decisions that consume them: get(i) waits only for plan i's chunk. Each
// result depends only on its plan, so the history does not depend on
// scheduling.
type preparing struct {
	out   []prepared
	ready []chan struct{} // closed when the chunk is built
	stop  atomic.Bool     // set when the consumer gives up: workers stop early
}

const prepareChunk = 512

func (s *petitionSim) prepareAll(plans []plan) *preparing {
	chunks := (len(plans) + prepareChunk - 1) / prepareChunk
	pr := &preparing{out: make([]prepared, len(plans)), ready: make([]chan struct{}, chunks)}
	for c := range pr.ready {
		pr.ready[c] = make(chan struct{})
	}
	var next atomic.Int64
	for range max(1, runtime.GOMAXPROCS(0)) {
		go func() {
			for c := int(next.Add(1) - 1); c < chunks && !pr.stop.Load(); c = int(next.Add(1) - 1) {
				for i := c * prepareChunk; i < min(len(plans), (c+1)*prepareChunk); i++ {
					p := plans[i]
					in := signerInput(p.who, p.country, p.postcode, p.ip, p.notify)
					pr.out[i] = s.prepareOne(in, domain.KindSigner, p.at, s.g.id(s.stream, "signer", strconv.Itoa(i)))
				}
				close(pr.ready[c])
			}
		}()
	}
	return pr
}

// get returns plan i's prepared signature, waiting for it if needed.
func (pr *preparing) get(i int) *prepared {
	<-pr.ready[i/prepareChunk]
	return &pr.out[i]
}
