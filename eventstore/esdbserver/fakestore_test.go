package esdbserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// fakeStore is a small in-memory eventstore.Store used until the embedded
// store is usable, and for failure injection. Positions are 100 × (index+1).
type fakeStore struct {
	mu         sync.Mutex
	all        []eventstore.RecordedEvent
	next       map[string]uint64 // next revision per stream
	tombstoned map[string]bool
	grew       chan struct{}
	failAppend error
}

var _ eventstore.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{next: map[string]uint64{}, tombstoned: map[string]bool{}, grew: make(chan struct{})}
}

func (s *fakeStore) currentLocked(stream string) eventstore.CurrentRevision {
	n, ok := s.next[stream]
	if !ok || n == 0 {
		return eventstore.CurrentRevision{NoStream: true}
	}
	return eventstore.CurrentRevision{Revision: n - 1}
}

func (s *fakeStore) Append(_ context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAppend != nil {
		return eventstore.AppendResult{}, s.failAppend
	}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, err
	}
	if s.tombstoned[stream] {
		return eventstore.AppendResult{}, &eventstore.StreamDeletedError{Stream: stream}
	}
	for _, e := range events {
		if e.Type == "" {
			return eventstore.AppendResult{}, fmt.Errorf("%w: empty type", eventstore.ErrInvalidArgument)
		}
	}
	cur := s.currentLocked(stream)
	ok := true
	switch e := expected.(type) {
	case eventstore.NoStream:
		ok = cur.NoStream
	case eventstore.StreamExists:
		ok = !cur.NoStream
	case eventstore.Exact:
		ok = !cur.NoStream && cur.Revision == uint64(e)
	}
	if !ok {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: cur}
	}
	revive := len(events) > 0 && s.truncateBeforeLocked(stream) == eventstore.DeletedStreamTruncateBefore
	first := s.next[stream]
	res := s.writeLocked(stream, events)
	if revive {
		data, _ := json.Marshal(map[string]uint64{"$tb": first})
		s.writeLocked("$$"+stream, []eventstore.EventData{{Type: eventstore.MetadataEventType, Data: data}})
	}
	return res, nil
}

func (s *fakeStore) writeLocked(stream string, events []eventstore.EventData) eventstore.AppendResult {
	rev := s.next[stream]
	for _, e := range events {
		p := uint64(len(s.all)+1) * 100
		ct := e.ContentType
		if ct == "" {
			ct = eventstore.ContentTypeJSON
		}
		s.all = append(s.all, eventstore.RecordedEvent{
			Stream: stream, Revision: rev, Position: eventstore.Position{Commit: p, Prepare: p},
			ID: e.ID, Type: e.Type, ContentType: ct, Data: e.Data, Metadata: e.Metadata,
			Created: time.Now().UTC(),
		})
		rev++
	}
	if len(events) > 0 {
		s.next[stream] = rev
		close(s.grew)
		s.grew = make(chan struct{})
	}
	p := uint64(len(s.all)) * 100
	return eventstore.AppendResult{NextRevision: rev - 1, Position: eventstore.Position{Commit: p, Prepare: p}}
}

func (s *fakeStore) truncateBeforeLocked(stream string) uint64 {
	for i := len(s.all) - 1; i >= 0; i-- {
		if s.all[i].Stream == "$$"+stream {
			m, err := eventstore.ParseStreamMetadata(s.all[i].Data)
			if err == nil && m.TruncateBefore != nil {
				return *m.TruncateBefore
			}
			return 0
		}
	}
	return 0
}

func (s *fakeStore) streamEventsLocked(stream string) ([]eventstore.RecordedEvent, error) {
	if s.tombstoned[stream] {
		return nil, &eventstore.StreamDeletedError{Stream: stream}
	}
	if _, ok := s.next[stream]; !ok {
		return nil, &eventstore.StreamNotFoundError{Stream: stream}
	}
	tb := s.truncateBeforeLocked(stream)
	var out []eventstore.RecordedEvent
	for _, e := range s.all {
		if e.Stream == stream && e.Revision >= tb {
			out = append(out, e)
		}
	}
	if tb == eventstore.DeletedStreamTruncateBefore || (len(out) == 0 && tb > 0) {
		return nil, &eventstore.StreamNotFoundError{Stream: stream}
	}
	if strings.HasPrefix(stream, "$$") && len(out) > 1 {
		out = out[len(out)-1:]
	}
	return out, nil
}

func (s *fakeStore) ReadStream(_ context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, err := s.streamEventsLocked(stream)
	if err != nil {
		return nil, err
	}
	var out []eventstore.RecordedEvent
	if opts.Direction == eventstore.Forwards {
		from := uint64(0)
		switch f := opts.From.(type) {
		case eventstore.Revision:
			from = uint64(f)
		case eventstore.End:
			from = ^uint64(0)
		}
		for _, e := range evs {
			if e.Revision >= from {
				out = append(out, e)
			}
		}
	} else {
		from := ^uint64(0)
		if f, ok := opts.From.(eventstore.Revision); ok {
			from = uint64(f)
		} else if _, ok := opts.From.(eventstore.Start); ok {
			from = 0
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].Revision <= from {
				out = append(out, evs[i])
			}
		}
	}
	if opts.MaxCount > 0 && uint64(len(out)) > opts.MaxCount {
		out = out[:opts.MaxCount]
	}
	return out, nil
}

func matches(f *eventstore.Filter, e *eventstore.RecordedEvent) bool {
	if f == nil {
		return true
	}
	name := e.Stream
	if f.On == eventstore.FilterEventType {
		name = e.Type
	}
	if f.Regex != "" {
		return regexp.MustCompile(f.Regex).MatchString(name)
	}
	for _, p := range f.Prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (s *fakeStore) ReadAll(_ context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []eventstore.RecordedEvent
	add := func(e eventstore.RecordedEvent) bool {
		if matches(opts.Filter, &e) {
			out = append(out, e)
		}
		return opts.MaxCount > 0 && uint64(len(out)) >= opts.MaxCount
	}
	if opts.Direction == eventstore.Forwards {
		var from eventstore.Position
		switch f := opts.From.(type) {
		case eventstore.Position:
			from = f
		case eventstore.End:
			return nil, nil
		}
		for _, e := range s.all {
			if e.Position.Compare(from) >= 0 && add(e) {
				break
			}
		}
		return out, nil
	}
	from := eventstore.Position{Commit: ^uint64(0), Prepare: ^uint64(0)}
	switch f := opts.From.(type) {
	case eventstore.Position:
		from = f
	case eventstore.Start:
		return nil, nil
	}
	for i := len(s.all) - 1; i >= 0; i-- {
		if s.all[i].Position.Compare(from) < 0 && add(s.all[i]) {
			break
		}
	}
	return out, nil
}

func (s *fakeStore) Delete(_ context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tombstoned[stream] {
		return eventstore.DeleteResult{}, &eventstore.StreamDeletedError{Stream: stream}
	}
	cur := s.currentLocked(stream)
	if e, ok := expected.(eventstore.Exact); ok && (cur.NoStream || cur.Revision != uint64(e)) {
		return eventstore.DeleteResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: cur}
	}
	data, _ := json.Marshal(map[string]uint64{"$tb": eventstore.DeletedStreamTruncateBefore})
	res := s.writeLocked("$$"+stream, []eventstore.EventData{{Type: eventstore.MetadataEventType, Data: data}})
	return eventstore.DeleteResult{Position: res.Position}, nil
}

func (s *fakeStore) Tombstone(_ context.Context, stream string, expected eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tombstoned[stream] {
		return eventstore.DeleteResult{}, &eventstore.StreamDeletedError{Stream: stream}
	}
	cur := s.currentLocked(stream)
	if e, ok := expected.(eventstore.Exact); ok && (cur.NoStream || cur.Revision != uint64(e)) {
		return eventstore.DeleteResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: cur}
	}
	res := s.writeLocked(stream, []eventstore.EventData{{Type: eventstore.TombstoneEventType}})
	s.tombstoned[stream] = true
	return eventstore.DeleteResult{Position: res.Position}, nil
}

func (s *fakeStore) Close() error { return nil }

// fakeSub follows the log by index.
type fakeSub struct {
	s        *fakeStore
	stream   string // "" for $all
	filter   *eventstore.Filter
	interval uint32
	index    int // next index of s.all to look at
	caught   bool
	scanned  uint32
	closed   bool
}

func (s *fakeStore) SubscribeToStream(_ context.Context, stream string, from eventstore.StreamFrom) (eventstore.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := &fakeSub{s: s, stream: stream}
	switch f := from.(type) {
	case eventstore.End:
		sub.index = len(s.all)
	case eventstore.Revision:
		for i, e := range s.all {
			if e.Stream == stream && e.Revision <= uint64(f) {
				sub.index = i + 1
			}
		}
	}
	return sub, nil
}

func (s *fakeStore) SubscribeToAll(_ context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := &fakeSub{s: s, filter: opts.Filter, interval: opts.CheckpointInterval}
	if sub.interval == 0 {
		sub.interval = 32
	}
	switch f := from.(type) {
	case eventstore.End:
		sub.index = len(s.all)
	case eventstore.Position:
		for i, e := range s.all {
			if e.Position.Compare(f) <= 0 {
				sub.index = i + 1
			}
		}
	}
	return sub, nil
}

func (sub *fakeSub) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	for {
		s := sub.s
		s.mu.Lock()
		if sub.closed {
			s.mu.Unlock()
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		}
		for sub.index < len(s.all) {
			e := s.all[sub.index]
			sub.index++
			if sub.stream != "" {
				if e.Stream == sub.stream {
					s.mu.Unlock()
					if e.Type == eventstore.TombstoneEventType {
						return eventstore.SubscriptionMessage{}, &eventstore.StreamDeletedError{Stream: sub.stream}
					}
					return eventstore.SubscriptionMessage{Event: &e}, nil
				}
				continue
			}
			if matches(sub.filter, &e) {
				s.mu.Unlock()
				return eventstore.SubscriptionMessage{Event: &e}, nil
			}
			sub.scanned++
			if sub.filter != nil && sub.scanned%sub.interval == 0 {
				s.mu.Unlock()
				return eventstore.SubscriptionMessage{Checkpoint: &e.Position}, nil
			}
		}
		if !sub.caught {
			sub.caught = true
			s.mu.Unlock()
			return eventstore.SubscriptionMessage{CaughtUp: true}, nil
		}
		grew := s.grew
		s.mu.Unlock()
		select {
		case <-grew:
		case <-ctx.Done():
			return eventstore.SubscriptionMessage{}, ctx.Err()
		}
	}
}

func (sub *fakeSub) Close() error {
	sub.s.mu.Lock()
	sub.closed = true
	sub.s.mu.Unlock()
	return nil
}
