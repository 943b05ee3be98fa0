package storetest_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// memStore is a small in-memory reference store written from EventStoreDB's
// source, so that the suite itself is tested (every case must be passable)
// before any real backend exists. It favours clarity over speed.
type memStore struct {
	mu      sync.Mutex
	log     []eventstore.RecordedEvent
	streams map[string]*memStream
	changed chan struct{} // closed and replaced on every write
	closed  bool
}

type memStream struct {
	last       int64 // -1: no events
	logIndex   []int // by revision
	tombstoned bool
}

var _ eventstore.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{streams: map[string]*memStream{}, changed: make(chan struct{})}
}

func (s *memStore) stream(name string) *memStream {
	st := s.streams[name]
	if st == nil {
		st = &memStream{last: -1}
		s.streams[name] = st
	}
	return st
}

func (s *memStore) writeLocked(stream string, rev uint64, e eventstore.EventData) eventstore.RecordedEvent {
	pos := uint64(len(s.log)+1) * 16
	ct := e.ContentType
	if ct == "" {
		ct = eventstore.ContentTypeJSON
	}
	r := eventstore.RecordedEvent{Stream: stream, Revision: rev, Position: eventstore.Position{Commit: pos, Prepare: pos},
		ID: e.ID, Type: e.Type, ContentType: ct, Data: clone(e.Data), Metadata: clone(e.Metadata), Created: time.Now().UTC()}
	if n := len(s.log); n > 0 && r.Created.Before(s.log[n-1].Created) {
		r.Created = s.log[n-1].Created
	}
	s.log = append(s.log, r)
	st := s.stream(stream)
	if e.Type != eventstore.TombstoneEventType {
		st.logIndex = append(st.logIndex, len(s.log)-1)
		st.last = int64(rev)
	}
	return r
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func (s *memStore) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *memStore) metaLocked(stream string) eventstore.StreamMetadata {
	ms := s.streams[eventstore.MetadataStreamName(stream)]
	if ms == nil || ms.last < 0 {
		return eventstore.StreamMetadata{}
	}
	m, err := eventstore.ParseStreamMetadata(s.log[ms.logIndex[ms.last]].Data)
	if err != nil {
		return eventstore.StreamMetadata{}
	}
	return m
}

func (s *memStore) softDeletedLocked(stream string) bool {
	tb := s.metaLocked(stream).TruncateBefore
	return tb != nil && *tb == eventstore.DeletedStreamTruncateBefore
}

type decision int

const (
	decOK decision = iota
	decWrong
	decDeleted
	decIdempotent
)

// checkLocked is IndexWriter.CheckCommit (without the best-effort cache).
func (s *memStore) checkLocked(stream string, exp eventstore.ExpectedRevision, ids []uuid.UUID) (decision, int64) {
	st := s.stream(stream)
	cur := st.last
	if st.tombstoned {
		return decDeleted, cur
	}
	switch exp.(type) {
	case eventstore.StreamExists:
		if s.softDeletedLocked(stream) {
			return decDeleted, cur
		}
		if cur < 0 {
			return decWrong, cur
		}
		return decOK, cur
	case eventstore.Any:
		return decOK, cur
	}
	e := int64(-1)
	if x, ok := exp.(eventstore.Exact); ok {
		e = int64(x)
	}
	switch {
	case e > cur:
		return decWrong, cur
	case e == cur:
		return decOK, cur
	}
	for i, id := range ids {
		rev := e + 1 + int64(i)
		if rev <= cur && s.log[st.logIndex[rev]].ID == id {
			continue
		}
		if i > 0 {
			return decWrong, cur
		}
		if _, ok := exp.(eventstore.NoStream); ok && s.softDeletedLocked(stream) {
			return decOK, cur
		}
		return decWrong, cur
	}
	if len(ids) == 0 {
		return decWrong, cur
	}
	return decIdempotent, e + int64(len(ids))
}

func current(cur int64) eventstore.CurrentRevision {
	if cur < 0 {
		return eventstore.CurrentRevision{NoStream: true}
	}
	return eventstore.CurrentRevision{Revision: uint64(cur)}
}

func validate(stream string, evs []eventstore.EventData) error {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return err
	}
	for _, e := range evs {
		switch {
		case e.Type == "":
			return fmt.Errorf("%w: empty type", eventstore.ErrInvalidArgument)
		case e.ID == uuid.Nil:
			return fmt.Errorf("%w: nil id", eventstore.ErrInvalidArgument)
		case e.ContentType != "" && e.ContentType != eventstore.ContentTypeJSON && e.ContentType != eventstore.ContentTypeBinary:
			return fmt.Errorf("%w: content type", eventstore.ErrInvalidArgument)
		}
	}
	return nil
}

func (s *memStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := validate(stream, evs); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	ids := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	dec, cur := s.checkLocked(stream, exp, ids)
	st := s.stream(stream)
	switch dec {
	case decDeleted:
		return eventstore.AppendResult{}, &eventstore.StreamDeletedError{Stream: stream}
	case decWrong:
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
	case decIdempotent:
		return eventstore.AppendResult{NextRevision: uint64(cur), Position: s.log[st.logIndex[cur]].Position}, nil
	}
	if len(evs) == 0 {
		var p eventstore.Position
		if cur >= 0 {
			p = s.log[st.logIndex[cur]].Position
		}
		return eventstore.AppendResult{NextRevision: uint64(max(cur, 0)), Position: p}, nil
	}
	revive := s.softDeletedLocked(stream)
	var r eventstore.RecordedEvent
	for i, e := range evs {
		r = s.writeLocked(stream, uint64(cur+1+int64(i)), e)
	}
	if revive {
		s.reviveLocked(stream, uint64(cur+1))
	}
	s.notifyLocked()
	return eventstore.AppendResult{NextRevision: r.Revision, Position: r.Position}, nil
}

func (s *memStore) reviveLocked(stream string, from uint64) {
	body := []byte(fmt.Sprintf(`{"$tb":%d}`, from))
	ms := s.stream(eventstore.MetadataStreamName(stream))
	s.writeLocked(eventstore.MetadataStreamName(stream), uint64(ms.last+1), eventstore.EventData{
		ID: uuid.New(), Type: eventstore.MetadataEventType, ContentType: eventstore.ContentTypeJSON, Data: body})
}

func (s *memStore) visibleLocked(stream string) ([]eventstore.RecordedEvent, error) {
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

func (s *memStore) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
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

func matchFilter(f *eventstore.Filter, r eventstore.RecordedEvent) bool {
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

func (s *memStore) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	var out []eventstore.RecordedEvent
	add := func(r eventstore.RecordedEvent) bool {
		if matchFilter(opts.Filter, r) {
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

func (s *memStore) deleteLocked(stream string, exp eventstore.ExpectedRevision) (int64, error) {
	dec, cur := s.checkLocked(stream, exp, []uuid.UUID{uuid.New()})
	switch dec {
	case decDeleted:
		return cur, &eventstore.StreamDeletedError{Stream: stream}
	case decWrong:
		return cur, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
	}
	return cur, nil
}

func (s *memStore) Delete(ctx context.Context, stream string, exp eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.DeleteResult{}, eventstore.ErrClosed
	}
	cur, err := s.deleteLocked(stream, exp)
	if err != nil {
		return eventstore.DeleteResult{}, err
	}
	ms := s.stream(eventstore.MetadataStreamName(stream))
	if cur < 0 && ms.last < 0 {
		return eventstore.DeleteResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp, Actual: current(cur)}
	}
	r := s.writeLocked(eventstore.MetadataStreamName(stream), uint64(ms.last+1), eventstore.EventData{ID: uuid.New(),
		Type: eventstore.MetadataEventType, ContentType: eventstore.ContentTypeJSON, Data: []byte(fmt.Sprintf(`{"$tb":%d}`, int64(math.MaxInt64)))})
	s.notifyLocked()
	return eventstore.DeleteResult{Position: r.Position}, nil
}

func (s *memStore) Tombstone(ctx context.Context, stream string, exp eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.DeleteResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.DeleteResult{}, eventstore.ErrClosed
	}
	if _, err := s.deleteLocked(stream, exp); err != nil {
		return eventstore.DeleteResult{}, err
	}
	r := s.writeLocked(stream, math.MaxInt64, eventstore.EventData{ID: uuid.New(), Type: eventstore.TombstoneEventType,
		ContentType: eventstore.ContentTypeBinary})
	s.stream(stream).tombstoned = true
	s.notifyLocked()
	return eventstore.DeleteResult{Position: r.Position}, nil
}

func (s *memStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.notifyLocked()
	}
	return nil
}

// memSub reads the log at the consumer's pace.
type memSub struct {
	s          *memStore
	ctx        context.Context
	stream     string // "" for $all
	next       int    // log index of the next event to look at
	afterRev   int64  // stream subscriptions: deliver revisions > afterRev
	filter     *eventstore.Filter
	interval   int
	scanned    int
	caughtUp   bool
	mu         sync.Mutex
	closed     bool
	closedChan chan struct{}
}

func (s *memStore) SubscribeToStream(ctx context.Context, stream string, from eventstore.StreamFrom) (eventstore.Subscription, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	sub := &memSub{s: s, ctx: ctx, stream: stream, afterRev: -1, closedChan: make(chan struct{})}
	switch f := from.(type) {
	case eventstore.End:
		sub.next = len(s.log)
	case eventstore.Revision:
		sub.afterRev = int64(f)
	}
	return sub, nil
}

func (s *memStore) SubscribeToAll(ctx context.Context, from eventstore.AllFrom, opts eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	sub := &memSub{s: s, ctx: ctx, filter: opts.Filter, interval: int(opts.CheckpointInterval), closedChan: make(chan struct{})}
	if sub.interval == 0 {
		sub.interval = 32
	}
	switch f := from.(type) {
	case eventstore.End:
		sub.next = len(s.log)
	case eventstore.Position:
		for sub.next < len(s.log) && s.log[sub.next].Position.Compare(f) <= 0 {
			sub.next++
		}
	}
	return sub, nil
}

func (m *memSub) Next(ctx context.Context) (eventstore.SubscriptionMessage, error) {
	for {
		m.mu.Lock()
		closed := m.closed
		m.mu.Unlock()
		if closed {
			return eventstore.SubscriptionMessage{}, eventstore.ErrSubscriptionClosed
		}
		if err := ctx.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, err
		}
		if err := m.ctx.Err(); err != nil {
			return eventstore.SubscriptionMessage{}, err
		}
		m.s.mu.Lock()
		msg, ok, err := m.step()
		changed := m.s.changed
		m.s.mu.Unlock()
		if err != nil || ok {
			return msg, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
		case <-m.ctx.Done():
		case <-m.closedChan:
		}
	}
}

// step looks at the log; the store's lock is held.
func (m *memSub) step() (eventstore.SubscriptionMessage, bool, error) {
	if m.s.closed {
		return eventstore.SubscriptionMessage{}, false, eventstore.ErrClosed
	}
	if m.stream != "" {
		if st := m.s.streams[m.stream]; st != nil && st.tombstoned {
			return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
		}
	}
	for m.next < len(m.s.log) {
		r := m.s.log[m.next]
		m.next++
		if m.stream != "" {
			if r.Stream != m.stream {
				continue
			}
			if r.Type == eventstore.TombstoneEventType {
				m.next--
				return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
			}
			if int64(r.Revision) <= m.afterRev {
				continue
			}
			return eventstore.SubscriptionMessage{Event: &r}, true, nil
		}
		if matchFilter(m.filter, r) {
			m.scanned = 0
			return eventstore.SubscriptionMessage{Event: &r}, true, nil
		}
		m.scanned++
		if m.scanned >= m.interval {
			m.scanned = 0
			p := r.Position
			return eventstore.SubscriptionMessage{Checkpoint: &p}, true, nil
		}
	}
	if m.stream != "" {
		if st := m.s.streams[m.stream]; st != nil && st.tombstoned {
			return eventstore.SubscriptionMessage{}, false, &eventstore.StreamDeletedError{Stream: m.stream}
		}
	}
	if !m.caughtUp {
		m.caughtUp = true
		return eventstore.SubscriptionMessage{CaughtUp: true}, true, nil
	}
	return eventstore.SubscriptionMessage{}, false, nil
}

func (m *memSub) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.closedChan)
	}
	return nil
}
