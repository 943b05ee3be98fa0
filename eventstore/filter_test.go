package eventstore_test

import (
	"errors"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestFilterMatcher(t *testing.T) {
	tests := []struct {
		name        string
		filter      *eventstore.Filter
		stream, typ string
		want        bool
	}{
		{"NilPassesAll", nil, "a", "b", true},
		{"StreamPrefixMatches", &eventstore.Filter{Prefixes: []string{"signer-"}}, "signer-1-ab", "X", true},
		{"StreamPrefixMisses", &eventstore.Filter{Prefixes: []string{"signer-"}}, "petition-1", "signer-", false},
		{"AnyOfSeveralPrefixes", &eventstore.Filter{Prefixes: []string{"x", "pet"}}, "petition-1", "", true},
		{"TypePrefixMatches", &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{"Signature"}}, "s", "SignatureSigned.v1", true},
		{"TypePrefixIgnoresStream", &eventstore.Filter{On: eventstore.FilterEventType, Prefixes: []string{"Signature"}}, "Signature", "PetitionCreated.v1", false},
		{"RegexUnanchored", &eventstore.Filter{Regex: "-1-"}, "signer-1-ab", "", true},
		{"RegexMisses", &eventstore.Filter{Regex: "^petition"}, "signer-1", "", false},
		{"ExcludeSystemEventsDropsDollar", eventstore.ExcludeSystemEvents, "$$x", "$metadata", false},
		{"ExcludeSystemEventsKeepsUser", eventstore.ExcludeSystemEvents, "$$x", "PetitionCreated.v1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := eventstore.CompileFilter(tt.filter)
			if err != nil {
				t.Fatalf("CompileFilter: %v", err)
			}
			if got := m.Match(tt.stream, tt.typ); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.stream, tt.typ, got, tt.want)
			}
			if got := m.MatchBytes([]byte(tt.stream), []byte(tt.typ)); got != tt.want {
				t.Errorf("MatchBytes(%q, %q) = %v, want %v", tt.stream, tt.typ, got, tt.want)
			}
		})
	}
}

func TestCompileFilterRejectsBadInput(t *testing.T) {
	for name, f := range map[string]*eventstore.Filter{
		"BadRegex":     {Regex: "("},
		"UnknownField": {On: eventstore.FilterOn(7), Prefixes: []string{"a"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := eventstore.CompileFilter(f)
			if !errors.Is(err, eventstore.ErrInvalidArgument) {
				t.Fatalf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
}
