package eventstore

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// FilterMatcher is a compiled Filter. A nil *FilterMatcher passes every
// event, so backends can hold one whether or not a filter was given.
type FilterMatcher struct {
	on       FilterOn
	prefixes []string
	re       *regexp.Regexp
}

// CompileFilter checks f and compiles it. A nil filter compiles to a nil
// matcher, which passes everything. A filter on an unknown field, or with a
// regular expression that does not compile, is ErrInvalidArgument.
func CompileFilter(f *Filter) (*FilterMatcher, error) {
	if f == nil {
		return nil, nil
	}
	if f.On != FilterStreamName && f.On != FilterEventType {
		return nil, fmt.Errorf("%w: filter on unknown field %d", ErrInvalidArgument, f.On)
	}
	m := &FilterMatcher{on: f.On, prefixes: f.Prefixes}
	if f.Regex != "" {
		re, err := regexp.Compile(f.Regex)
		if err != nil {
			return nil, fmt.Errorf("%w: filter regex %q: %v", ErrInvalidArgument, f.Regex, err)
		}
		m.re = re
	}
	return m, nil
}

// Match reports whether an event of the given stream and type passes.
func (m *FilterMatcher) Match(stream, eventType string) bool {
	if m == nil {
		return true
	}
	subject := stream
	if m.on == FilterEventType {
		subject = eventType
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return m.re != nil && m.re.MatchString(subject)
}

// MatchBytes is Match for names held as bytes (no string conversion).
func (m *FilterMatcher) MatchBytes(stream, eventType []byte) bool {
	if m == nil {
		return true
	}
	subject := stream
	if m.on == FilterEventType {
		subject = eventType
	}
	for _, p := range m.prefixes {
		if bytes.HasPrefix(subject, []byte(p)) {
			return true
		}
	}
	return m.re != nil && m.re.Match(subject)
}
