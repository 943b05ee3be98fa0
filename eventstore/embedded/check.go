package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ProblemKind classifies what Check found.
type ProblemKind string

// Problem kinds. A torn tail is what a crash leaves and Open repairs by
// itself; the others make Open refuse the directory.
const (
	ProblemTornTail   ProblemKind = "torn-tail"
	ProblemCorrupt    ProblemKind = "corrupt"
	ProblemBadHeader  ProblemKind = "bad-header"
	ProblemGap        ProblemKind = "gap"
	ProblemBadSegment ProblemKind = "unreadable"
)

// Problem is one defect of a data directory.
type Problem struct {
	Kind   ProblemKind
	File   string
	Offset int64 // where the bad bytes start
	Detail string
	// Cut is the offset a repair truncates the file at: the end of the last
	// complete transaction before Offset.
	Cut int64
	// ValidAfter counts records after Offset, in this file and every later
	// segment, that pass their CRC: what a repair would drop that was
	// possibly acknowledged.
	ValidAfter int
	// LaterSegments are the files after File that a repair would set aside.
	LaterSegments []string
}

// ErrTornTail reports an incomplete write at the end of the log: what a
// crash leaves, never acknowledged, and truncated by Open itself. It is
// deliberately distinct from ErrCorrupt.
var ErrTornTail = errors.New("embedded: torn tail")

// Err returns the problem as an error matching ErrTornTail for a torn
// tail and ErrCorrupt for everything else.
func (p Problem) Err() error {
	if p.Kind == ProblemTornTail {
		return fmt.Errorf("%w: %s", ErrTornTail, p)
	}
	return fmt.Errorf("%w: %s", ErrCorrupt, p)
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s: %s at offset %d: %s", p.Kind, p.File, p.Offset, p.Detail)
	if p.ValidAfter > 0 {
		s += fmt.Sprintf(" (%d CRC-valid records after it)", p.ValidAfter)
	}
	return s
}

// Report is what Check found.
type Report struct {
	Dir      string
	Segments int
	Records  int   // records in complete transactions before any problem
	Bytes    int64 // size of all segments
	Problems []Problem
}

// OK reports whether the directory has no problem at all.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Check verifies every segment of dir without changing anything. It takes
// the directory lock, so it fails with ErrLocked while a Store has it open.
// Only the first problem is reported: everything after it is what a repair
// would have to decide about.
func Check(dir string) (Report, error) {
	lock, err := lockDir(dir)
	if err != nil {
		return Report{}, err
	}
	defer unlockDir(lock)
	return check(dir)
}

func check(dir string) (Report, error) {
	rep := Report{Dir: dir}
	list, err := listSegments(dir)
	if err != nil {
		return rep, fmt.Errorf("embedded: check %s: %w", dir, err)
	}
	rep.Segments = len(list)
	var segs []*segment
	defer func() {
		for _, s := range segs {
			s.f.Close()
		}
	}()
	for i := range list {
		f, err := os.Open(list[i].path)
		if err != nil {
			return rep, fmt.Errorf("embedded: check: %w", err)
		}
		list[i].f = f
		segs = append(segs, &list[i])
		if st, err := f.Stat(); err == nil {
			rep.Bytes += st.Size()
		}
	}
	for i, seg := range segs {
		p, records, ok := checkSegment(seg, i == len(segs)-1, segs[i+1:])
		rep.Records += records
		if !ok {
			rep.Problems = append(rep.Problems, p)
			return rep, nil
		}
	}
	return rep, nil
}

// checkSegment checks one segment; later are the segments after it.
func checkSegment(seg *segment, last bool, later []*segment) (Problem, int, bool) {
	h := make([]byte, segHeaderSize)
	n, _ := seg.f.ReadAt(h, 0)
	if herr := checkSegmentHeader(h[:n]); herr != nil {
		if last && tornHeader(h[:n]) {
			return Problem{Kind: ProblemTornTail, File: seg.path, Detail: "torn segment header"}, 0, false
		}
		p := Problem{Kind: ProblemBadHeader, File: seg.path, Detail: herr.Error()}
		p.ValidAfter = countValid(seg, segHeaderSize) + countValidSegments(later)
		p.LaterSegments = paths(later)
		return p, 0, false
	}
	sc, err := scanSegment(seg, segHeaderSize, func([]txnRecord) error { return nil })
	if err != nil {
		return Problem{Kind: ProblemBadSegment, File: seg.path, Detail: err.Error()}, 0, false
	}
	if sc.badAt < 0 && sc.openTxn == 0 {
		if !last && seg.base+uint64(sc.size) != later[0].base {
			return Problem{Kind: ProblemGap, File: seg.path, Offset: sc.size, Cut: sc.size,
				Detail:     fmt.Sprintf("segment ends at position %d, next starts at %d", seg.base+uint64(sc.size), later[0].base),
				ValidAfter: countValidSegments(later), LaterSegments: paths(later)}, sc.records, false
		}
		return Problem{}, sc.records, true
	}
	p := Problem{File: seg.path, Offset: sc.validEnd, Cut: sc.validEnd, Kind: ProblemCorrupt,
		Detail: "transaction not closed", LaterSegments: paths(later)}
	if sc.badAt >= 0 {
		p.Offset, p.Detail = sc.badAt, sc.badErr.Error()
		p.ValidAfter = countValid(seg, sc.badAt+recAlign)
	}
	p.ValidAfter += countValidSegments(later)
	if last && p.ValidAfter == 0 {
		// A torn tail: the records of an unfinished transaction were never
		// acknowledged.
		p.Kind = ProblemTornTail
		if sc.openTxn > 0 {
			p.Detail += fmt.Sprintf("; %d records of an unfinished transaction", sc.openTxn)
		}
	} else {
		p.ValidAfter += sc.openTxn
	}
	return p, sc.records, false
}

// countValid counts the CRC-valid records found by resynchronising at
// every 8-byte boundary from offset from.
func countValid(seg *segment, from int64) int {
	n := 0
	forEachValid(seg, from, func(int64, *record) bool { n++; return true })
	return n
}

func countValidSegments(segs []*segment) int {
	n := 0
	for _, s := range segs {
		n += countValid(s, segHeaderSize)
	}
	return n
}

func paths(segs []*segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = filepath.Base(s.path)
	}
	return out
}
