package projections

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/internal/gen"
)

// testRules use small thresholds so generated histories cross them, and
// fall back below them, often.
var testRules = Rules{Thresholds: Thresholds{Moderation: 5, Response: 25, Debate: 60}, ValidationGrace: DefaultValidationGrace}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// testPlaces has 24 constituencies in 3 regions (one code is left out so
// the generator can produce an unknown constituency) and 5 countries.
func testPlaces(tb testing.TB) *Places {
	tb.Helper()
	var cs []Constituency
	for i := 0; i < 24; i++ {
		cs = append(cs, Constituency{ONSCode: fmt.Sprintf("E140%05d", i), Name: fmt.Sprintf("Seat %d", i),
			MP: fmt.Sprintf("MP %d", i), RegionCode: fmt.Sprintf("E1200000%d", 1+i%3)})
	}
	regions := []Region{{"E12000001", "North East"}, {"E12000002", "North West"}, {"E12000003", "Yorkshire"}}
	countries := []Country{{"GB", "United Kingdom"}, {"FR", "France"}, {"US", "United States"}, {"DE", "Germany"}, {"IE", "Ireland"}}
	p, err := NewPlaces(cs, regions, countries)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// genOptions draws constituencies from the test table plus one unknown
// code, and countries including one unknown code.
func genOptions(seed uint64, petitions, steps int) gen.Options {
	o := gen.Options{Seed: seed, Petitions: petitions, Steps: steps, Countries: []string{"FR", "US", "DE", "IE", "ZZ"}}
	for i := 0; i < 24; i++ {
		o.Constituencies = append(o.Constituencies, fmt.Sprintf("E140%05d", i))
	}
	o.Constituencies = append(o.Constituencies, "E14099999")
	return o
}

func mustHistory(tb testing.TB, o gen.Options) []gen.Append {
	tb.Helper()
	h, err := gen.History(o)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// openStore opens an empty embedded store in a test directory, closed
// when the test ends.
func openStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	s, err := embedded.Open(tb.TempDir(), embedded.WithLogger(quietLog))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// historyChunk is how many consecutive events of a generated history go
// in one append, to stream "history-<k>" for the k-th chunk of the whole
// history. The fold reads petitions from event bodies, never from stream
// names; the embedded store fsyncs every append, and one append per event
// made the package's tests take minutes. Chunks are aligned to the whole
// history, so a store filled at once, live or in two parts has the same
// records at the same positions.
const historyChunk = 50

// fill appends a history to a fresh embedded store, in order.
func fill(tb testing.TB, h []gen.Append) *embedded.Store {
	tb.Helper()
	s := openStore(tb)
	appendHistory(tb, s, h, 0, len(h), nil)
	return s
}

// appendHistory appends h[from:to] to s in order, in historyChunk-aligned
// appends (from and to must be multiples of historyChunk, or to len(h));
// after calls after each append with its result and the index of the
// first event not yet appended.
func appendHistory(tb testing.TB, s eventstore.Store, h []gen.Append, from, to int, after func(eventstore.AppendResult, int)) {
	tb.Helper()
	if from%historyChunk != 0 || (to%historyChunk != 0 && to != len(h)) {
		tb.Fatalf("appendHistory(%d, %d): not aligned to %d events", from, to, historyChunk)
	}
	for i := from; i < to; i += historyChunk {
		end := min(to, i+historyChunk)
		evs := make([]eventstore.EventData, 0, end-i)
		for _, a := range h[i:end] {
			evs = append(evs, a.Event)
		}
		res, err := s.Append(context.Background(), fmt.Sprintf("history-%d", i/historyChunk), eventstore.Any{}, evs...)
		if err != nil {
			tb.Fatal(err)
		}
		if after != nil {
			after(res, end)
		}
	}
}

// recorded returns the store's events as recorded.
func recorded(tb testing.TB, s eventstore.Store) []eventstore.RecordedEvent {
	tb.Helper()
	evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}

func newTestLedger(tb testing.TB) *Ledger {
	tb.Helper()
	l, err := newLedger(testPlaces(tb), testRules, tb.TempDir(), quietLog)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
