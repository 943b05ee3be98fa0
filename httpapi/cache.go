package httpapi

import (
	"bytes"
	"compress/gzip"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
)

// renderCache keeps, per petition, the last rendered body of each kind and
// its gzip, keyed by the position of the petition's last change: while the
// petition does not change, reads cost a map lookup.
type renderCache struct {
	docs sync.Map // cacheKey → *rendered
}

type cacheKey struct {
	kind byte // 'p' petition document, 'c' count
	id   int64
}

type rendered struct {
	pos  eventstore.Position
	base string
	body []byte

	gzOnce sync.Once
	gz     []byte
}

func newRenderCache() *renderCache { return &renderCache{} }

// get returns the cached rendering of (kind, id) at pos, rendering and
// storing it when absent or stale.
func (c *renderCache) get(kind byte, id int64, pos eventstore.Position, base string, render func() ([]byte, error)) (*rendered, error) {
	k := cacheKey{kind, id}
	if v, ok := c.docs.Load(k); ok {
		if r := v.(*rendered); r.pos == pos && r.base == base {
			return r, nil
		}
	}
	body, err := render()
	if err != nil {
		return nil, err
	}
	r := &rendered{pos: pos, base: base, body: body}
	for {
		old, loaded := c.docs.LoadOrStore(k, r)
		if !loaded {
			return r, nil
		}
		o := old.(*rendered)
		if o.pos.Compare(pos) >= 0 { // someone stored the same or a newer one
			return r, nil
		}
		if c.docs.CompareAndSwap(k, old, r) {
			return r, nil
		}
	}
}

// gzipped returns the body gzipped, compressing once.
func (r *rendered) gzipped() []byte {
	r.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(r.body)
		_ = zw.Close()
		r.gz = b.Bytes()
	})
	return r.gz
}

// uncached renders without storing (historic and privileged reads).
func uncached(render func() ([]byte, error)) (*rendered, error) {
	body, err := render()
	if err != nil {
		return nil, err
	}
	return &rendered{body: body}, nil
}
