package verify

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"golang.org/x/mod/sumdb/note"
)

// ErrMismatch reports that the ledger does not match a checkpoint, an
// earlier checkpoint, the server's tree or the server's published counts.
var ErrMismatch = errors.New("verify: mismatch")

// Options configure Ledger.
type Options struct {
	Store eventstore.Store
	// Checkpoint is the signed checkpoint to verify against.
	Checkpoint []byte
	// Verifier checks the checkpoint's signature; nil reads the body
	// without checking it (the report says so).
	Verifier note.Verifier
	// History holds earlier signed checkpoints (the server's checkpoint
	// history); each one must be a prefix of the log.
	History [][]byte
	// LeafHash, when set, returns the leaf hash the server's tree holds at
	// an index (its "hashes" file), so a mismatch names the first bad leaf.
	LeafHash func(index int64) (merkle.Hash, error)
	// LeafHashes, when set, is LeafHash for a run of leaves: it fills out
	// with the hashes of leaves first, first+1, ... (see TreeHashes). It is
	// used instead of LeafHash, which then only names the leaf a failed
	// run could not read.
	LeafHashes func(first int64, out []merkle.Hash) error
	// Published, when set, fetches a petition's published counts to compare.
	Published func(ctx context.Context, id int64, asOf eventstore.Position) (*Published, error)
	// Grace is the validation grace after a close (domain Config); 0 means 24 h.
	Grace time.Duration
	// Progress is called with the events read so far and the total.
	Progress func(done, total int64)
	// PageSize is the ReadAll page; 0 means 4096.
	PageSize uint64
	// Workers is how many goroutines prepare pages (leaf hashes, decoding)
	// while one reads and one folds in log order; 0 means GOMAXPROCS, 1
	// means one goroutine does everything in turn. The report is the same
	// whatever the number.
	Workers int
}

// Published is what the server publishes for one petition.
type Published struct {
	Total          int64
	Constituencies map[string]int64
	Regions        map[string]int64
	Countries      map[string]int64
}

// Ledger reads the first Size events of $all, recomputes the Merkle root
// and checks it against the signed checkpoint, checks every earlier
// checkpoint is a prefix, recounts every petition and compares with the
// server when asked. A mismatch returns the report so far (its
// FirstProblem set) and an error wrapping ErrMismatch.
func Ledger(ctx context.Context, o Options) (*Report, error) {
	cp, checked, err := openCheckpoint(o.Checkpoint, o.Verifier, "")
	if err != nil {
		return nil, err
	}
	if o.Grace == 0 {
		o.Grace = 24 * time.Hour
	}
	if o.PageSize == 0 {
		o.PageSize = 4096
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	rep := &Report{Origin: cp.Origin, TreeSize: cp.Size, Root: fmt.Sprintf("%x", cp.Root), SignatureChecked: checked}
	earlier, err := earlierRoots(o, cp)
	if err != nil {
		return rep, err
	}
	rc := newRecount(o.Grace)
	root, err := scan(ctx, o, cp.Size, earlier, rc)
	if err != nil {
		return fail(rep, err)
	}
	if root != cp.Root {
		return fail(rep, fmt.Errorf("%w: the root of the first %d events is %x, the checkpoint says %x", ErrMismatch, cp.Size, root, cp.Root))
	}
	rep.CheckpointsChecked = len(earlier) + 1
	rep.Petitions = petitionReports(rc)
	if o.Published != nil {
		rep.ServerCompared = true
		if err := compareServer(ctx, o, rc, rep); err != nil {
			return fail(rep, err)
		}
	}
	return rep, nil
}

func fail(rep *Report, err error) (*Report, error) {
	rep.FirstProblem = err.Error()
	return rep, err
}

// earlierRoots returns size → root of every earlier checkpoint no larger
// than cp, after checking each one's origin (and signature with a key).
func earlierRoots(o Options, cp merkle.Checkpoint) (map[int64]merkle.Hash, error) {
	roots := map[int64]merkle.Hash{}
	for i, msg := range o.History {
		c, _, err := openCheckpoint(msg, o.Verifier, cp.Origin)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %d of the history: %w", i, err)
		}
		if c.Size > cp.Size {
			continue
		}
		if prev, ok := roots[c.Size]; ok && prev != c.Root {
			return nil, fmt.Errorf("%w: two signed checkpoints of size %d with different roots (a fork)", ErrMismatch, c.Size)
		}
		roots[c.Size] = c.Root
	}
	if r, ok := roots[cp.Size]; ok && r != cp.Root {
		return nil, fmt.Errorf("%w: the history has another root for size %d (a fork)", ErrMismatch, cp.Size)
	}
	delete(roots, cp.Size)
	return roots, nil
}

// openCheckpoint verifies msg with v, or only parses its body when v is nil.
func openCheckpoint(msg []byte, v note.Verifier, origin string) (merkle.Checkpoint, bool, error) {
	if v != nil {
		c, err := merkle.OpenCheckpoint(msg, v, origin)
		return c, true, err
	}
	body, _, ok := cutNote(string(msg))
	if !ok {
		return merkle.Checkpoint{}, false, fmt.Errorf("%w: not a signed note", merkle.ErrCheckpoint)
	}
	c, err := merkle.ParseCheckpoint(body)
	if err == nil && origin != "" && c.Origin != origin {
		err = fmt.Errorf("%w: origin %q, want %q", merkle.ErrCheckpoint, c.Origin, origin)
	}
	return c, false, err
}

func cutNote(msg string) (body, sigs string, ok bool) {
	for i := 0; i+1 < len(msg); i++ {
		if msg[i] == '\n' && msg[i+1] == '\n' {
			return msg[:i+1], msg[i+2:], true
		}
	}
	return "", "", false
}

func petitionReports(rc *recount) []PetitionReport {
	var out []PetitionReport
	for _, id := range rc.ids() {
		t := rc.tally(id)
		p := rc.petitions[id]
		pr := PetitionReport{ID: id, Published: p.published, Total: t.total, Signatures: t.signatures,
			Invalidated: t.invalidated, Fraudulent: t.fraudulent, AbroadCount: t.abroad,
			AbroadShare: ShareString(t.abroad, t.total), InvalidationRate: ShareString(t.invalidated, t.signatures),
			Constituencies: areas(t.constituency, t.total), Regions: areas(t.region, t.total), Countries: areas(t.country, t.total)}
		if !p.closedAt.IsZero() {
			pr.ClosedAt = p.closedAt.Format(time.RFC3339Nano)
		}
		out = append(out, pr)
	}
	return out
}

func areas(m map[string]int64, total int64) []AreaCount {
	out := make([]AreaCount, 0, len(m))
	for code, n := range m {
		out = append(out, AreaCount{Code: code, Count: n, Share: ShareString(n, total)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
