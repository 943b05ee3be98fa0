package esdb

import (
	"errors"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestMatcher(t *testing.T) {
	ev := func(stream, typ string) *eventstore.RecordedEvent {
		return &eventstore.RecordedEvent{Stream: stream, Type: typ}
	}
	tests := []struct {
		name   string
		filter *eventstore.Filter
		event  *eventstore.RecordedEvent
		want   bool
	}{
		{"NilPassesAll", nil, ev("$$x", "$metadata"), true},
		{"PrefixMatch", &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"a-", "petition-"}}, ev("petition-1", "T"), true},
		{"PrefixMiss", &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"petition-"}}, ev("xpetition-1", "T"), false},
		{"RegexUnanchored", &eventstore.Filter{On: eventstore.FilterStreamName, Regex: "tion-[0-9]"}, ev("petition-1", "T"), true},
		{"EventType", &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{"Signature"}}, ev("x", "SignatureAdded"), true},
		{"EventTypeNotStream", &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{"petition"}}, ev("petition-1", "T"), false},
		{"ExcludeSystemDropsSystem", eventstore.ExcludeSystemEvents, ev("$$x", "$metadata"), false},
		{"ExcludeSystemKeepsUser", eventstore.ExcludeSystemEvents, ev("x", "SignatureAdded"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := compileFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Match(tt.event.Stream, tt.event.Type); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestToClientFilter(t *testing.T) {
	f, window, multiplier, err := toClientFilter(&eventstore.Filter{On: eventstore.FilterEventType, Regex: "^S"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != client.EventFilterType || f.Regex != "^S" || window != defaultCheckpointInterval || multiplier != 1 {
		t.Errorf("got %+v window %d multiplier %d, want event-type regex ^S, window %d, multiplier 1", f, window, multiplier, defaultCheckpointInterval)
	}
	f, window, _, err = toClientFilter(&eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"p"}}, 7)
	if err != nil || f.Type != client.StreamFilterType || window != 7 {
		t.Errorf("got %+v window %d err %v, want stream filter with window 7", f, window, err)
	}
	if f, _, _, err := toClientFilter(nil, 5); f != nil || err != nil {
		t.Errorf("nil filter: got %+v, %v", f, err)
	}
	if _, err := compileFilter(&eventstore.Filter{On: eventstore.FilterStreamName, Regex: "("}); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("bad regex: got %v, want ErrInvalidArgument", err)
	}
}
