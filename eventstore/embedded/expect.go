package embedded

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// decision is the outcome of checking an expectation.
type decision uint8

const (
	decideWrite decision = iota
	decideIdempotent
)

// check applies EventStoreDB's IndexWriter.CheckCommit to ws with the
// proposed event IDs. soft reports whether the stream was soft-deleted.
// Runs on the writer goroutine.
func (s *Store) check(ws *wstream, expected eventstore.ExpectedRevision, ids []uuid.UUID) (d decision, res eventstore.AppendResult, soft bool, err error) {
	if ws.tombstoned() {
		return 0, res, false, &eventstore.StreamDeletedError{Stream: ws.name}
	}
	soft, _, err = s.softDeleted(ws.name)
	if err != nil {
		return 0, res, false, err
	}
	cur := ws.cur()
	wrong := func() error {
		return &eventstore.WrongExpectedRevisionError{Stream: ws.name, Expected: expected,
			Actual: eventstore.CurrentRevision{NoStream: cur < 0, Revision: uint64(max(cur, 0))}}
	}
	var e int64
	switch x := expected.(type) {
	case eventstore.Any:
		return decideWrite, res, soft, nil
	case eventstore.StreamExists:
		if soft {
			return 0, res, soft, &eventstore.StreamDeletedError{Stream: ws.name}
		}
		if cur < 0 {
			meta, err := s.wstate(eventstore.MetadataStreamName(ws.name))
			if err != nil {
				return 0, res, soft, err
			}
			if meta.cur() < 0 {
				return 0, res, soft, wrong()
			}
		}
		return decideWrite, res, soft, nil
	case eventstore.NoStream:
		e = -1
	case eventstore.Exact:
		if uint64(x) > math.MaxInt64-1 {
			return 0, res, soft, wrong()
		}
		e = int64(x)
	default:
		return 0, res, soft, wrong()
	}
	switch {
	case e > cur:
		return 0, res, soft, wrong()
	case e == cur:
		return decideWrite, res, soft, nil
	}
	// e < cur: an idempotent retry, a soft-deleted stream recreated with
	// NoStream, or a wrong expectation.
	rev := e
	for i, id := range ids {
		rev = e + 1 + int64(i)
		if rev <= cur {
			r, err := s.wrecord(ws.positionOf(uint64(rev)))
			if err != nil {
				return 0, res, soft, err
			}
			if r.id == id {
				continue
			}
		}
		if i > 0 {
			return 0, res, soft, wrong() // partial match: corrupted idempotency
		}
		if e == -1 && soft {
			return decideWrite, res, soft, nil
		}
		return 0, res, soft, wrong()
	}
	if len(ids) == 0 {
		return 0, res, soft, wrong()
	}
	pos := ws.positionOf(uint64(rev))
	res = eventstore.AppendResult{NextRevision: uint64(rev), Position: eventstore.Position{Commit: pos, Prepare: pos}}
	return decideIdempotent, res, soft, nil
}

// softDeleted reports whether stream's metadata has $tb = MaxInt64, and
// returns the raw metadata. Runs on the writer goroutine.
func (s *Store) softDeleted(stream string) (bool, []byte, error) {
	if !s.metaMayExist(stream) {
		return false, nil, nil
	}
	meta, err := s.wstate(eventstore.MetadataStreamName(stream))
	if err != nil || meta.cur() < 0 || meta.tombstoned() {
		return false, nil, err // a tombstoned metastream means no metadata
	}
	r, err := s.wrecord(meta.positionOf(uint64(meta.cur())))
	if err != nil {
		return false, nil, err
	}
	return isSoftDeleteMeta(r.data), r.data, nil
}

// metaMayExist reports whether stream's metastream is in this batch or
// has a slot with its hash, without building its name or caching a miss:
// the common case of a stream without metadata costs one probe and no
// allocation. Runs on the writer goroutine.
func (s *Store) metaMayExist(stream string) bool {
	if s.w.pending["$$"+stream] != nil { // a lookup key: no allocation for short names
		return true
	}
	i, _ := s.idx.probe(metaNameHash(stream), func(*slot) bool { return true })
	return i >= 0
}

// isSoftDeleteMeta reports whether raw metadata carries $tb = MaxInt64.
func isSoftDeleteMeta(raw []byte) bool {
	var m struct {
		TB *json.Number `json:"$tb"`
	}
	if json.Unmarshal(raw, &m) != nil || m.TB == nil {
		return false
	}
	return string(*m.TB) == strconv.FormatInt(eventstore.DeletedStreamTruncateBefore, 10)
}

// withTruncateBefore returns raw metadata with $tb replaced by tb, keeping
// every other key (EventStoreDB's SoftUndeleteRawMeta).
func withTruncateBefore(raw []byte, tb int64) []byte {
	m := map[string]json.RawMessage{}
	if json.Unmarshal(raw, &m) != nil || m == nil {
		m = map[string]json.RawMessage{}
	}
	m["$tb"] = json.RawMessage(strconv.FormatInt(tb, 10))
	out, _ := json.Marshal(m)
	return out
}
