package projections

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/internal/gen"
	"github.com/petitionledger/petitionledger/projections/internal/memstore"
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

// fill appends a history to a fresh memstore.
func fill(tb testing.TB, h []gen.Append) *memstore.Store {
	tb.Helper()
	s := memstore.New()
	for _, a := range h {
		if _, err := s.Append(context.Background(), a.Stream, eventstore.Any{}, a.Event); err != nil {
			tb.Fatal(err)
		}
	}
	return s
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
