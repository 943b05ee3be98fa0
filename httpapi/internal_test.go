package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestParsePosition(t *testing.T) {
	tests := []struct {
		in   string
		want eventstore.Position
		err  bool
	}{
		{"0", eventstore.Position{}, false},
		{"123", eventstore.Position{Commit: 123, Prepare: 123}, false},
		{"C:12/P:10", eventstore.Position{Commit: 12, Prepare: 10}, false},
		{"", eventstore.Position{}, true},
		{"-1", eventstore.Position{}, true},
		{"C:12", eventstore.Position{}, true},
		{"C:x/P:1", eventstore.Position{}, true},
		{"2022-01-01T00:00:00Z", eventstore.Position{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePosition(tt.in)
			if (err != nil) != tt.err || (err == nil && got != tt.want) {
				t.Fatalf("got %v, %v; want %v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// FuzzParsePosition: whatever parses prints back to an equal position.
func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"0", "123", "C:12/P:10", "C:/P:", "18446744073709551615", "C:1/P:2/P:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePosition(s)
		if err != nil {
			return
		}
		q, err := ParsePosition(p.String())
		if err != nil || q != p {
			t.Fatalf("%q → %v → %q → %v, %v", s, p, p.String(), q, err)
		}
	})
}

// FuzzDecodeStrict: any input either decodes or yields a problem with a
// stable code; it never panics.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"a"}`, `{"name":1}`, `{"x":1}`, `{"creator":{"name":[]}}`, `{`, ``, `{}{}`, `null`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b createBody
		err := decodeStrict(strings.NewReader(s), &b)
		if err == nil {
			return
		}
		p := problemFor(err)
		if _, ok := problemStatus[p.Code]; !ok || p.Status >= 500 {
			t.Fatalf("input %q: problem %+v", s, p)
		}
	})
}

func TestRateLimiterRefillsAndSweeps(t *testing.T) {
	now := time.Unix(0, 0)
	l := newIPLimiter(RateLimit{Rate: 1, Burst: 2}, func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", true}, {0, "a", true}, {0, "a", false}, {0, "b", true},
		{500 * time.Millisecond, "a", false}, {500 * time.Millisecond, "a", true}, {0, "a", false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got, _ := l.allow(s.key); got != s.want {
			t.Fatalf("step %d: got %v, want %v", i, got, s.want)
		}
	}
	now = now.Add(time.Hour)
	l.allow("c")
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 1 {
		t.Fatalf("buckets after an idle hour: got %d, want 1 (the others swept)", n)
	}
}

func TestETagMatching(t *testing.T) {
	tag := etagOf("petition", eventstore.Position{Commit: 7, Prepare: 7})
	tests := []struct {
		header string
		want   bool
	}{
		{tag, true}, {`"x", ` + tag, true}, {"W/" + tag, true}, {"*", true}, {`"p-8"`, false}, {"", false},
	}
	for _, tt := range tests {
		if got := etagMatches(tt.header, tag); got != tt.want {
			t.Errorf("%q: got %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestTimestampsHaveMilliseconds(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2022, 3, 21, 10, 15, 0, 0, time.UTC), `"2022-03-21T10:15:00.000Z"`},
		{time.Date(2022, 3, 21, 10, 15, 0, 123456789, time.UTC), `"2022-03-21T10:15:00.123Z"`},
		{time.Date(2022, 3, 21, 11, 15, 0, 0, time.FixedZone("BST", 3600)), `"2022-03-21T10:15:00.000Z"`},
		{time.Time{}, `null`},
	}
	for _, tt := range tests {
		got, _ := jsonTime(tt.in).MarshalJSON()
		if string(got) != tt.want {
			t.Errorf("%v: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestLimitKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"::ffff:203.0.113.7", "::ffff:203.0.113.7"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := limitKey(tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}
