package geo

import (
	"sort"
	"sync"

	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
)

// constituencyPostcodes indexes the postcodes of each constituency, built
// on first use (about 0.5 MB) so that plain lookups never pay for it.
type constituencyPostcodes struct {
	once  sync.Once
	spans map[string][]pctable.Span
	cum   map[string][]int // cum[code][i] = postcodes in spans before i
}

func (c *constituencyPostcodes) build(t *pctable.Table) {
	c.once.Do(func() {
		codes, spans := t.Codes(), t.SpansByCode()
		c.spans = make(map[string][]pctable.Span, len(codes))
		c.cum = make(map[string][]int, len(codes))
		for i, code := range codes {
			cum := make([]int, len(spans[i])+1)
			for j, s := range spans[i] {
				cum[j+1] = cum[j] + s.Len
			}
			c.spans[code], c.cum[code] = spans[i], cum
		}
	})
}

// PostcodeCount returns how many postcodes the table holds in constituency
// ons (0 for an unknown code).
func (d *Data) PostcodeCount(ons string) int {
	d.byConstituency.build(d.table)
	cum := d.byConstituency.cum[ons]
	if len(cum) == 0 {
		return 0
	}
	return cum[len(cum)-1]
}

// NthPostcode returns the n-th postcode (0 ≤ n < PostcodeCount(ons)) of
// constituency ons, in table order, normalised. It lets tests and the demo
// pick real postcodes of a constituency deterministically.
func (d *Data) NthPostcode(ons string, n int) (string, bool) {
	d.byConstituency.build(d.table)
	spans, cum := d.byConstituency.spans[ons], d.byConstituency.cum[ons]
	if n < 0 || len(cum) == 0 || n >= cum[len(cum)-1] {
		return "", false
	}
	i := sort.Search(len(spans), func(i int) bool { return cum[i+1] > n })
	return d.table.PostcodeAt(spans[i].Start + n - cum[i])
}
