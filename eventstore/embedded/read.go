package embedded

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// ReadStream reads one stream. See eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("embedded: read stream: %w", err)
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := s.streamState(stream)
	if err != nil {
		return nil, err
	}
	if st.tombstoned {
		return nil, &eventstore.StreamDeletedError{Stream: stream}
	}
	if len(st.positions) == 0 || st.lo == math.MaxInt64 {
		return nil, &eventstore.StreamNotFoundError{Stream: stream}
	}
	last := uint64(len(st.positions) - 1)
	var revs []uint64
	limit := opts.MaxCount
	if limit == 0 {
		limit = math.MaxUint64
	}
	if opts.Direction == eventstore.Backwards {
		from := last
		if r, ok := opts.From.(eventstore.Revision); ok {
			from = min(uint64(r), last)
		} else if _, ok := opts.From.(eventstore.Start); ok {
			from = 0
		}
		for r := int64(from); r >= int64(st.lo) && uint64(len(revs)) < limit; r-- {
			revs = append(revs, uint64(r))
		}
	} else {
		from := uint64(0)
		switch f := opts.From.(type) {
		case eventstore.Revision:
			from = uint64(f)
		case eventstore.End:
			from = last + 1
		}
		for r := max(from, st.lo); r <= last && uint64(len(revs)) < limit; r++ {
			revs = append(revs, r)
		}
	}
	out := make([]eventstore.RecordedEvent, 0, len(revs))
	for _, rev := range revs {
		rec, err := s.readRecordLocked(st.positions[rev])
		if err != nil {
			return nil, s.closedOr(err)
		}
		if st.minTicks != 0 && rec.ticks < st.minTicks {
			continue
		}
		out = append(out, rec.toRecorded(st.positions[rev]))
	}
	return out, nil
}

func (s *Store) readRecordLocked(pos uint64) (record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.readRecord(pos)
}

// closedOr turns a read failure caused by Close into ErrClosed.
func (s *Store) closedOr(err error) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	return err
}

// streamRead is what a stream read needs: the positions of its revisions,
// the first visible revision and the oldest visible creation time.
type streamRead struct {
	positions  []uint64
	tombstoned bool
	lo         uint64 // first visible revision ($tb, $maxCount); MaxInt64 = soft-deleted
	minTicks   int64  // $maxAge: events created before are hidden; 0 = none
}

func (s *Store) streamState(stream string) (streamRead, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sl, ok, err := s.lookupLocked(stream)
	if err != nil || !ok {
		return streamRead{}, err
	}
	st := streamRead{positions: s.idx.positions(&sl), tombstoned: sl.tombstoned()}
	if st.tombstoned || len(st.positions) == 0 {
		return st, nil
	}
	meta, err := s.metadataLocked(stream)
	if err != nil {
		return streamRead{}, err
	}
	last := uint64(len(st.positions) - 1)
	if isMetastream(stream) {
		// Metastreams read as if $maxCount were 1 (EventStoreDB's
		// SystemSettings metastream metadata).
		st.lo = last
	}
	if meta.TruncateBefore != nil {
		st.lo = max(st.lo, min(*meta.TruncateBefore, math.MaxInt64))
	}
	if meta.MaxCount != nil && *meta.MaxCount <= last {
		st.lo = max(st.lo, last+1-*meta.MaxCount)
	}
	if meta.MaxAge != nil {
		st.minTicks = timeToTicks(time.Now().Add(-time.Duration(min(*meta.MaxAge, math.MaxInt64/uint64(time.Second))) * time.Second))
	}
	return st, nil
}

// metadataLocked returns the latest metadata of stream (zero when none,
// unparsable, or its metastream is tombstoned). Caller holds s.mu for reading.
func (s *Store) metadataLocked(stream string) (eventstore.StreamMetadata, error) {
	sl, ok, err := s.lookupLocked(eventstore.MetadataStreamName(stream))
	if err != nil || !ok || !sl.hasEvents() || sl.tombstoned() {
		return eventstore.StreamMetadata{}, err
	}
	pos := s.idx.positions(&sl)
	r, err := s.readRecord(pos[len(pos)-1])
	if err != nil {
		return eventstore.StreamMetadata{}, err
	}
	m, err := eventstore.ParseStreamMetadata(r.data)
	if err != nil {
		return eventstore.StreamMetadata{}, nil
	}
	return m, nil
}

// ReadAll reads the $all log. See eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	match, err := compileFilter(opts.Filter)
	if err != nil {
		return nil, err
	}
	limit := opts.MaxCount
	if limit == 0 {
		limit = math.MaxUint64
	}
	v := s.snapshotView()
	out := make([]eventstore.RecordedEvent, 0, min(limit, 4096))
	n := 0
	var a arena
	collect := func(pos uint64, r *record) bool {
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return false
		}
		if match == nil || match(r) {
			out = append(out, r.toRecordedIn(pos, &a))
		}
		return uint64(len(out)) < limit
	}
	if opts.Direction == eventstore.Backwards {
		from := v.head
		switch f := opts.From.(type) {
		case eventstore.Position:
			from = f.Commit
		case eventstore.Start:
			from = 0
		}
		err = s.scanBackward(v, from, collect)
	} else {
		var from uint64
		switch f := opts.From.(type) {
		case eventstore.Position:
			from = f.Commit
		case eventstore.End:
			from = v.head
		}
		err = s.scanForward(v, from, false, collect)
	}
	if err != nil {
		return nil, s.closedOr(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// compileFilter turns a Filter into a predicate on records (nil = all).
func compileFilter(f *eventstore.Filter) (func(*record) bool, error) {
	m, err := eventstore.CompileFilter(f)
	if err != nil || m == nil {
		return nil, err
	}
	return func(r *record) bool { return m.MatchBytes(r.stream, r.typ) }, nil
}
