package verify

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// page is a page of $all and everything that can be computed from it
// independently of the rest of the log: its leaf hashes, the server's leaf
// hashes for the same leaves, and each event read for the recount. Pages
// are prepared in parallel and consumed in log order.
type page struct {
	first  int64 // leaf index of evs[0]
	evs    []eventstore.RecordedEvent
	hashes []merkle.Hash
	server []merkle.Hash // nil without a server tree
	ops    []foldOp
	// serverAt/serverErr: the server's tree could not give leaf
	// first+serverAt (len(evs): no problem).
	serverAt  int
	serverErr error
	// errAt/err: event errAt could not be read for the recount (len(evs):
	// every event was); an empty page with err is the end of a log that
	// failed or fell short.
	errAt int
	err   error
	ready chan struct{} // closed once prepared
}

// nodeHasher is rfc6962.DefaultHasher.HashChildren (SHA-256 of 0x01 ||
// left || right) without its per-call allocations: the input is built on
// the stack and each result is a 32-byte piece of a larger slab (the
// compact range keeps a few results, so a few slabs stay alive).
// TestNodeHasherIsRFC6962 pins it to the library's.
type nodeHasher struct {
	slab []byte
}

func (h *nodeHasher) hashChildren(left, right []byte) []byte {
	var in [1 + 2*merkle.HashSize]byte
	in[0] = rfc6962.RFC6962NodeHashPrefix
	copy(in[1:], left)
	copy(in[1+merkle.HashSize:], right)
	if len(h.slab) < merkle.HashSize {
		h.slab = make([]byte, 1024*merkle.HashSize)
	}
	out := h.slab[:merkle.HashSize:merkle.HashSize]
	h.slab = h.slab[merkle.HashSize:]
	sum := sha256.Sum256(in[:])
	copy(out, sum[:])
	return out
}

// errReaderStopped: the reader ended early with no cancellation to blame.
var errReaderStopped = errors.New("verify: the reader stopped early")

// pass is one verification pass over the first size events.
type pass struct {
	o       Options
	size    int64
	earlier []sizedRoot // ascending
	rc      *recount
	rng     *compact.Range
	n       int64 // leaves consumed
}

// sizedRoot is an earlier checkpoint: the root of the first size leaves.
type sizedRoot struct {
	size int64
	root merkle.Hash
}

// scan reads the first size events, hashes them into a compact range,
// checks earlier roots as the range passes their sizes, compares leaf
// hashes with the server's tree and folds every event into rc. With more
// than one worker, reading, preparing (leaf hashes, decoding) and
// consuming (range, checks, fold) run concurrently; the consumer takes the
// pages in log order, so the result and the first problem reported are
// those of the sequential pass (Workers: 1): the problem at the lowest
// leaf, and at one leaf a hash problem before a recount problem.
func scan(ctx context.Context, o Options, size int64, earlier map[int64]merkle.Hash, rc *recount) (merkle.Hash, error) {
	var h nodeHasher
	rf := compact.RangeFactory{Hash: h.hashChildren}
	sc := &pass{o: o, size: size, rc: rc, rng: rf.NewEmptyRange(0)}
	for s, r := range earlier {
		sc.earlier = append(sc.earlier, sizedRoot{s, r})
	}
	slices.SortFunc(sc.earlier, func(a, b sizedRoot) int { return cmp.Compare(a.size, b.size) })
	var err error
	if o.Workers == 1 {
		err = sc.sequential(ctx)
	} else {
		err = sc.pipelined(ctx)
	}
	if err != nil {
		return merkle.Hash{}, err
	}
	return rangeRoot(sc.rng)
}

// sequential reads, prepares and consumes one page at a time.
func (sc *pass) sequential(ctx context.Context) error {
	var w worker
	return sc.read(ctx, func(p *page) error {
		w.prepare(sc.o, p)
		err := sc.consume(p)
		releasePage(p)
		return err
	})
}

// pipelined runs the reader, o.Workers preparers and the consumer
// concurrently, with at most a few pages in flight.
func (sc *pass) pipelined(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	workers := sc.o.Workers
	inOrder := make(chan *page, 2*workers+2)
	work := make(chan *page, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			for p := range work {
				w.prepare(sc.o, p)
				close(p.ready)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(inOrder)
		defer close(work)
		_ = sc.read(ctx, func(p *page) error {
			select {
			case inOrder <- p:
			case <-ctx.Done():
				return ctx.Err()
			}
			if p.evs == nil {
				close(p.ready)
				return nil
			}
			select {
			case work <- p:
				return nil
			case <-ctx.Done(): // never prepared: the consumer must not fold it
				p.evs, p.err = nil, fmt.Errorf("read $all after %d events: %w", p.first, context.Cause(ctx))
				close(p.ready)
				return ctx.Err()
			}
		})
	}()
	var err error
	for p := range inOrder {
		<-p.ready
		if err == nil {
			err = sc.consume(p)
		}
		if err != nil {
			cancel() // stop the reader; drain what is in flight
		}
		releasePage(p)
	}
	wg.Wait()
	if err == nil && sc.n < sc.size { // the reader stopped without saying why: cancelled
		cause := context.Cause(parent)
		if cause == nil {
			cause = errReaderStopped
		}
		err = fmt.Errorf("read $all after %d events: %w", sc.n, cause)
	}
	return err
}

// read hands each page of the first size events to fn, in order; a failed
// read or a log shorter than size ends with an empty page carrying the
// error. It stops early when fn returns an error.
func (sc *pass) read(ctx context.Context, fn func(*page) error) error {
	var n int64
	var from eventstore.AllFrom = eventstore.Start{}
	var last *eventstore.Position
	end := func(err error) error {
		return fn(&page{first: n, err: err, ready: make(chan struct{})})
	}
	for n < sc.size {
		if err := ctx.Err(); err != nil {
			return end(fmt.Errorf("read $all after %d events: %w", n, err))
		}
		count := sc.o.PageSize
		if last != nil {
			count++ // the page starts with the last event read
		}
		evs, err := sc.o.Store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: count})
		if err != nil {
			return end(fmt.Errorf("read $all after %d events: %w", n, err))
		}
		if last != nil && len(evs) > 0 && evs[0].Position == *last {
			evs = evs[1:]
		}
		if len(evs) == 0 {
			return end(fmt.Errorf("%w: the log has %d events, the checkpoint covers %d", ErrMismatch, n, sc.size))
		}
		if int64(len(evs)) > sc.size-n {
			evs = evs[:sc.size-n]
		}
		p := newPage(n, evs)
		p.ready = make(chan struct{})
		if err := fn(p); err != nil {
			return err
		}
		n += int64(len(evs))
		pos := evs[len(evs)-1].Position
		from, last = pos, &pos
	}
	return nil
}

// consume checks a prepared page leaf by leaf against the server's tree,
// appends its leaves to the range, checks every earlier root it reaches
// and folds its events into the recount.
func (sc *pass) consume(p *page) error {
	if p.evs == nil {
		return p.err
	}
	for i := range p.evs {
		leaf := p.first + int64(i)
		if i == p.serverAt {
			return p.serverErr
		}
		if p.server != nil && p.hashes[i] != p.server[i] {
			ev := &p.evs[i]
			return fmt.Errorf("%w: first bad leaf %d: event %s (%s/%d at position %s) hashes to %x, the server's tree holds %x",
				ErrMismatch, leaf, ev.ID, ev.Stream, ev.Revision, ev.Position, p.hashes[i], p.server[i])
		}
		if err := sc.rng.Append(p.hashes[i][:], nil); err != nil {
			return err
		}
		sc.n++
		for len(sc.earlier) > 0 && sc.earlier[0].size <= sc.n {
			if sc.earlier[0].size == sc.n {
				if err := checkRoot(sc.rng, sc.n, sc.earlier[0].root); err != nil {
					return err
				}
			}
			sc.earlier = sc.earlier[1:]
		}
		if i == p.errAt {
			return p.err
		}
		sc.rc.fold(&p.ops[i])
	}
	sc.rc.head = p.evs[len(p.evs)-1].Position
	if sc.o.Progress != nil {
		sc.o.Progress(sc.n, sc.size)
	}
	return nil
}

func checkRoot(rng *compact.Range, n int64, want merkle.Hash) error {
	got, err := rangeRoot(rng)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: the root of the first %d events is %x, the earlier signed checkpoint of size %d says %x (the log changed before leaf %d)",
			ErrMismatch, n, got, n, want, n)
	}
	return nil
}

func rangeRoot(rng *compact.Range) (merkle.Hash, error) {
	var h merkle.Hash
	if rng.End() == 0 {
		copy(h[:], rfc6962.DefaultHasher.EmptyRoot())
		return h, nil
	}
	r, err := rng.GetRootHash(nil)
	if err != nil {
		return h, err
	}
	copy(h[:], r)
	return h, nil
}
