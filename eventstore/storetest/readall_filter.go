package storetest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

// matches is the suite's own reading of eventstore.Filter: a name passes
// when it starts with any prefix or, when Regex is set, when the unanchored
// regular expression matches somewhere in it (EventStoreDB: StartsWith and
// .NET Regex.Match).
func matches(f *eventstore.Filter, r eventstore.RecordedEvent) bool {
	if f == nil {
		return true
	}
	name := r.Stream
	if f.On == eventstore.FilterEventType {
		name = r.Type
	}
	for _, p := range f.Prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return f.Regex != "" && regexp.MustCompile(f.Regex).MatchString(name)
}

func filterEvents(f *eventstore.Filter, recs []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for _, r := range recs {
		if matches(f, r) {
			out = append(out, r)
		}
	}
	return out
}

// filterFixture writes events to streams and with types under unique
// prefixes, plus a metadata event (a system event type on a system stream).
type filterFixture struct {
	streamA, streamB string // stream name prefixes
	typeA, typeB     string // event type prefixes
}

func writeFilterFixture(t *testing.T, s eventstore.Store) filterFixture {
	fx := filterFixture{
		streamA: namePrefix("fa"), streamB: namePrefix("fb"),
		typeA: namePrefix("ta"), typeB: namePrefix("tb"),
	}
	streams := []string{fx.streamA + "one", fx.streamA + "two", fx.streamB + "three", "other-" + fx.streamA}
	types := []string{fx.typeA + "created", fx.typeB + "signed", fx.typeA + "closed"}
	for i := range 30 {
		stream := streams[i%len(streams)]
		ev := newEvent(types[(i/2)%len(types)])
		mustAppend(t, s, stream, eventstore.Any{}, ev)
		if i%5 == 3 {
			meta := eventstore.EventData{ID: newEvent("").ID, Type: eventstore.MetadataEventType,
				ContentType: eventstore.ContentTypeJSON, Data: []byte(`{"$maxCount":1000}`)}
			mustAppend(t, s, eventstore.MetadataStreamName(stream), eventstore.Any{}, meta)
		}
	}
	return fx
}

// testReadAllFilter pins filtered $all reads: the result is exactly the
// events of the unfiltered read that pass the filter, in the same order,
// and MaxCount limits the events returned (not the events scanned).
func testReadAllFilter(t *testing.T, newStore Factory) {
	s := newStore(t)
	fx := writeFilterFixture(t, s)
	all := readWholeAll(t, s)
	mid := all[len(all)/2].Position
	filters := []struct {
		name string
		f    *eventstore.Filter
	}{
		{"StreamPrefix", &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{fx.streamA}}},
		{"StreamPrefixes", &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{fx.streamA, fx.streamB}}},
		{"StreamRegexIsUnanchored", &eventstore.Filter{On: eventstore.FilterStreamName, Regex: regexp.QuoteMeta(fx.streamA) + "t"}},
		{"StreamRegexAnchored", &eventstore.Filter{On: eventstore.FilterStreamName, Regex: "^" + regexp.QuoteMeta(fx.streamB)}},
		{"EventTypePrefix", &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{fx.typeA}}},
		{"EventTypeRegex", &eventstore.Filter{On: eventstore.FilterEventType, Regex: "signed$"}},
		{"ExcludeSystemEvents", eventstore.ExcludeSystemEvents},
		{"SystemStreamPrefix", &eventstore.Filter{On: eventstore.FilterStreamName, Prefixes: []string{"$$"}}},
	}
	for _, fc := range filters {
		want := filterEvents(fc.f, all)
		if len(want) < 4 || len(want) == len(all) {
			t.Fatalf("fixture: filter %s selects %d of %d events; the case needs a proper subset of at least 4", fc.name, len(want), len(all))
		}
		var wantFromMid []eventstore.RecordedEvent
		var wantBeforeMid []eventstore.RecordedEvent
		for _, r := range want {
			if r.Position.Compare(mid) >= 0 {
				wantFromMid = append(wantFromMid, r)
			} else {
				wantBeforeMid = append(wantBeforeMid, r)
			}
		}
		type o = eventstore.ReadAllOptions
		cases := []struct {
			name string
			opts eventstore.ReadAllOptions
			want []eventstore.RecordedEvent
		}{
			{"Forwards", o{Filter: fc.f}, want},
			{"Backwards", o{Direction: eventstore.Backwards, Filter: fc.f}, reversed(want)},
			{"ForwardsMaxCountReturnsFirstMatches", o{Filter: fc.f, MaxCount: 3}, want[:3]},
			{"BackwardsMaxCountReturnsLastMatches", o{Direction: eventstore.Backwards, Filter: fc.f, MaxCount: 3}, reversed(want[len(want)-3:])},
			{"ForwardsFromPosition", o{From: mid, Filter: fc.f}, wantFromMid},
			{"BackwardsFromPosition", o{Direction: eventstore.Backwards, From: mid, Filter: fc.f}, reversed(wantBeforeMid)},
		}
		for _, tc := range cases {
			t.Run(fc.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				compareEvents(t, mustReadAll(t, s, tc.opts), tc.want)
			})
		}
	}
}
