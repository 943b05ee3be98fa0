package esdb

import (
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// conversion is one case of a read-start conversion.
type conversion[F any, P comparable] struct {
	name string
	from F
	dir  eventstore.Direction
	want P
}

// testConversions runs each case through convert.
func testConversions[F any, P comparable](t *testing.T, convert func(F, eventstore.Direction) (P, error), cases []conversion[F, P]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convert(tc.from, tc.dir)
			if err != nil || got != tc.want {
				t.Errorf("got %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

// TestToClientStreamFrom pins how stream read starts map to the client's.
func TestToClientStreamFrom(t *testing.T) {
	testConversions(t, toClientStreamFrom, []conversion[eventstore.StreamFrom, client.StreamPosition]{
		{"NilForwardsIsStart", nil, eventstore.Forwards, client.Start{}},
		{"NilBackwardsIsEnd", nil, eventstore.Backwards, client.End{}},
		{"Start", eventstore.Start{}, eventstore.Backwards, client.Start{}},
		{"End", eventstore.End{}, eventstore.Forwards, client.End{}},
		{"Revision", eventstore.Revision(7), eventstore.Forwards, client.StreamRevision{Value: 7}},
	})
}

// TestToClientAllFrom pins how $all read starts map to the client's.
func TestToClientAllFrom(t *testing.T) {
	testConversions(t, toClientAllFrom, []conversion[eventstore.AllFrom, client.AllPosition]{
		{"NilForwardsIsStart", nil, eventstore.Forwards, client.Start{}},
		{"NilBackwardsIsEnd", nil, eventstore.Backwards, client.End{}},
		{"Start", eventstore.Start{}, eventstore.Backwards, client.Start{}},
		{"End", eventstore.End{}, eventstore.Forwards, client.End{}},
		{"Position", eventstore.Position{Commit: 9, Prepare: 8}, eventstore.Forwards, client.Position{Commit: 9, Prepare: 8}},
	})
}
