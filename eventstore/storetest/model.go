package storetest

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// mState is the model of one stream: EventStoreDB's view of it, written from
// IndexWriter.CheckCommit, StorageWriterService (WritePrepares,
// WriteDelete, SoftUndeleteStream) and IndexReader.ReadStreamEvents*. States
// are immutable; every write makes a new one.
type mState struct {
	ids         []uuid.UUID // event IDs by revision, hidden ones included
	softDeleted bool        // "$$X" says $tb = max int64
	tombstoned  bool
	hasMeta     bool   // "$$X" has an event
	tb          uint64 // lowest visible revision (set when a soft-deleted stream is revived)
	producer    *mWrite
}

// mDecision is CheckCommit's answer.
type mDecision int

const (
	mOK mDecision = iota
	mWrong
	mDeleted
	mIdempotent
)

func (d mDecision) String() string {
	return [...]string{"ok", "wrong expected revision", "stream deleted", "idempotent"}[d]
}

func (m *mState) cur() int64 { return int64(len(m.ids)) - 1 }

func (m *mState) current() eventstore.CurrentRevision {
	if m.cur() < 0 {
		return eventstore.CurrentRevision{NoStream: true}
	}
	return eventstore.CurrentRevision{Revision: uint64(m.cur())}
}

func (m *mState) String() string {
	return fmt.Sprintf("{last %d, soft-deleted %t, tombstoned %t, $tb %d}", m.cur(), m.softDeleted, m.tombstoned, m.tb)
}

// checkCommit decides an append of ids with expectation exp (without the
// best-effort cache of recent IDs that Any and StreamExists consult: the
// histories never retry those).
func (m *mState) checkCommit(exp eventstore.ExpectedRevision, ids []uuid.UUID) mDecision {
	if m.tombstoned {
		return mDeleted
	}
	cur := m.cur()
	var e int64
	switch x := exp.(type) {
	case eventstore.Any:
		return mOK
	case eventstore.StreamExists:
		if m.softDeleted {
			return mDeleted
		}
		if cur < 0 && !m.hasMeta {
			return mWrong
		}
		return mOK
	case eventstore.NoStream:
		e = -1
	case eventstore.Exact:
		e = int64(x)
	}
	if e > cur {
		return mWrong
	}
	if e == cur {
		return mOK
	}
	if len(ids) == 0 {
		return mWrong
	}
	for i, id := range ids {
		rev := e + 1 + int64(i)
		if rev <= cur && m.ids[rev] == id {
			continue
		}
		if i > 0 {
			return mWrong // corrupted idempotency
		}
		if _, ok := exp.(eventstore.NoStream); ok && m.softDeleted {
			return mOK
		}
		return mWrong
	}
	return mIdempotent
}

// checkDelete decides a soft delete (hard: a tombstone).
func (m *mState) checkDelete(exp eventstore.ExpectedRevision, hard bool) mDecision {
	d := m.checkCommit(exp, []uuid.UUID{uuid.New()})
	if d == mOK && !hard && m.cur() < 0 && !m.hasMeta {
		return mWrong
	}
	return d
}

// afterAppend is the state once ids are appended.
func (m *mState) afterAppend(ids []uuid.UUID, w *mWrite) *mState {
	n := *m
	n.ids = append(append([]uuid.UUID(nil), m.ids...), ids...)
	if m.softDeleted {
		n.softDeleted, n.hasMeta, n.tb = false, true, uint64(len(m.ids))
	}
	n.producer = w
	return &n
}

func (m *mState) afterDelete(hard bool, w *mWrite) *mState {
	n := *m
	if hard {
		n.tombstoned = true
	} else {
		n.softDeleted, n.hasMeta = true, true
	}
	n.producer = w
	return &n
}

// readOutcome is what a read of the stream returns.
type readOutcome struct {
	err  error // nil, ErrStreamNotFound or ErrStreamDeleted
	ids  []uuid.UUID
	revs []uint64
}

func (m *mState) read(opts eventstore.ReadStreamOptions) readOutcome {
	switch {
	case m.tombstoned:
		return readOutcome{err: eventstore.ErrStreamDeleted}
	case m.cur() < 0 || m.softDeleted:
		return readOutcome{err: eventstore.ErrStreamNotFound}
	}
	var revs []uint64 // visible revisions in read order
	last := uint64(len(m.ids) - 1)
	if opts.Direction == eventstore.Forwards {
		from := uint64(0)
		switch f := opts.From.(type) {
		case eventstore.End:
			from = last + 1
		case eventstore.Revision:
			from = uint64(f)
		}
		for rev := max(from, m.tb); rev <= last; rev++ {
			revs = append(revs, rev)
		}
	} else {
		from := last
		switch f := opts.From.(type) {
		case eventstore.Start:
			from = 0
		case eventstore.Revision:
			from = min(uint64(f), last)
		}
		for rev := int64(from); rev >= int64(m.tb); rev-- {
			revs = append(revs, uint64(rev))
		}
	}
	if opts.MaxCount > 0 && uint64(len(revs)) > opts.MaxCount {
		revs = revs[:opts.MaxCount]
	}
	out := readOutcome{revs: revs}
	for _, rev := range revs {
		out.ids = append(out.ids, m.ids[rev])
	}
	return out
}

// mWrite is one write found in $all: a batch of an append group, a soft
// delete or a tombstone, with the operations that may have made it.
type mWrite struct {
	kind     opKind
	stream   string
	group    int // appends
	position eventstore.Position
	lastRev  uint64 // appends: revision of the last event
	ops      []*histOp
	start    int64 // earliest start of ops
	end      int64 // latest end of ops
}

func (w *mWrite) String() string {
	return fmt.Sprintf("%s of %s at %v by %v", w.kind, w.stream, w.position, w.ops)
}

func newWrite(kind opKind, stream string, pos eventstore.Position, ops []*histOp) *mWrite {
	w := &mWrite{kind: kind, stream: stream, position: pos, ops: ops}
	for i, op := range ops {
		if i == 0 || op.start < w.start {
			w.start = op.start
		}
		if op.end > w.end {
			w.end = op.end
		}
	}
	return w
}

// possibleStates returns the states of a stream that may have been current
// at some point during [start, end]: state k (made by write k) exists from
// some moment of write k's interval until some moment of write k+1's.
func possibleStates(states []*mState, start, end int64) []*mState {
	var out []*mState
	for k, st := range states {
		if st.producer != nil && st.producer.start > end {
			continue // made after the operation ended
		}
		if k+1 < len(states) && states[k+1].producer.end < start {
			continue // replaced before the operation started
		}
		out = append(out, st)
	}
	return out
}
