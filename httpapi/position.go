package httpapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/eventstore"
)

// ParsePosition reads a position as eventstore.Position.String writes it:
// "123" (commit = prepare) or "C:12/P:10".
func ParsePosition(s string) (eventstore.Position, error) {
	if rest, ok := strings.CutPrefix(s, "C:"); ok {
		c, p, ok := strings.Cut(rest, "/P:")
		if !ok {
			return eventstore.Position{}, fmt.Errorf("position %q: want C:<commit>/P:<prepare>", s)
		}
		commit, err1 := strconv.ParseUint(c, 10, 64)
		prepare, err2 := strconv.ParseUint(p, 10, 64)
		if err1 != nil || err2 != nil {
			return eventstore.Position{}, fmt.Errorf("position %q: not numbers", s)
		}
		return eventstore.Position{Commit: commit, Prepare: prepare}, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("position %q: not a number", s)
	}
	return eventstore.Position{Commit: n, Prepare: n}, nil
}

// etagOf is the entity tag of a representation of kind as of pos.
func etagOf(kind string, pos eventstore.Position) string {
	b := make([]byte, 0, 32)
	b = append(b, '"', kind[0], '-')
	b = strconv.AppendUint(b, pos.Commit, 10)
	if pos.Prepare != pos.Commit {
		b = append(b, '.')
		b = strconv.AppendUint(b, pos.Prepare, 10)
	}
	return string(append(b, '"'))
}

// etagMatches reports whether an If-None-Match header matches tag.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// formatPosition writes a position as eventstore.Position.String does,
// without fmt (it is on every response).
func formatPosition(p eventstore.Position) string {
	if p.Commit == p.Prepare {
		return strconv.FormatUint(p.Commit, 10)
	}
	b := make([]byte, 0, 44)
	b = append(b, "C:"...)
	b = strconv.AppendUint(b, p.Commit, 10)
	b = append(b, "/P:"...)
	b = strconv.AppendUint(b, p.Prepare, 10)
	return string(b)
}
