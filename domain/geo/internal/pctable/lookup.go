package pctable

import (
	"encoding/binary"
	"math/bits"
)

// maxSectorKey bounds sector keys: 37⁴ outward values × 10 sector digits.
const maxSectorKey = 37 * 37 * 37 * 37 * 10

// Lookup returns the code of a normalised postcode, or ok false when the
// table does not hold it.
func (t *Table) Lookup(pc string) (code string, ok bool) { return lookup(t, pc) }

// LookupBytes is Lookup for a postcode held in a byte slice.
func (t *Table) LookupBytes(pc []byte) (code string, ok bool) { return lookup(t, pc) }

func lookup[S string | []byte](t *Table, pc S) (code string, ok bool) {
	sector, unit, ok := Key(pc)
	if !ok {
		return "", false
	}
	ordinal, ok := t.ordinal(sector, unit)
	if !ok {
		return "", false
	}
	return t.codes[t.runCode(ordinal)], true
}

// ordinal finds the position of (sector, unit) in table order.
func (t *Table) ordinal(sector uint32, unit int) (uint32, bool) {
	le := binary.LittleEndian
	lo, hi := 0, len(t.sectors)/4
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if le.Uint32(t.sectors[mid*4:]) < sector {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(t.sectors)/4 || le.Uint32(t.sectors[lo*4:]) != sector {
		return 0, false
	}
	bm := t.bitmaps[lo*bitmapSize : (lo+1)*bitmapSize]
	w := unit / 64
	word := le.Uint64(bm[w*8:])
	bit := uint64(1) << (unit % 64)
	if word&bit == 0 {
		return 0, false
	}
	rank := le.Uint32(t.ranks[lo*4:]) + uint32(bits.OnesCount64(word&(bit-1)))
	for i := 0; i < w; i++ {
		rank += uint32(bits.OnesCount64(le.Uint64(bm[i*8:])))
	}
	return rank, true
}

// runCode returns the code index of the run holding ordinal.
func (t *Table) runCode(ordinal uint32) uint32 {
	le := binary.LittleEndian
	// Find the first run starting after ordinal; the one before holds it.
	lo, hi := 0, len(t.runs)/4
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if le.Uint32(t.runs[mid*4:])>>codeBits <= ordinal {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return le.Uint32(t.runs[(lo-1)*4:]) & (maxCodes - 1)
}

// Codes returns the distinct codes the table holds, sorted.
func (t *Table) Codes() []string { return append([]string(nil), t.codes...) }

// Len returns the number of postcodes in the table.
func (t *Table) Len() int { return t.postcodes }

// Sectors returns the number of postcode sectors in the table.
func (t *Table) Sectors() int { return len(t.sectors) / 4 }

// Runs returns the number of runs of consecutive postcodes with one code.
func (t *Table) Runs() int { return len(t.runs) / 4 }

// Each calls fn for every postcode in table order, until fn returns false.
func (t *Table) Each(fn func(postcode, code string) bool) {
	le := binary.LittleEndian
	var ordinal uint32
	for s := 0; s < len(t.sectors)/4; s++ {
		key := le.Uint32(t.sectors[s*4:])
		for u := 0; u < UnitsPerSector; u++ {
			if le.Uint64(t.bitmaps[s*bitmapSize+u/64*8:])&(1<<(u%64)) == 0 {
				continue
			}
			if !fn(PostcodeOf(key, u), t.codes[t.runCode(ordinal)]) {
				return
			}
			ordinal++
		}
	}
}

// PostcodeAt returns the postcode with this ordinal (0 ≤ ordinal < Len) in
// table order, or ok false when out of range.
func (t *Table) PostcodeAt(ordinal int) (string, bool) {
	if ordinal < 0 || ordinal >= t.postcodes {
		return "", false
	}
	le := binary.LittleEndian
	// The sector holding it is the last one whose rank is ≤ ordinal.
	lo, hi := 0, len(t.ranks)/4
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int(le.Uint32(t.ranks[mid*4:])) <= ordinal {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	s := lo - 1
	left := ordinal - int(le.Uint32(t.ranks[s*4:]))
	for w := 0; w < wordsPerUnit; w++ {
		word := le.Uint64(t.bitmaps[s*bitmapSize+w*8:])
		if n := bits.OnesCount64(word); left >= n {
			left -= n
			continue
		}
		for ; left > 0; left-- {
			word &= word - 1 // drop the lowest set bit
		}
		return PostcodeOf(le.Uint32(t.sectors[s*4:]), w*64+bits.TrailingZeros64(word)), true
	}
	return "", false // unreachable on a decoded table
}

// Span is a run of consecutive ordinals [Start, Start+Len) with one code.
type Span struct{ Start, Len int }

// SpansByCode returns, for each code (by its index in Codes), the runs of
// ordinals that map to it, in table order.
func (t *Table) SpansByCode() [][]Span {
	le := binary.LittleEndian
	out := make([][]Span, len(t.codes))
	n := len(t.runs) / 4
	for i := 0; i < n; i++ {
		r := le.Uint32(t.runs[i*4:])
		end := t.postcodes
		if i+1 < n {
			end = int(le.Uint32(t.runs[i*4+4:]) >> codeBits)
		}
		start := int(r >> codeBits)
		out[r&(maxCodes-1)] = append(out[r&(maxCodes-1)], Span{Start: start, Len: end - start})
	}
	return out
}
