package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// historyChecker replays $all into the model and checks every operation of
// a history against it.
type historyChecker struct {
	t      *testing.T
	h      *history
	states map[string][]*mState // per stream; states[0] is "no stream"
	writes []*mWrite            // in $all order
	// byGroup holds the acknowledged appends of each group; byPosition the
	// acknowledged deletes and tombstones.
	byGroup    map[int][]*histOp
	byPosition map[eventstore.Position]*histOp
	written    map[int][]*mWrite // group -> its batches found in $all
	used       map[*histOp]bool
	problems   int
}

const maxHistoryProblems = 25

func (c *historyChecker) errorf(format string, args ...any) {
	c.t.Helper()
	c.problems++
	if c.problems <= maxHistoryProblems {
		c.t.Errorf("seed %d: "+format, append([]any{c.h.seed}, args...)...)
	}
}

// checkHistory is the linearizability-lite check of a random history:
//
//   - $all, replayed in order into the model, only holds batches some
//     operation proposed, each whole and contiguous, each allowed by the
//     model in the state it was written to, with the revisions the model
//     gives it (and soft deletes and tombstones likewise);
//   - every acknowledged append, delete and tombstone is in $all, and each
//     append returned the revision and position of its batch's last event
//     (a retry the original's); nothing unacknowledged is in $all;
//   - writes are ordered in $all consistently with real time;
//   - every rejection (wrong expected revision with its actual revision,
//     stream deleted) and every read (events and revisions, not found,
//     deleted) matches some state of the stream that existed during the
//     operation;
//   - a final read of each stream equals the model's final state;
//   - a $all subscription running throughout delivered exactly $all.
func checkHistory(t *testing.T, h *history) {
	c := &historyChecker{t: t, h: h, states: map[string][]*mState{}, byGroup: map[int][]*histOp{},
		byPosition: map[eventstore.Position]*histOp{}, written: map[int][]*mWrite{}, used: map[*histOp]bool{}}
	for _, s := range h.streams {
		c.states[s] = []*mState{{}}
	}
	for _, op := range h.ops {
		if op.err != nil {
			continue
		}
		switch op.kind {
		case opAppend:
			c.byGroup[op.group] = append(c.byGroup[op.group], op)
		case opDelete, opTombstone:
			if prev := c.byPosition[op.deleted.Position]; prev != nil {
				c.errorf("%v and %v acknowledged the same position %v", prev, op, op.deleted.Position)
			}
			c.byPosition[op.deleted.Position] = op
		}
	}
	all := readWholeAll(t, h.store)
	c.replay(all)
	c.checkAcknowledged()
	c.checkRealTime()
	for _, op := range h.ops {
		if op.kind == opReadAll {
			c.checkReadAll(op, all)
			continue
		}
		c.checkAgainstStates(op)
	}
	c.checkFinalReads()
	c.checkSubscription(all)
	t.Log(c.summary())
	if c.problems > maxHistoryProblems {
		t.Errorf("seed %d: %d more problems not shown", h.seed, c.problems-maxHistoryProblems)
	}
}

func (c *historyChecker) current(stream string) *mState {
	st := c.states[stream]
	return st[len(st)-1]
}

func (c *historyChecker) push(stream string, st *mState) {
	c.states[stream] = append(c.states[stream], st)
	c.writes = append(c.writes, st.producer)
}

// replay walks $all and feeds the records of the history's streams to the
// model.
func (c *historyChecker) replay(all []eventstore.RecordedEvent) {
	ours := map[string]bool{}
	meta := map[string]string{}
	for _, s := range c.h.streams {
		ours[s] = true
		meta[eventstore.MetadataStreamName(s)] = s
	}
	first := map[uuid.UUID]int{} // ID of a group's first event -> group
	for i, g := range c.h.groups {
		first[g.events[0].ID] = i
	}
	var recs []eventstore.RecordedEvent
	for _, r := range all {
		if ours[r.Stream] || meta[r.Stream] != "" {
			recs = append(recs, r)
		}
	}
	for i := 0; i < len(recs); {
		r := recs[i]
		switch {
		case meta[r.Stream] != "":
			c.replayMetadata(meta[r.Stream], r)
			i++
		case r.Type == eventstore.TombstoneEventType:
			c.replayDelete(r.Stream, r, true)
			i++
		default:
			gi, ok := first[r.ID]
			if !ok {
				c.errorf("$all holds %s@%d %v, which no operation proposed as the first event of a batch", r.Stream, r.Revision, r.ID)
				i++
				continue
			}
			i += c.replayBatch(gi, recs[i:])
		}
	}
}

func (c *historyChecker) replayMetadata(stream string, r eventstore.RecordedEvent) {
	m, err := eventstore.ParseStreamMetadata(r.Data)
	if err != nil {
		c.errorf("metadata of %s at %v does not parse: %v", stream, r.Position, err)
		return
	}
	if m.TruncateBefore != nil && *m.TruncateBefore == eventstore.DeletedStreamTruncateBefore {
		c.replayDelete(stream, r, false)
	}
	// Any other metadata is the $tb a revival writes; the model computes it.
}

func (c *historyChecker) replayDelete(stream string, r eventstore.RecordedEvent, hard bool) {
	kind := opDelete
	if hard {
		kind = opTombstone
	}
	op := c.byPosition[r.Position]
	if op == nil || op.kind != kind || op.stream != stream {
		c.errorf("$all holds a %s of %s at %v that no acknowledged operation made", kind, stream, r.Position)
		return
	}
	c.used[op] = true
	st := c.current(stream)
	if d := st.checkDelete(op.expected, hard); d != mOK {
		c.errorf("%v was applied to state %v where the model says %v", op, st, d)
	}
	c.push(stream, st.afterDelete(hard, newWrite(kind, stream, r.Position, []*histOp{op})))
}

// replayBatch replays the batch of group gi that starts recs and returns
// how many records it spans.
func (c *historyChecker) replayBatch(gi int, recs []eventstore.RecordedEvent) int {
	g := c.h.groups[gi]
	n := len(g.events)
	if len(recs) < n {
		c.errorf("$all ends inside the batch of group %d (%d of %d events)", gi, len(recs), n)
		return len(recs)
	}
	st := c.current(g.stream)
	ids := idsOf(g.events)
	for j := range n {
		r := recs[j]
		if r.ID != ids[j] || r.Stream != g.stream || r.Revision != uint64(st.cur()+1+int64(j)) {
			c.errorf("batch of group %d: $all record %d is %s@%d %v, want %s@%d %v (a batch is whole, contiguous and continues the stream)",
				gi, j, r.Stream, r.Revision, r.ID, g.stream, st.cur()+1+int64(j), ids[j])
			return j + 1
		}
	}
	ops := c.byGroup[gi]
	w := newWrite(opAppend, g.stream, recs[n-1].Position, ops)
	w.group, w.lastRev = gi, recs[n-1].Revision
	if len(ops) == 0 {
		c.errorf("$all holds the batch of group %d on %s at %v, but every append of it failed", gi, g.stream, w.position)
		w.start, w.end = 0, 1<<62
	}
	if d := st.checkCommit(g.expected, ids); d != mOK {
		c.errorf("group %d (%v) was written to state %v where the model says %v", gi, ops, st, d)
	}
	c.written[gi] = append(c.written[gi], w)
	c.push(g.stream, st.afterAppend(ids, w))
	return n
}

// checkAcknowledged: every acknowledged write is in $all, with the result
// the store returned.
func (c *historyChecker) checkAcknowledged() {
	for gi, ops := range c.byGroup {
		ws := c.written[gi]
		if len(ws) == 0 {
			c.errorf("acknowledged %v is not in $all (lost write)", ops[0])
			continue
		}
		for _, op := range ops {
			ok := false
			for _, w := range ws {
				ok = ok || (op.result == eventstore.AppendResult{NextRevision: w.lastRev, Position: w.position})
			}
			if !ok {
				c.errorf("%v returned %+v, but its batch ends at revision %d position %v", op, op.result, ws[0].lastRev, ws[0].position)
			}
		}
	}
	for _, op := range c.byPosition {
		if !c.used[op] {
			c.errorf("acknowledged %v (position %v) is not in $all", op, op.deleted.Position)
		}
	}
}

// checkRealTime: a write that completed before another started comes
// first in $all.
func (c *historyChecker) checkRealTime() {
	for i, a := range c.writes {
		for _, b := range c.writes[i+1:] {
			if b.end < a.start {
				c.errorf("%v completed before %v started, yet comes after it in $all", b, a)
			}
		}
	}
}

// checkAgainstStates checks an operation's outcome against the states its
// stream may have had while it ran.
func (c *historyChecker) checkAgainstStates(op *histOp) {
	possible := possibleStates(c.states[op.stream], op.start, op.end)
	var ids []uuid.UUID
	if op.kind == opAppend {
		ids = idsOf(c.h.groups[op.group].events)
	}
	decide := func(st *mState) mDecision {
		if op.kind == opAppend {
			return st.checkCommit(op.expected, ids)
		}
		return st.checkDelete(op.expected, op.kind == opTombstone)
	}
	var wer *eventstore.WrongExpectedRevisionError
	var sde *eventstore.StreamDeletedError
	var snf *eventstore.StreamNotFoundError
	switch {
	case op.kind == opRead:
		c.checkRead(op, possible)
	case op.err == nil:
		// Writes were checked during the replay.
	case errors.As(op.err, &wer):
		if wer.Stream != op.stream || wer.Expected != op.expected {
			c.errorf("%v: error names stream %q expectation %v", op, wer.Stream, wer.Expected)
		}
		for _, st := range possible {
			if decide(st) == mWrong && st.current() == wer.Actual {
				return
			}
		}
		c.errorf("%v: got %v, but no state of the stream during the operation (%v) refuses it with actual %v", op, op.err, possible, wer.Actual)
	case errors.As(op.err, &sde):
		for _, st := range possible {
			if decide(st) == mDeleted {
				return
			}
		}
		c.errorf("%v: got %v, but no state of the stream during the operation (%v) is deleted for it", op, op.err, possible)
	case errors.As(op.err, &snf):
		c.errorf("%v: got %v, want success or a wrong expected revision", op, op.err)
	default:
		c.errorf("%v: unexpected error %v", op, op.err)
	}
}

func (c *historyChecker) checkRead(op *histOp, possible []*mState) {
	for _, st := range possible {
		want := st.read(op.readOpts)
		switch {
		case want.err != nil && errors.Is(op.err, want.err):
			return
		case want.err == nil && op.err == nil && equalIDs(recordedIDs(op.read), want.ids) && equalRevisions(revisionsOf(op.read), want.revs):
			return
		}
	}
	got := fmt.Sprintf("error %v", op.err)
	if op.err == nil {
		got = describe(op.read)
	}
	c.errorf("%v: read %s, which matches no state of the stream during the read: %v", op, got, possible)
}

// checkReadAll: a $all read made during the history is a prefix of the
// final $all (an event never becomes visible before an earlier one, so a
// reader paging by position skips nothing), and it holds every write
// acknowledged before the read started.
func (c *historyChecker) checkReadAll(op *histOp, all []eventstore.RecordedEvent) {
	if op.err != nil {
		c.errorf("%v: %v", op, op.err)
		return
	}
	if len(op.read) > len(all) {
		c.errorf("%v: read %d events, more than the final $all holds (%d)", op, len(op.read), len(all))
		return
	}
	for i, r := range op.read {
		if r.ID != all[i].ID || r.Position != all[i].Position {
			c.errorf("%v: event %d is %s@%d at %v, but the final $all has %s@%d at %v there (an event became visible before an earlier one)",
				op, i, r.Stream, r.Revision, r.Position, all[i].Stream, all[i].Revision, all[i].Position)
			return
		}
	}
	var seen eventstore.Position
	if n := len(op.read); n > 0 {
		seen = op.read[n-1].Position
	}
	for _, w := range c.writes {
		if w.end < op.start && w.position.Compare(seen) > 0 {
			c.errorf("%v: misses %v, acknowledged before the read started", op, w)
			return
		}
	}
}

func (c *historyChecker) checkFinalReads() {
	for _, stream := range c.h.streams {
		want := c.current(stream).read(eventstore.ReadStreamOptions{})
		recs, err := c.h.store.ReadStream(c.t.Context(), stream, eventstore.ReadStreamOptions{})
		switch {
		case want.err != nil:
			if !errors.Is(err, want.err) {
				c.errorf("final read of %s: got %v (%d events), want %v", stream, err, len(recs), want.err)
			}
		case err != nil:
			c.errorf("final read of %s: got %v, want %d events", stream, err, len(want.ids))
		case !equalIDs(recordedIDs(recs), want.ids) || !equalRevisions(revisionsOf(recs), want.revs):
			c.errorf("final read of %s: got revisions %v, want %v", stream, revisionsOf(recs), want.revs)
		}
	}
}

// summary counts the outcomes, to show what a history exercised.
func (c *historyChecker) summary() string {
	counts := map[string]int{}
	for _, op := range c.h.ops {
		outcome := "ok"
		switch {
		case errors.Is(op.err, eventstore.ErrWrongExpectedRev):
			outcome = "wrong-expected"
		case errors.Is(op.err, eventstore.ErrStreamDeleted):
			outcome = "deleted"
		case errors.Is(op.err, eventstore.ErrStreamNotFound):
			outcome = "not-found"
		case op.err != nil:
			outcome = "error"
		}
		counts[op.kind.String()+" "+outcome]++
	}
	retried := 0
	for _, ops := range c.byGroup {
		if len(ops) > 1 {
			retried++
		}
	}
	return fmt.Sprintf("seed %d: %d writes in $all, %d batches acknowledged more than once (idempotent retries); outcomes %v",
		c.h.seed, len(c.writes), retried, counts)
}

// checkSubscription: the $all subscription that ran during the history
// delivered exactly $all, in order.
func (c *historyChecker) checkSubscription(all []eventstore.RecordedEvent) {
	rs := c.h.allSub
	if rs.err != nil || !rs.sentinelSeen {
		c.errorf("%s ended with %v before the sentinel", rs.name, rs.err)
		return
	}
	if len(rs.events) != len(all) {
		c.errorf("%s delivered %d events, $all holds %d (gap or duplicate)", rs.name, len(rs.events), len(all))
	}
	for i := range min(len(rs.events), len(all)) {
		if rs.events[i].ID != all[i].ID || rs.events[i].Position != all[i].Position {
			c.errorf("%s: event %d is %s@%d at %v, $all has %s@%d at %v", rs.name, i,
				rs.events[i].Stream, rs.events[i].Revision, rs.events[i].Position, all[i].Stream, all[i].Revision, all[i].Position)
			return
		}
	}
}
