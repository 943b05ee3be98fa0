package pctable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
)

// Table is a decoded postcode table. It reads the bytes it was decoded from
// in place (no copy), so its heap cost is the list of codes only. A Table is
// immutable and safe for concurrent use.
type Table struct {
	codes     []string
	postcodes int
	sectors   []byte // n × uint32 sector keys, strictly ascending
	ranks     []byte // n × uint32 ordinal of each sector's first postcode
	bitmaps   []byte // n × 7 × uint64 unit bitmaps
	runs      []byte // m × uint32 start<<10 | code index
}

// Decode checks b and returns a Table reading it in place; b must not be
// modified afterwards. Every structural invariant is verified, so lookups
// on a decoded Table never fail or panic.
func Decode(b []byte) (*Table, error) {
	if len(b) < headerSize+trailerSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than header and trailer", ErrCorrupt, len(b))
	}
	if string(b[:4]) != Magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, b[:4])
	}
	le := binary.LittleEndian
	if v := le.Uint16(b[4:]); v != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrVersion, v, Version)
	}
	body := b[:len(b)-trailerSize]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(b[len(body):]); got != want {
		return nil, fmt.Errorf("%w: CRC-32C %08x, trailer says %08x", ErrCorrupt, got, want)
	}
	if r := le.Uint16(b[6:]); r != 0 {
		return nil, fmt.Errorf("%w: reserved field %d, want 0", ErrCorrupt, r)
	}
	nCodes, nSectors := le.Uint32(b[8:]), le.Uint32(b[12:])
	nPostcodes, nRuns := le.Uint32(b[16:]), le.Uint32(b[20:])
	t := &Table{postcodes: int(nPostcodes)}
	rest, err := t.readCodes(body[headerSize:], nCodes)
	if err != nil {
		return nil, err
	}
	need := uint64(nSectors)*(4+4+bitmapSize) + uint64(nRuns)*4
	if uint64(len(rest)) != need {
		return nil, fmt.Errorf("%w: %d bytes after codes, %d sectors and %d runs need %d", ErrCorrupt, len(rest), nSectors, nRuns, need)
	}
	t.sectors, rest = rest[:nSectors*4], rest[nSectors*4:]
	t.ranks, rest = rest[:nSectors*4], rest[nSectors*4:]
	t.bitmaps, t.runs = rest[:nSectors*bitmapSize], rest[nSectors*bitmapSize:]
	if err := t.checkSectors(); err != nil {
		return nil, err
	}
	if err := t.checkRuns(); err != nil {
		return nil, err
	}
	return t, nil
}

// readCodes reads n length-prefixed codes, strictly ascending.
func (t *Table) readCodes(b []byte, n uint32) ([]byte, error) {
	if n == 0 || n > maxCodes {
		return nil, fmt.Errorf("%w: %d codes, want 1 to %d", ErrCorrupt, n, maxCodes)
	}
	t.codes = make([]string, 0, n)
	for i := uint32(0); i < n; i++ {
		if len(b) < 1 || int(b[0]) == 0 || int(b[0]) > maxCodeLen || len(b) < 1+int(b[0]) {
			return nil, fmt.Errorf("%w: code %d truncated or of bad length", ErrCorrupt, i)
		}
		c := string(b[1 : 1+b[0]])
		if i > 0 && c <= t.codes[i-1] {
			return nil, fmt.Errorf("%w: code %d %q not after %q", ErrCorrupt, i, c, t.codes[i-1])
		}
		t.codes = append(t.codes, c)
		b = b[1+b[0]:]
	}
	return b, nil
}

// checkSectors verifies ascending keys, non-empty bitmaps with no bits past
// the last unit, and ranks that are the running popcount.
func (t *Table) checkSectors() error {
	le := binary.LittleEndian
	n := len(t.sectors) / 4
	var rank uint32
	for i := 0; i < n; i++ {
		key := le.Uint32(t.sectors[i*4:])
		if key >= maxSectorKey || (i > 0 && key <= le.Uint32(t.sectors[i*4-4:])) {
			return fmt.Errorf("%w: sector %d key %d out of order or range", ErrCorrupt, i, key)
		}
		if got := le.Uint32(t.ranks[i*4:]); got != rank {
			return fmt.Errorf("%w: sector %d rank %d, want %d", ErrCorrupt, i, got, rank)
		}
		count := 0
		for w := 0; w < wordsPerUnit; w++ {
			word := le.Uint64(t.bitmaps[i*bitmapSize+w*8:])
			if w == wordsPerUnit-1 && word>>(UnitsPerSector-64*(wordsPerUnit-1)) != 0 {
				return fmt.Errorf("%w: sector %d has bits past unit %d", ErrCorrupt, i, UnitsPerSector)
			}
			count += bits.OnesCount64(word)
		}
		if count == 0 {
			return fmt.Errorf("%w: sector %d is empty", ErrCorrupt, i)
		}
		rank += uint32(count)
	}
	if int(rank) != t.postcodes {
		return fmt.Errorf("%w: bitmaps hold %d postcodes, header says %d", ErrCorrupt, rank, t.postcodes)
	}
	return nil
}

// checkRuns verifies that runs start at 0, ascend strictly within the
// postcode count, name valid codes and never repeat the previous code.
func (t *Table) checkRuns() error {
	le := binary.LittleEndian
	n := len(t.runs) / 4
	if (n == 0) != (t.postcodes == 0) {
		return fmt.Errorf("%w: %d runs for %d postcodes", ErrCorrupt, n, t.postcodes)
	}
	for i := 0; i < n; i++ {
		r := le.Uint32(t.runs[i*4:])
		start, code := r>>codeBits, r&(maxCodes-1)
		if int(code) >= len(t.codes) {
			return fmt.Errorf("%w: run %d code index %d of %d", ErrCorrupt, i, code, len(t.codes))
		}
		if i == 0 && start != 0 {
			return fmt.Errorf("%w: first run starts at %d", ErrCorrupt, start)
		}
		if i > 0 {
			prev := le.Uint32(t.runs[i*4-4:])
			if start <= prev>>codeBits || int(start) >= t.postcodes || code == prev&(maxCodes-1) {
				return fmt.Errorf("%w: run %d (start %d, code %d) does not follow run %d", ErrCorrupt, i, start, code, i-1)
			}
		}
	}
	return nil
}
