package memstore

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

func (s *Store) visibleLocked(stream string) ([]eventstore.RecordedEvent, error) {
	st := s.streams[stream]
	if st != nil && st.tombstoned {
		return nil, &eventstore.StreamDeletedError{Stream: stream}
	}
	if st == nil || st.last < 0 || s.softDeletedLocked(stream) {
		return nil, &eventstore.StreamNotFoundError{Stream: stream}
	}
	m := s.metaLocked(stream)
	if strings.HasPrefix(stream, "$$") {
		one := uint64(1)
		m = eventstore.StreamMetadata{MaxCount: &one}
	}
	var out []eventstore.RecordedEvent
	for rev, li := range st.logIndex {
		r := s.log[li]
		if m.TruncateBefore != nil && uint64(rev) < *m.TruncateBefore {
			continue
		}
		if m.MaxCount != nil && int64(rev) <= st.last-int64(*m.MaxCount) {
			continue
		}
		if m.MaxAge != nil && time.Since(r.Created) > time.Duration(*m.MaxAge)*time.Second {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadStream implements eventstore.Store, honouring the stream metadata.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if err := s.lockOpen(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	vis, err := s.visibleLocked(stream)
	if err != nil {
		return nil, err
	}
	var out []eventstore.RecordedEvent
	if opts.Direction == eventstore.Forwards {
		from := uint64(0)
		switch f := opts.From.(type) {
		case eventstore.End:
			from = math.MaxUint64
		case eventstore.Revision:
			from = uint64(f)
		}
		for _, r := range vis {
			if r.Revision >= from {
				out = append(out, r)
			}
		}
	} else {
		from := uint64(math.MaxUint64)
		switch f := opts.From.(type) {
		case eventstore.Start:
			from = 0
		case eventstore.Revision:
			from = uint64(f)
		}
		for i := len(vis) - 1; i >= 0; i-- {
			if vis[i].Revision <= from {
				out = append(out, vis[i])
			}
		}
	}
	if opts.MaxCount > 0 && uint64(len(out)) > opts.MaxCount {
		out = out[:opts.MaxCount]
	}
	return out, nil
}

// ReadAll implements eventstore.Store, with filters.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	match, err := eventstore.CompileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	if err := s.lockOpen(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []eventstore.RecordedEvent
	add := func(r eventstore.RecordedEvent) bool {
		if match.Match(r.Stream, r.Type) {
			out = append(out, r)
		}
		return opts.MaxCount == 0 || uint64(len(out)) < opts.MaxCount
	}
	if opts.Direction == eventstore.Forwards {
		for _, r := range s.log {
			if p, ok := opts.From.(eventstore.Position); ok && r.Position.Compare(p) < 0 {
				continue
			}
			if _, ok := opts.From.(eventstore.End); ok {
				break
			}
			if !add(r) {
				break
			}
		}
		return out, nil
	}
	for i := len(s.log) - 1; i >= 0; i-- {
		r := s.log[i]
		if p, ok := opts.From.(eventstore.Position); ok && r.Position.Compare(p) >= 0 {
			continue
		}
		if _, ok := opts.From.(eventstore.Start); ok {
			break
		}
		if !add(r) {
			break
		}
	}
	return out, nil
}
