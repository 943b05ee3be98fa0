package pctable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
	"sort"
)

// Entry is one postcode and the constituency code it maps to.
type Entry struct {
	Postcode string // normalised: upper case, no spaces
	Code     string // ONS constituency code
}

type keyed struct {
	sector uint32
	unit   int
	code   uint32
}

// Encode builds the table for entries. Every postcode must be accepted by
// Key and appear once. The output depends only on the set of entries, not
// their order, so the same data always gives the same bytes.
func Encode(entries []Entry) ([]byte, error) {
	codes, index, err := codeIndex(entries)
	if err != nil {
		return nil, err
	}
	if len(entries) > maxPostcodes {
		return nil, fmt.Errorf("%w: %d postcodes, at most %d", ErrInvalidInput, len(entries), maxPostcodes)
	}
	ks := make([]keyed, len(entries))
	for i, e := range entries {
		s, u, ok := Key(e.Postcode)
		if !ok {
			return nil, fmt.Errorf("%w: postcode %q cannot be encoded", ErrInvalidInput, e.Postcode)
		}
		ks[i] = keyed{sector: s, unit: u, code: index[e.Code]}
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].sector != ks[j].sector {
			return ks[i].sector < ks[j].sector
		}
		return ks[i].unit < ks[j].unit
	})
	for i := 1; i < len(ks); i++ {
		if ks[i].sector == ks[i-1].sector && ks[i].unit == ks[i-1].unit {
			return nil, fmt.Errorf("%w: duplicate postcode %q", ErrInvalidInput, PostcodeOf(ks[i].sector, ks[i].unit))
		}
	}
	return assemble(codes, ks), nil
}

// codeIndex returns the sorted distinct codes and each code's index.
func codeIndex(entries []Entry) ([]string, map[string]uint32, error) {
	set := make(map[string]bool)
	for _, e := range entries {
		if e.Code == "" || len(e.Code) > maxCodeLen {
			return nil, nil, fmt.Errorf("%w: code %q for postcode %q must be 1 to %d bytes", ErrInvalidInput, e.Code, e.Postcode, maxCodeLen)
		}
		set[e.Code] = true
	}
	if len(set) > maxCodes {
		return nil, nil, fmt.Errorf("%w: %d distinct codes, at most %d", ErrInvalidInput, len(set), maxCodes)
	}
	codes := make([]string, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	index := make(map[string]uint32, len(codes))
	for i, c := range codes {
		index[c] = uint32(i)
	}
	return codes, index, nil
}

// assemble writes the file from sorted, distinct keyed entries.
func assemble(codes []string, ks []keyed) []byte {
	var sectors []uint32
	var bitmaps [][wordsPerUnit]uint64
	var runs []uint32
	for i, k := range ks {
		if len(sectors) == 0 || sectors[len(sectors)-1] != k.sector {
			sectors = append(sectors, k.sector)
			bitmaps = append(bitmaps, [wordsPerUnit]uint64{})
		}
		bitmaps[len(bitmaps)-1][k.unit/64] |= 1 << (k.unit % 64)
		if i == 0 || ks[i-1].code != k.code {
			runs = append(runs, uint32(i)<<codeBits|k.code)
		}
	}
	le := binary.LittleEndian
	b := make([]byte, 0, headerSize+len(ks)/2)
	b = append(b, Magic...)
	b = le.AppendUint16(b, Version)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, uint32(len(codes)))
	b = le.AppendUint32(b, uint32(len(sectors)))
	b = le.AppendUint32(b, uint32(len(ks)))
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
