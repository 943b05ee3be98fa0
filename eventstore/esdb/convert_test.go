package esdb

import (
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// TestToClientStreamFrom pins how stream read starts map to the client's.
func TestToClientStreamFrom(t *testing.T) {
	tests := []struct {
		name string
		from eventstore.StreamFrom
		dir  eventstore.Direction
		want client.StreamPosition
	}{
		{"NilForwardsIsStart", nil, eventstore.Forwards, client.Start{}},
		{"NilBackwardsIsEnd", nil, eventstore.Backwards, client.End{}},
		{"Start", eventstore.Start{}, eventstore.Backwards, client.Start{}},
		{"End", eventstore.End{}, eventstore.Forwards, client.End{}},
		{"Revision", eventstore.Revision(7), eventstore.Forwards, client.StreamRevision{Value: 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := toClientStreamFrom(tc.from, tc.dir)
			if err != nil || got != tc.want {
				t.Errorf("got %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

// TestToClientAllFrom pins how $all read starts map to the client's.
func TestToClientAllFrom(t *testing.T) {
	tests := []struct {
		name string
		from eventstore.AllFrom
		dir  eventstore.Direction
		want client.AllPosition
	}{
		{"NilForwardsIsStart", nil, eventstore.Forwards, client.Start{}},
		{"NilBackwardsIsEnd", nil, eventstore.Backwards, client.End{}},
		{"Start", eventstore.Start{}, eventstore.Backwards, client.Start{}},
		{"End", eventstore.End{}, eventstore.Forwards, client.End{}},
		{"Position", eventstore.Position{Commit: 9, Prepare: 8}, eventstore.Forwards, client.Position{Commit: 9, Prepare: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := toClientAllFrom(tc.from, tc.dir)
			if err != nil || got != tc.want {
				t.Errorf("got %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}
