package esdb

import (
	"fmt"
	"regexp"
	"strings"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// defaultCheckpointInterval is SubscribeAllOptions' default.
const defaultCheckpointInterval = 32

// matcher is a compiled eventstore.Filter, used on the client side for
// ReadAll: the client's ReadAll has no server-side filter.
type matcher struct {
	on       eventstore.FilterOn
	prefixes []string
	re       *regexp.Regexp
}

// compileFilter validates f and compiles it. A nil filter gives a nil
// matcher, which passes everything.
func compileFilter(f *eventstore.Filter) (*matcher, error) {
	if f == nil {
		return nil, nil
	}
	if err := validateFilter(f); err != nil {
		return nil, err
	}
	m := &matcher{on: f.On, prefixes: f.Prefixes}
	if f.Regex != "" {
		re, err := regexp.Compile(f.Regex)
		if err != nil {
			return nil, fmt.Errorf("%w: filter regex: %v", eventstore.ErrInvalidArgument, err)
		}
		m.re = re
	}
	return m, nil
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

// match reports whether e passes the filter.
func (m *matcher) match(e *eventstore.RecordedEvent) bool {
	if m == nil {
		return true
	}
	subject := e.Stream
	if m.on == eventstore.FilterEventType {
		subject = e.Type
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return m.re != nil && m.re.MatchString(subject)
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
	if f.Regex != "" {
		if _, err := regexp.Compile(f.Regex); err != nil {
			return nil, 0, 0, fmt.Errorf("%w: filter regex: %v", eventstore.ErrInvalidArgument, err)
		}
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
