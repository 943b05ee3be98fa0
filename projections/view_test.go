package projections

import (
	"errors"
	"testing"
)

func TestPetitionsPagesAndFacets(t *testing.T) {
	v := buildTo(t, fill(t, mustHistory(t, genOptions(19, 23, 3000))), t.TempDir(), 1<<40)
	facets := []Facet{FacetAll, FacetOpen, FacetClosed, FacetRejected, FacetAwaitingResponse, FacetWithResponse,
		FacetAwaitingDebate, FacetDebated, FacetNotDebated}
	seen := map[Facet]int{}
	for _, f := range facets {
		// Independent expectation: walk every petition.
		var want []int64
		for o := 0; o < v.Len(); o++ {
			s := v.at(o)
			public := s.State == "open" || s.State == "closed" || s.State == "rejected"
			var in bool
			switch f {
			case FacetAll:
				in = true
			case FacetOpen, FacetClosed, FacetRejected:
				in = s.State == string(f)
			case FacetAwaitingResponse:
				in = public && !s.ResponseThresholdReachedAt.IsZero() && s.GovernmentResponseAt.IsZero()
			case FacetWithResponse:
				in = public && !s.GovernmentResponseAt.IsZero()
			case FacetAwaitingDebate:
				in = public && (s.DebateState == "awaiting" || s.DebateState == "scheduled")
			case FacetDebated:
				in = public && s.Debate != nil && s.Debate.Debated
			case FacetNotDebated:
				in = public && s.Debate != nil && !s.Debate.Debated
			}
			if in {
				want = append(want, s.ID)
			}
		}
		var got []int64
		for page := 1; ; page++ {
			pg, err := v.Petitions(f, page, 4)
			if err != nil {
				t.Fatal(err)
			}
			if pg.Total != len(want) || pg.Position != v.Position() {
				t.Fatalf("%s: total %d at %s, want %d at %s", f, pg.Total, pg.Position, len(want), v.Position())
			}
			if len(pg.Petitions) == 0 {
				break
			}
			for _, s := range pg.Petitions {
				got = append(got, s.ID)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: paged %v, want %v", f, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: paged %v, want %v", f, got, want)
			}
		}
		seen[f] = len(want)
	}
	if seen[FacetOpen] == 0 || seen[FacetClosed] == 0 || seen[FacetRejected] == 0 || seen[FacetWithResponse] == 0 {
		t.Fatalf("history too tame for the facets: %v", seen)
	}
	for _, bad := range [][2]int{{0, 10}, {1, 0}, {-1, 5}} {
		if _, err := v.Petitions(FacetAll, bad[0], bad[1]); !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("page %d count %d: got %v, want ErrInvalidArgument", bad[0], bad[1], err)
		}
	}
}
