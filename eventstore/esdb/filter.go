package esdb

import (
	"fmt"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// defaultCheckpointInterval is SubscribeAllOptions' default.
const defaultCheckpointInterval = 32

// compileFilter validates f and compiles it, for the client-side filtering
// of ReadAll (the client's ReadAll has no server-side filter). A nil filter
// gives a nil matcher, which passes everything.
func compileFilter(f *eventstore.Filter) (*eventstore.FilterMatcher, error) {
	if f == nil {
		return nil, nil
	}
	if err := validateFilter(f); err != nil {
		return nil, err
	}
	return eventstore.CompileFilter(f)
}

// validateFilter rejects what the server's filter cannot express: the
// protocol's filter holds prefixes or a regex, not both, and not neither.
func validateFilter(f *eventstore.Filter) error {
	if f.On != eventstore.FilterStreamName && f.On != eventstore.FilterEventType {
		return fmt.Errorf("%w: filter on unknown field %d", eventstore.ErrInvalidArgument, f.On)
	}
	if len(f.Prefixes) == 0 && f.Regex == "" {
		return fmt.Errorf("%w: filter needs prefixes or a regex", eventstore.ErrInvalidArgument)
	}
	if len(f.Prefixes) > 0 && f.Regex != "" {
		return fmt.Errorf("%w: filter may hold prefixes or a regex, not both", eventstore.ErrInvalidArgument)
	}
	return nil
}

// toClientFilter maps a filter for a server-side filtered subscription.
// interval is how many events the server scans between checkpoints: the
// protocol sends a checkpoint every window × multiplier events, so the
// window is the interval and the multiplier 1.
func toClientFilter(f *eventstore.Filter, interval uint32) (*client.SubscriptionFilter, int, int, error) {
	if f == nil {
		return nil, 0, 0, nil
	}
	if err := validateFilter(f); err != nil {
		return nil, 0, 0, err
	}
	if _, err := eventstore.CompileFilter(f); err != nil {
		return nil, 0, 0, err
	}
	typ := client.StreamFilterType
	if f.On == eventstore.FilterEventType {
		typ = client.EventFilterType
	}
	if interval == 0 {
		interval = defaultCheckpointInterval
	}
	cf := &client.SubscriptionFilter{Type: typ, Prefixes: append([]string(nil), f.Prefixes...), Regex: f.Regex}
	return cf, int(interval), 1, nil
}
