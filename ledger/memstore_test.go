package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// memStore is a minimal in-memory eventstore.Store for the ledger's tests:
// expected revisions, idempotent appends by event ID, stream and $all reads
// with prefix filters. Subscriptions and deletes are not needed here. It
// also counts appends per stream so tests can see retries.
type memStore struct {
	mu      sync.Mutex
	all     []eventstore.RecordedEvent
	streams map[string][]int // indexes into all
	appends int
	// beforeAppend, when set, runs (unlocked) before every append; an error
	// it returns fails the append (tests inject store failures with it).
	beforeAppend func(stream string) error
}

var _ eventstore.Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{streams: map[string][]int{}} }

func (m *memStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision,
	events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if hook := m.beforeAppend; hook != nil {
		if err := hook(stream); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.appends++
	idx := m.streams[stream]
	cur := eventstore.CurrentRevision{NoStream: len(idx) == 0}
	if len(idx) > 0 {
		cur.Revision = uint64(len(idx) - 1)
	}
	var from int // index in the stream where these events go
	switch e := expected.(type) {
	case eventstore.Any:
		from = len(idx)
	case eventstore.NoStream:
		from = 0
	case eventstore.StreamExists:
		if len(idx) == 0 {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: cur}
		}
		from = len(idx)
	case eventstore.Exact:
		from = int(e) + 1
	}
	if from != len(idx) {
		if from < len(idx) && from+len(events) <= len(idx) {
			same := true
			for i, ev := range events {
				if m.all[idx[from+i]].ID != ev.ID {
					same = false
				}
			}
			if same && len(events) > 0 {
				last := m.all[idx[from+len(events)-1]]
				return eventstore.AppendResult{NextRevision: last.Revision, Position: last.Position}, nil
			}
		}
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: cur}
	}
	var res eventstore.AppendResult
	for _, ev := range events {
		if ev.Type == "" || ev.ID.String() == "00000000-0000-0000-0000-000000000000" {
			return eventstore.AppendResult{}, fmt.Errorf("%w: bad event", eventstore.ErrInvalidArgument)
		}
		pos := uint64(len(m.all) + 1)
		rec := eventstore.RecordedEvent{Stream: stream, Revision: uint64(len(m.streams[stream])),
			Position: eventstore.Position{Commit: pos, Prepare: pos}, ID: ev.ID, Type: ev.Type,
			ContentType: ev.ContentType, Data: ev.Data, Metadata: ev.Metadata, Created: time.Now().UTC()}
		m.all = append(m.all, rec)
		m.streams[stream] = append(m.streams[stream], len(m.all)-1)
		res = eventstore.AppendResult{NextRevision: rec.Revision, Position: rec.Position}
	}
	return res, nil
}

func (m *memStore) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	idx := m.streams[stream]
	if len(idx) == 0 {
		return nil, &eventstore.StreamNotFoundError{Stream: stream}
	}
	from := 0
	switch f := opts.From.(type) {
	case nil, eventstore.Start:
	case eventstore.Revision:
		from = int(min(uint64(f), uint64(len(idx))))
	default:
		return nil, errors.New("memStore: only forward reads from the start or a revision")
	}
	if opts.Direction != eventstore.Forwards {
		return nil, errors.New("memStore: only forward reads")
	}
	out := make([]eventstore.RecordedEvent, 0, len(idx))
	for _, i := range idx[from:] {
		out = append(out, m.all[i])
		if opts.MaxCount > 0 && uint64(len(out)) == opts.MaxCount {
			break
		}
	}
	return out, nil
}

func (m *memStore) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	match := func(r eventstore.RecordedEvent) bool {
		if opts.Filter == nil {
			return true
		}
		name := r.Stream
		if opts.Filter.On == eventstore.FilterEventType {
			name = r.Type
		}
		for _, p := range opts.Filter.Prefixes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return opts.Filter.Regex != "" && regexp.MustCompile(opts.Filter.Regex).MatchString(name)
	}
	var out []eventstore.RecordedEvent
	add := func(r eventstore.RecordedEvent) bool {
		if match(r) {
			out = append(out, r)
		}
		return opts.MaxCount > 0 && uint64(len(out)) == opts.MaxCount
	}
	if opts.Direction == eventstore.Backwards {
		for i := len(m.all) - 1; i >= 0; i-- {
			if p, ok := opts.From.(eventstore.Position); ok && m.all[i].Position.Compare(p) >= 0 {
				continue
			}
			if add(m.all[i]) {
				break
			}
		}
		return out, nil
	}
	for _, r := range m.all {
		if p, ok := opts.From.(eventstore.Position); ok && r.Position.Compare(p) < 0 {
			continue
		}
		if add(r) {
			break
		}
	}
	return out, nil
}

func (m *memStore) SubscribeToStream(context.Context, string, eventstore.StreamFrom) (eventstore.Subscription, error) {
	return nil, errors.New("memStore: no subscriptions")
}

func (m *memStore) SubscribeToAll(context.Context, eventstore.AllFrom, eventstore.SubscribeAllOptions) (eventstore.Subscription, error) {
	return nil, errors.New("memStore: no subscriptions")
}

func (m *memStore) Delete(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, errors.New("memStore: no deletes")
}

func (m *memStore) Tombstone(context.Context, string, eventstore.ExpectedRevision) (eventstore.DeleteResult, error) {
	return eventstore.DeleteResult{}, errors.New("memStore: no deletes")
}

func (m *memStore) Close() error { return nil }
