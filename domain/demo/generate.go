package demo

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// ErrBadOptions is wrapped by Generate when Options are incomplete.
var ErrBadOptions = errors.New("demo: bad options")

// earliestNow is the earliest allowed Options.Now: every dated petition of
// the story must be over by then.
var earliestNow = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)

// Options configure Generate. The history is a pure function of them: the
// same Seed, Now, hashing secret and sealing key give byte-identical events.
type Options struct {
	// Seed selects the random draws (names, postcodes, times, ...).
	Seed uint64
	// Now is the demo's present (UTC, on or after 2023-06-01). The open
	// petition was published 33 days before it and is still open after it;
	// every other petition is dated 2021–2023.
	Now time.Time
	// Rules supplies the Config, the Hasher (the server's secret, so the
	// keyed hashes match what the server computes) and Places (nil:
	// geo.Default()). Rules.Keys is not used: see Sealer.
	Rules domain.Rules
	// Sealer seals signers' personal data; use NewSealer with the server's
	// current sealing key for a reproducible history the server can open.
	Sealer Sealer
	// Geo picks real postcodes per constituency; nil: geo.Default().
	Geo *geo.Data

	// scale shrinks every crowd for quick tests (0 means 1); unexported so
	// the published demo always has its real sizes.
	scale float64
}

// generator holds what every petition script shares.
type generator struct {
	opts    Options
	rules   domain.Rules
	cfg     domain.Config
	geo     *geo.Data
	seedTag string
	out     []pending
	lastAt  map[string]time.Time // per stream, to keep each stream in time order
	seq     int
}

// pending is a record before ordering and revision numbering.
type pending struct {
	Record
	at  time.Time
	seq int
}

// Generate builds the demo history: five petitions (see the package
// documentation) as records in append order, with exact expected revisions.
func Generate(opts Options) (*History, error) {
	g, err := newGenerator(opts)
	if err != nil {
		return nil, err
	}
	scripts := []func(*generator, int64) (Summary, error){
		seedPetition, openPetition, rejectedPetition, debatedPetition, invalidatedPetition,
	}
	h := &History{}
	for i, script := range scripts {
		s, err := script(g, int64(i+1))
		if err != nil {
			return nil, fmt.Errorf("demo: petition %d: %w", i+1, err)
		}
		h.Petitions = append(h.Petitions, s)
	}
	h.Records = g.ordered()
	return h, nil
}

func newGenerator(opts Options) (*generator, error) {
	if opts.Rules.Hasher == nil || opts.Sealer == nil {
		return nil, fmt.Errorf("%w: Rules.Hasher and Sealer are required", ErrBadOptions)
	}
	if opts.Now.Before(earliestNow) {
		return nil, fmt.Errorf("%w: Now %s is before %s", ErrBadOptions, opts.Now.Format(time.RFC3339), earliestNow.Format(time.DateOnly))
	}
	if opts.Geo == nil {
		opts.Geo = geo.Default()
	}
	rules := opts.Rules
	if rules.Places == nil {
		rules.Places = opts.Geo
	}
	// PrepareSignature seals with Rules.Keys; the demo replaces that seal
	// with the Sealer's, so a throwaway key serves.
	discard, err := domain.NewKeyring("demo-discarded", map[string][]byte{"demo-discarded": make([]byte, 32)})
	if err != nil {
		return nil, err
	}
	rules.Keys = discard
	return &generator{opts: opts, rules: rules, cfg: rules.Config, geo: opts.Geo,
		seedTag: strconv.FormatUint(opts.Seed, 10), lastAt: map[string]time.Time{}}, nil
}

// id derives an event (or invalidation) ID from the seed and parts.
func (g *generator) id(parts ...string) uuid.UUID {
	return domain.DeterministicEventID(append([]string{"demo", g.seedTag}, parts...)...)
}

// emit queues one event. Each stream's events must come in time order.
func (g *generator) emit(stream string, id uuid.UUID, e domain.Event) error {
	at := e.OccurredAt()
	if last, ok := g.lastAt[stream]; ok && at.Before(last) {
		return fmt.Errorf("%s: %s at %s before the stream's previous event at %s", stream, e.EventType(),
			at.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
	}
	g.lastAt[stream] = at
	g.out = append(g.out, pending{Record: Record{Stream: stream, EventID: id, Event: e}, at: at, seq: g.seq})
	g.seq++
	return nil
}

// ordered sorts the queued events by domain time (ties in generation order)
// and numbers each stream's expected revisions.
func (g *generator) ordered() []Record {
	slices.SortFunc(g.out, func(a, b pending) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	next := make(map[string]int64, len(g.lastAt))
	out := make([]Record, len(g.out))
	for i, p := range g.out {
		r := p.Record
		r.Expected = next[r.Stream] - 1
		next[r.Stream]++
		out[i] = r
	}
	return out
}
