package embedded

import (
	"math"
	"strconv"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// apply checks one request against the state so far (index plus earlier
// requests of this batch) and, if it passes, encodes its records into the
// batch. Runs on the writer goroutine.
func (s *Store) apply(r *request) {
	ws, err := s.wstate(r.stream)
	if err != nil {
		r.err = err
		return
	}
	switch r.op {
	case opAppend:
		r.err = s.applyAppend(r, ws)
	case opDelete:
		r.err = s.applyDelete(r, ws)
	case opTombstone:
		r.err = s.applyTombstone(r, ws)
	}
}

func (s *Store) applyAppend(r *request, ws *wstream) error {
	ids := make([]uuid.UUID, len(r.events))
	for i := range r.events {
		ids[i] = r.events[i].ID
	}
	d, res, soft, err := s.check(ws, r.expected, ids)
	if err != nil {
		return err
	}
	if d == decideIdempotent {
		r.result = res
		return nil
	}
	cur := ws.cur()
	if len(r.events) == 0 {
		r.result = eventstore.AppendResult{NextRevision: uint64(max(cur, 0))}
		if cur >= 0 {
			p := ws.positionOf(uint64(cur))
			r.result.Position = eventstore.Position{Commit: p, Prepare: p}
		}
		return nil
	}
	// A metastream write while the stream it describes is soft-deleted
	// revives that stream (EventStoreDB's SoftUndeleteMetastream).
	var origSoft bool
	var orig *wstream
	if isMetastream(r.stream) {
		origName := r.stream[2:]
		if origSoft, _, err = s.softDeleted(origName); err != nil {
			return err
		}
		if origSoft {
			if orig, err = s.wstate(origName); err != nil {
				return err
			}
		}
	}
	var last uint64
	for i, e := range r.events {
		var flags uint8
		if i == len(r.events)-1 && !soft && !origSoft {
			flags = flagTxnEnd // the common case: no endTxn, one CRC per record
		}
		last = s.add(ws, flags, e.Type, r.ctypes[i], uint64(cur+1+int64(i)), e.ID, e.Data, e.Metadata)
	}
	r.result = eventstore.AppendResult{NextRevision: uint64(cur) + uint64(len(r.events)),
		Position: eventstore.Position{Commit: last, Prepare: last}}
	var txnLast uint64
	switch {
	case soft: // appending to a soft-deleted stream recreates it
		p, err := s.undelete(ws.name, cur+1)
		if err != nil {
			return err
		}
		txnLast = p
	case origSoft:
		p, err := s.undelete(orig.name, orig.cur()+1)
		if err != nil {
			return err
		}
		txnLast = p
	default:
		return nil
	}
	s.endTxn(txnLast)
	return nil
}

// undelete rewrites the $tb of stream's metadata to tb and returns the
// position of the new metadata record.
func (s *Store) undelete(stream string, tb int64) (uint64, error) {
	meta, err := s.wstate(eventstore.MetadataStreamName(stream))
	if err != nil {
		return 0, err
	}
	r, err := s.wrecord(meta.positionOf(uint64(meta.cur())))
	if err != nil {
		return 0, err
	}
	data := withTruncateBefore(r.data, tb)
	return s.add(meta, 0, eventstore.MetadataEventType, ctJSON, uint64(meta.cur()+1), uuid.New(), data, nil), nil
}

// softDeleteMetadata is what EventStoreDB writes for a soft delete.
var softDeleteMetadata = []byte(`{"$tb":` + strconv.FormatInt(eventstore.DeletedStreamTruncateBefore, 10) + `}`)

func (s *Store) applyDelete(r *request, ws *wstream) error {
	if _, _, _, err := s.check(ws, r.expected, []uuid.UUID{uuid.Nil}); err != nil {
		return err
	}
	meta, err := s.wstate(eventstore.MetadataStreamName(r.stream))
	if err != nil {
		return err
	}
	if meta.tombstoned() {
		return &eventstore.StreamDeletedError{Stream: meta.name}
	}
	if ws.cur() < 0 && meta.cur() < 0 {
		return &eventstore.WrongExpectedRevisionError{Stream: r.stream, Expected: r.expected,
			Actual: eventstore.CurrentRevision{NoStream: true}}
	}
	p := s.add(meta, 0, eventstore.MetadataEventType, ctJSON, uint64(meta.cur()+1), uuid.New(), softDeleteMetadata, nil)
	s.endTxn(p)
	r.result.Position = eventstore.Position{Commit: p, Prepare: p}
	return nil
}

func (s *Store) applyTombstone(r *request, ws *wstream) error {
	if _, _, _, err := s.check(ws, r.expected, []uuid.UUID{uuid.Nil}); err != nil {
		return err
	}
	p := s.add(ws, flagTombstone, eventstore.TombstoneEventType, ctJSON, math.MaxInt64, uuid.New(), nil, nil)
	s.endTxn(p)
	r.result.Position = eventstore.Position{Commit: p, Prepare: p}
	return nil
}

func isMetastream(stream string) bool { return len(stream) > 2 && stream[:2] == "$$" }
