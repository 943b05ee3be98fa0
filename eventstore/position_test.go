package eventstore_test

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestPositionCompare(t *testing.T) {
	p := func(c, pr uint64) eventstore.Position { return eventstore.Position{Commit: c, Prepare: pr} }
	cases := []struct {
		name string
		a, b eventstore.Position
		want int
	}{
		{"EqualPositionsCompareEqual", p(5, 5), p(5, 5), 0},
		{"StartEqualsZeroValue", eventstore.StartPosition, eventstore.Position{}, 0},
		{"LowerCommitIsBefore", p(4, 9), p(5, 1), -1},
		{"HigherCommitIsAfter", p(6, 0), p(5, 9), 1},
		{"SameCommitLowerPrepareIsBefore", p(5, 3), p(5, 4), -1},
		{"SameCommitHigherPrepareIsAfter", p(5, 4), p(5, 3), 1},
		{"StartIsBeforeEverything", eventstore.StartPosition, p(0, 1), -1},
		{"MaxCommitIsAfter", p(^uint64(0), 0), p(^uint64(0)-1, ^uint64(0)), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Compare(tc.b); got != tc.want {
				t.Errorf("%v.Compare(%v): got %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := tc.b.Compare(tc.a); got != -tc.want {
				t.Errorf("%v.Compare(%v) (reversed): got %d, want %d", tc.b, tc.a, got, -tc.want)
			}
		})
	}
}

func TestPositionString(t *testing.T) {
	cases := []struct {
		pos  eventstore.Position
		want string
	}{
		{eventstore.Position{Commit: 42, Prepare: 42}, "42"},
		{eventstore.StartPosition, "0"},
		{eventstore.Position{Commit: 42, Prepare: 40}, "C:42/P:40"},
	}
	for _, tc := range cases {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String(): got %q, want %q", tc.pos, got, tc.want)
		}
	}
}
