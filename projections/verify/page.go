package verify

import (
	"fmt"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

// pagePool recycles the per-page buffers (server hashes, ops). The leaf
// hashes are not recycled: the compact range keeps slices of them.
var pagePool sync.Pool

func newPage(first int64, evs []eventstore.RecordedEvent) *page {
	p, _ := pagePool.Get().(*page)
	if p == nil {
		p = &page{}
	}
	*p = page{first: first, evs: evs, server: p.server[:0], ops: p.ops[:0]}
	return p
}

// releasePage returns p's buffers to the pool; p must not be used again.
func releasePage(p *page) {
	if p.evs == nil {
		return
	}
	clear(p.ops) // drop the strings pointing into the events' data
	*p = page{server: p.server, ops: p.ops}
	pagePool.Put(p)
}

// worker prepares pages; its buffer is reused for every leaf it hashes.
type worker struct {
	buf []byte
}

// prepare computes everything about p that does not depend on the rest of
// the log: leaf hashes, the server's leaf hashes, and every event read for
// the recount, stopping at the first event that cannot be read.
func (w *worker) prepare(o Options, p *page) {
	n := len(p.evs)
	p.serverAt, p.errAt = n, n
	if n == 0 {
		return
	}
	p.hashes = make([]merkle.Hash, n)
	for i := range p.evs {
		p.hashes[i], w.buf = merkle.HashEvent(w.buf, &p.evs[i])
	}
	if o.LeafHashes != nil || o.LeafHash != nil {
		p.server = grow(p.server, n)
		p.serverAt, p.serverErr = fetchServerHashes(o, p.first, p.server)
	} else {
		p.server = nil
	}
	p.ops = grow(p.ops, n)
	for i := range p.evs {
		leaf := p.first + int64(i)
		if err := prepareEvent(&p.evs[i], leaf, &p.ops[i]); err != nil {
			p.errAt, p.err = i, fmt.Errorf("leaf %d: %w", leaf, err)
			return
		}
	}
}

// fetchServerHashes fills out with the server's hashes of leaves first,
// first+1, ...; on failure it returns the index of the first leaf it could
// not read and the error (len(out) and nil when all were read). A failed
// batch read is retried leaf by leaf, when it can be, to name that leaf.
func fetchServerHashes(o Options, first int64, out []merkle.Hash) (int, error) {
	if o.LeafHashes != nil {
		err := o.LeafHashes(first, out)
		if err == nil {
			return len(out), nil
		}
		if o.LeafHash == nil {
			return 0, fmt.Errorf("server tree, leaves %d to %d: %w", first, first+int64(len(out))-1, err)
		}
	}
	for i := range out {
		h, err := o.LeafHash(first + int64(i))
		if err != nil {
			return i, fmt.Errorf("server tree, leaf %d: %w", first+int64(i), err)
		}
		out[i] = h
	}
	return len(out), nil
}

// grow returns s with length n, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
