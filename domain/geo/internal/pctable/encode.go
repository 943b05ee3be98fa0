package pctable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
)

// Entry is one postcode and the constituency code it maps to.
type Entry struct {
	Postcode string // normalised: upper case, no spaces
	Code     string // ONS constituency code
}

// A packed entry is one uint64: sector key (25 bits) << 19 | unit (9 bits)
// << 10 | code index (10 bits). Sorting packed entries sorts by (sector,
// unit), the table order, without closures.
const (
	unitBits  = 9
	orderBits = unitBits + codeBits
)

func pack(sector uint32, unit int, code uint32) uint64 {
	return uint64(sector)<<orderBits | uint64(unit)<<codeBits | uint64(code)
}

// builder accumulates entries before encoding.
type builder struct {
	codeIndex map[string]uint32 // code → provisional index (first seen)
	codes     []string          // provisional order
	packed    []uint64
}

func newBuilder(capacity int) *builder {
	return &builder{codeIndex: map[string]uint32{}, packed: make([]uint64, 0, capacity)}
}

// add appends one entry.
func (b *builder) add(pc, code []byte) error {
	sector, unit, ok := Key(pc)
	if !ok {
		return fmt.Errorf("%w: postcode %q cannot be encoded", ErrInvalidInput, pc)
	}
	idx, ok := b.codeIndex[string(code)]
	if !ok {
		if len(code) == 0 || len(code) > maxCodeLen {
			return fmt.Errorf("%w: code %q for postcode %q must be 1 to %d bytes", ErrInvalidInput, code, pc, maxCodeLen)
		}
		if len(b.codes) == maxCodes {
			return fmt.Errorf("%w: more than %d distinct codes", ErrInvalidInput, maxCodes)
		}
		idx = uint32(len(b.codes))
		b.codes = append(b.codes, string(code))
		b.codeIndex[string(code)] = idx
	}
	if len(b.packed) == maxPostcodes {
		return fmt.Errorf("%w: more than %d postcodes", ErrInvalidInput, maxPostcodes)
	}
	b.packed = append(b.packed, pack(sector, unit, idx))
	return nil
}

// sortUnique sorts the entries into table order and rejects duplicates.
func (b *builder) sortUnique() error {
	slices.Sort(b.packed)
	for i := 1; i < len(b.packed); i++ {
		if b.packed[i]>>codeBits == b.packed[i-1]>>codeBits {
			k := b.packed[i] >> codeBits
			return fmt.Errorf("%w: duplicate postcode %q", ErrInvalidInput,
				PostcodeOf(uint32(k>>unitBits), int(k&(1<<unitBits-1))))
		}
	}
	return nil
}

// contains reports whether a postcode is already held (after sortUnique).
func (b *builder) contains(pc []byte) bool {
	sector, unit, ok := Key(pc)
	if !ok {
		return false
	}
	want := pack(sector, unit, 0) >> codeBits
	i, _ := slices.BinarySearchFunc(b.packed, want, func(e, w uint64) int {
		return cmpUint64(e>>codeBits, w)
	})
	return i < len(b.packed) && b.packed[i]>>codeBits == want
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encode sorts, renumbers codes into sorted order and writes the file.
func (b *builder) encode() ([]byte, error) {
	sorted := slices.Clone(b.codes)
	slices.Sort(sorted)
	final := make([]uint64, len(b.codes))
	for i, c := range sorted {
		final[b.codeIndex[c]] = uint64(i)
	}
	for i, p := range b.packed {
		b.packed[i] = p&^(maxCodes-1) | final[p&(maxCodes-1)]
	}
	if err := b.sortUnique(); err != nil {
		return nil, err
	}
	return assemble(sorted, b.packed), nil
}

// Encode builds the table for entries. Every postcode must be accepted by
// Key and appear once. The output depends only on the set of entries, not
// their order, so the same data always gives the same bytes.
func Encode(entries []Entry) ([]byte, error) {
	b := newBuilder(len(entries))
	for _, e := range entries {
		if err := b.add([]byte(e.Postcode), []byte(e.Code)); err != nil {
			return nil, err
		}
	}
	return b.encode()
}

// assemble writes the file from sorted, distinct packed entries.
func assemble(codes []string, packed []uint64) []byte {
	var sectors []uint32
	var bitmaps [][wordsPerUnit]uint64
	var runs []uint32
	for i, p := range packed {
		sector, unit, code := uint32(p>>orderBits), int(p>>codeBits&(1<<unitBits-1)), uint32(p&(maxCodes-1))
		if len(sectors) == 0 || sectors[len(sectors)-1] != sector {
			sectors = append(sectors, sector)
			bitmaps = append(bitmaps, [wordsPerUnit]uint64{})
		}
		bitmaps[len(bitmaps)-1][unit/64] |= 1 << (unit % 64)
		if i == 0 || uint32(packed[i-1]&(maxCodes-1)) != code {
			runs = append(runs, uint32(i)<<codeBits|code)
		}
	}
	le := binary.LittleEndian
	b := make([]byte, 0, headerSize+len(codes)*10+len(sectors)*(8+bitmapSize)+len(runs)*4+trailerSize)
	b = append(b, Magic...)
	b = le.AppendUint16(b, Version)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, uint32(len(codes)))
	b = le.AppendUint32(b, uint32(len(sectors)))
	b = le.AppendUint32(b, uint32(len(packed)))
	b = le.AppendUint32(b, uint32(len(runs)))
	for _, c := range codes {
		b = append(b, byte(len(c)))
		b = append(b, c...)
	}
	for _, s := range sectors {
		b = le.AppendUint32(b, s)
	}
	var rank uint32
	for _, bm := range bitmaps {
		b = le.AppendUint32(b, rank)
		for _, w := range bm {
			rank += uint32(bits.OnesCount64(w))
		}
	}
	for _, bm := range bitmaps {
		for _, w := range bm {
			b = le.AppendUint64(b, w)
		}
	}
	for _, r := range runs {
		b = le.AppendUint32(b, r)
	}
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli))
}
