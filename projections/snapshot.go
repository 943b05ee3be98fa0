package projections

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// The ledger state is serialized canonically: petitions in creation order,
// every field in a fixed order, integers as (zig-zag) varints, strings
// length-prefixed, times as Unix nanoseconds (0 = null), counts as the
// sorted list of non-zero slots. The same log therefore always gives the
// same bytes. The payload starts with a fingerprint of the Places table and
// the Rules: a checkpoint folded with other places or rules is refused.

// fingerprint identifies the places table and rules a state was folded with.
func fingerprint(p *Places, r Rules) [32]byte {
	var b []byte
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	str("petitionledger/projections/places/v1")
	for _, c := range p.constituencies {
		str(c.ONSCode)
		str(c.Name)
		str(c.MP)
		str(c.RegionCode)
	}
	for _, g := range p.regions {
		str(g.ONSCode)
		str(g.Name)
	}
	for _, c := range p.countries {
		str(c.Code)
		str(c.Name)
	}
	for _, v := range []int64{r.Thresholds.Moderation, r.Thresholds.Response, r.Thresholds.Debate, int64(r.ValidationGrace)} {
		b = binary.AppendVarint(b, v)
	}
	return sha256.Sum256(b)
}

type enc struct{ b []byte }

func (e *enc) u(v uint64)    { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) i(v int64)     { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) s(v string)    { e.u(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) t(v time.Time) { e.i(unixNanos(v)) }
func (e *enc) flag(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// encodeLedger serializes the ledger's state (not its position, which the
// checkpoint header carries).
func encodeLedger(l *Ledger) []byte {
	fp := fingerprint(l.places, l.rules)
	e := &enc{b: append([]byte(nil), fp[:]...)}
	e.u(uint64(len(l.byOrdinal)))
	for _, p := range l.byOrdinal {
		encodePetition(e, &p.st, p.c)
	}
	return e.b
}

func encodePetition(e *enc, s *PetitionState, c *counts) {
	e.i(s.ID)
	for _, v := range []string{s.Action, s.Background, s.AdditionalDetails, s.CommitteeNote, s.State, s.ClosingDate,
		s.ResponseState, s.DebateState, s.DebateScheduledOn, s.ScheduledDebateDate} {
		e.s(v)
	}
	e.flag(s.Hidden)
	e.u(uint64(s.SponsorCount))
	e.i(s.SignatureCount)
	for _, t := range []time.Time{s.ClosesAt, s.CreatedAt, s.UpdatedAt, s.RejectedAt, s.OpenedAt, s.ClosedAt,
		s.ModerationThresholdReachedAt, s.ResponseThresholdReachedAt, s.GovernmentResponseAt,
		s.DebateThresholdReachedAt, s.DebateOutcomeAt} {
		e.t(t)
	}
	e.flag(s.Rejection != nil)
	if r := s.Rejection; r != nil {
		e.s(r.Code)
		e.s(r.Details)
	}
	e.flag(s.GovernmentResponse != nil)
	if g := s.GovernmentResponse; g != nil {
		e.s(g.RespondedOn)
		e.s(g.Summary)
		e.s(g.Details)
		e.t(g.CreatedAt)
		e.t(g.UpdatedAt)
	}
	e.flag(s.Debate != nil)
	if d := s.Debate; d != nil {
		e.flag(d.Debated)
		for _, v := range []string{d.DebatedOn, d.TranscriptURL, d.VideoURL, d.DebatePackURL, d.PublicEngagementURL, d.DebateSummaryURL, d.Overview} {
			e.s(v)
		}
	}
	e.u(uint64(len(s.Departments)))
	for _, d := range s.Departments {
		e.s(d.Acronym)
		e.s(d.Name)
		e.s(d.URL)
	}
	e.u(uint64(len(s.Topics)))
	for _, t := range s.Topics {
		e.s(t)
	}
	e.u(uint64(len(s.OtherBusiness)))
	for _, o := range s.OtherBusiness {
		e.s(o.Subject)
		e.s(o.Body)
		e.s(o.OccurredOn)
		e.t(o.CreatedAt)
		e.t(o.UpdatedAt)
	}
	e.u(s.Position.Commit)
	e.u(s.Position.Prepare)
	e.u(s.AuditLen)
	encodeSlots(e, c.byConstituency)
	encodeSlots(e, c.byCountry)
}

func encodeSlots(e *enc, a []int32) {
	n := 0
	for _, v := range a {
		if v != 0 {
			n++
		}
	}
	e.u(uint64(n))
	for i, v := range a {
		if v != 0 {
			e.u(uint64(i))
			e.i(int64(v))
		}
	}
}

// dec reads what enc wrote; the first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: ledger state: bad %s", ErrCheckpointCorrupt, what)
	}
}

func (d *dec) u() uint64 { return readVarint(d, binary.Uvarint, "uvarint") }

func (d *dec) i() int64 { return readVarint(d, binary.Varint, "varint") }

// readVarint reads one varint with read (binary.Uvarint or binary.Varint);
// a bad one fails d as what and empties it.
func readVarint[T uint64 | int64](d *dec, read func([]byte) (T, int), what string) T {
	v, n := read(d.b)
	if n <= 0 {
		d.fail(what)
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) s() string {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.fail("string length")
		d.b = nil
		return ""
	}
	v := string(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *dec) t() time.Time { return timeOf(d.i()) }

func (d *dec) flag() bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail("flag")
		d.b = nil
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

// count reads a list length, bounded by the bytes left (each item takes at
// least one byte), so a corrupt length cannot allocate without bound.
func (d *dec) count() int {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.fail("list length")
		d.b = nil
		return 0
	}
	return int(n)
}

// decodeLedger fills an empty ledger from encodeLedger's bytes.
func decodeLedger(l *Ledger, b []byte) error {
	fp := fingerprint(l.places, l.rules)
	if len(b) < len(fp) || string(b[:len(fp)]) != string(fp[:]) {
		return fmt.Errorf("%w: folded with other places or rules", ErrCheckpointVersion)
	}
	d := &dec{b: b[len(fp):]}
	n := d.count()
	for o := 0; o < n && d.err == nil; o++ {
		p := newPetition(0, o, l.places)
		decodePetition(d, p)
		if d.err != nil {
			break
		}
		if _, dup := l.petitions[p.st.ID]; dup || p.st.ID <= 0 {
			return fmt.Errorf("%w: ledger state: duplicate or invalid petition %d", ErrCheckpointCorrupt, p.st.ID)
		}
		p.closedAt = unixNanos(p.st.ClosedAt)
		l.petitions[p.st.ID] = p
		l.byOrdinal = append(l.byOrdinal, p)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

func decodePetition(d *dec, p *petition) {
	s := &p.st
	s.ID = d.i()
	for _, v := range []*string{&s.Action, &s.Background, &s.AdditionalDetails, &s.CommitteeNote, &s.State, &s.ClosingDate,
		&s.ResponseState, &s.DebateState, &s.DebateScheduledOn, &s.ScheduledDebateDate} {
		*v = d.s()
	}
	s.Hidden = d.flag()
	s.SponsorCount = int(d.u())
	s.SignatureCount = d.i()
	for _, t := range []*time.Time{&s.ClosesAt, &s.CreatedAt, &s.UpdatedAt, &s.RejectedAt, &s.OpenedAt, &s.ClosedAt,
		&s.ModerationThresholdReachedAt, &s.ResponseThresholdReachedAt, &s.GovernmentResponseAt,
		&s.DebateThresholdReachedAt, &s.DebateOutcomeAt} {
		*t = d.t()
	}
	if d.flag() {
		s.Rejection = &Rejection{Code: d.s(), Details: d.s()}
	}
	if d.flag() {
		s.GovernmentResponse = &GovernmentResponse{RespondedOn: d.s(), Summary: d.s(), Details: d.s(), CreatedAt: d.t(), UpdatedAt: d.t()}
	}
	if d.flag() {
		g := &Debate{Debated: d.flag()}
		for _, v := range []*string{&g.DebatedOn, &g.TranscriptURL, &g.VideoURL, &g.DebatePackURL, &g.PublicEngagementURL, &g.DebateSummaryURL, &g.Overview} {
			*v = d.s()
		}
		s.Debate = g
	}
	for k := d.count(); k > 0 && d.err == nil; k-- {
		s.Departments = append(s.Departments, Department{Acronym: d.s(), Name: d.s(), URL: d.s()})
	}
	for k := d.count(); k > 0 && d.err == nil; k-- {
		s.Topics = append(s.Topics, d.s())
	}
	for k := d.count(); k > 0 && d.err == nil; k-- {
		s.OtherBusiness = append(s.OtherBusiness, OtherBusiness{Subject: d.s(), Body: d.s(), OccurredOn: d.s(), CreatedAt: d.t(), UpdatedAt: d.t()})
	}
	s.Position = eventstore.Position{Commit: d.u(), Prepare: d.u()}
	s.AuditLen = d.u()
	decodeSlots(d, p.c.byConstituency)
	decodeSlots(d, p.c.byCountry)
}

func decodeSlots(d *dec, a []int32) {
	last := -1
	for k := d.count(); k > 0 && d.err == nil; k-- {
		i, v := d.u(), d.i()
		if i >= uint64(len(a)) || int(i) <= last || v == 0 || v != int64(int32(v)) {
			d.fail("count slot")
			return
		}
		a[i] = int32(v)
		last = int(i)
	}
}
