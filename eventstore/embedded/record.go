package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Record frame layout (little endian, every frame a multiple of 8 bytes):
//
//	off  size  field
//	0    4     frame size in bytes, header and trailer included
//	4    4     CRC-32C (Castagnoli) of bytes [8, size)
//	8    1     kind: 1 = event
//	9    1     flags: bit 0 = last record of its transaction, bit 1 = tombstone
//	10   2     stream name length
//	12   2     event type length
//	14   1     content type: 0 = application/json, 1 = application/octet-stream
//	15   1     reserved, zero
//	16   8     revision (math.MaxInt64 for a tombstone)
//	24   8     created, .NET ticks (100 ns since 0001-01-01 UTC)
//	32   16    event ID (UUID bytes)
//	48   4     data length
//	52   4     metadata length
//	56   ...   stream name, event type, data, metadata
//	...        zero padding to a multiple of 8
//	size-4 4   frame size again (trailer, for backwards reads)
const (
	recHeaderSize  = 56
	recTrailerSize = 4
	recMinSize     = 64
	recAlign       = 8
	// maxRecordSize bounds one frame; larger events are ErrAppendTooLarge.
	maxRecordSize = 16 << 20

	kindEvent = 1

	flagTxnEnd    = 1 << 0
	flagTombstone = 1 << 1

	ctJSON   = 0
	ctBinary = 1
)

// ticksAtUnixEpoch is 1970-01-01T00:00:00Z in .NET ticks.
const ticksAtUnixEpoch = 621355968000000000

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Decoder errors. errTorn means the bytes end before the frame does or the
// frame is all zeros; errBadRecord means the bytes are there but wrong.
var (
	errTorn      = errors.New("embedded: incomplete record")
	errBadRecord = errors.New("embedded: bad record")
)

// record is a decoded frame. Its byte slices alias the decoded buffer.
type record struct {
	size     uint32
	flags    uint8
	ctype    uint8
	revision uint64
	ticks    int64
	id       uuid.UUID
	stream   []byte
	typ      []byte
	data     []byte
	meta     []byte
	body     []byte // stream, type, data and metadata, contiguous
}

func (r *record) txnEnd() bool { return r.flags&flagTxnEnd != 0 }

// frameSize returns the size of the frame that would hold these fields.
func frameSize(stream, typ string, data, meta int) int {
	n := recHeaderSize + len(stream) + len(typ) + data + meta + recTrailerSize
	return (n + recAlign - 1) &^ (recAlign - 1)
}

// appendRecord encodes a frame at the end of buf.
func appendRecord(buf []byte, flags uint8, stream, typ string, ctype uint8, rev uint64, ticks int64, id uuid.UUID, data, meta []byte) []byte {
	size := frameSize(stream, typ, len(data), len(meta))
	start := len(buf)
	buf = append(buf, make([]byte, size)...)
	b := buf[start:]
	binary.LittleEndian.PutUint32(b[0:], uint32(size))
	b[8] = kindEvent
	b[9] = flags
	binary.LittleEndian.PutUint16(b[10:], uint16(len(stream)))
	binary.LittleEndian.PutUint16(b[12:], uint16(len(typ)))
	b[14] = ctype
	binary.LittleEndian.PutUint64(b[16:], rev)
	binary.LittleEndian.PutUint64(b[24:], uint64(ticks))
	copy(b[32:48], id[:])
	binary.LittleEndian.PutUint32(b[48:], uint32(len(data)))
	binary.LittleEndian.PutUint32(b[52:], uint32(len(meta)))
	o := recHeaderSize
	o += copy(b[o:], stream)
	o += copy(b[o:], typ)
	o += copy(b[o:], data)
	copy(b[o:], meta)
	binary.LittleEndian.PutUint32(b[size-4:], uint32(size))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:size], castagnoli))
	return buf
}

// peekSize returns the frame size announced at the start of b, or an error
// when b is too short to tell (errTorn) or the size is impossible.
func peekSize(b []byte) (uint32, error) {
	if len(b) < 8 {
		return 0, errTorn
	}
	size := binary.LittleEndian.Uint32(b)
	if size == 0 && binary.LittleEndian.Uint32(b[4:]) == 0 {
		return 0, errTorn // zeroed: a write that never reached the disk
	}
	if size < recMinSize || size%recAlign != 0 || size > maxRecordSize {
		return 0, fmt.Errorf("%w: impossible frame size %d", errBadRecord, size)
	}
	return size, nil
}

// decodeRecord decodes the frame at the start of b. It checks the size,
// the trailer, the CRC and every length. The result aliases b.
func decodeRecord(b []byte) (record, error) {
	size, err := peekSize(b)
	if err != nil {
		return record{}, err
	}
	if uint32(len(b)) < size {
		return record{}, errTorn
	}
	f := b[:size]
	if binary.LittleEndian.Uint32(f[size-4:]) != size {
		return record{}, fmt.Errorf("%w: trailer size mismatch", errBadRecord)
	}
	if crc32.Checksum(f[8:], castagnoli) != binary.LittleEndian.Uint32(f[4:]) {
		return record{}, fmt.Errorf("%w: CRC mismatch", errBadRecord)
	}
	if f[8] != kindEvent || f[15] != 0 || f[14] > ctBinary || f[9]&^(flagTxnEnd|flagTombstone) != 0 {
		return record{}, fmt.Errorf("%w: unknown kind, flags or content type", errBadRecord)
	}
	sl := int(binary.LittleEndian.Uint16(f[10:]))
	tl := int(binary.LittleEndian.Uint16(f[12:]))
	dl := int(binary.LittleEndian.Uint32(f[48:]))
	ml := int(binary.LittleEndian.Uint32(f[52:]))
	if sl == 0 || tl == 0 || frameSize("", "", sl+tl+dl, ml) != int(size) {
		return record{}, fmt.Errorf("%w: field lengths do not fill the frame", errBadRecord)
	}
	r := record{
		size:     size,
		flags:    f[9],
		ctype:    f[14],
		revision: binary.LittleEndian.Uint64(f[16:]),
		ticks:    int64(binary.LittleEndian.Uint64(f[24:])),
	}
	copy(r.id[:], f[32:48])
	o := recHeaderSize
	r.body = f[o : o+sl+tl+dl+ml]
	r.stream = f[o : o+sl : o+sl]
	o += sl
	r.typ = f[o : o+tl : o+tl]
	o += tl
	r.data = f[o : o+dl : o+dl]
	o += dl
	r.meta = f[o : o+ml : o+ml]
	return r, nil
}

// toRecorded copies r into a RecordedEvent at position pos. The strings and
// byte slices share one fresh allocation (never the read buffer); each
// slice is capped so that appending to it cannot reach its neighbour.
func (r *record) toRecorded(pos uint64) eventstore.RecordedEvent {
	return r.toRecordedIn(pos, nil)
}

// toRecordedIn is toRecorded with the copy carved out of a (nil: its own
// allocation).
func (r *record) toRecordedIn(pos uint64, a *arena) eventstore.RecordedEvent {
	var buf []byte
	if a != nil {
		buf = a.alloc(len(r.body))
		copy(buf, r.body)
	} else {
		buf = append([]byte(nil), r.body...) // append does not zero first
	}
	sl, tl, dl := len(r.stream), len(r.typ), len(r.data)
	ev := eventstore.RecordedEvent{
		Stream:      unsafe.String(&buf[0], sl),
		Revision:    r.revision,
		Position:    eventstore.Position{Commit: pos, Prepare: pos},
		ID:          r.id,
		Type:        unsafe.String(&buf[sl], tl),
		ContentType: contentTypeName(r.ctype),
		Created:     ticksToTime(r.ticks),
	}
	o := sl + tl
	if dl > 0 {
		ev.Data = buf[o : o+dl : o+dl]
	}
	if ml := len(r.meta); ml > 0 {
		ev.Metadata = buf[o+dl : o+dl+ml : o+dl+ml]
	}
	return ev
}

func contentTypeName(c uint8) string {
	if c == ctBinary {
		return eventstore.ContentTypeBinary
	}
	return eventstore.ContentTypeJSON
}

func contentTypeCode(ct string) (uint8, bool) {
	switch ct {
	case "", eventstore.ContentTypeJSON:
		return ctJSON, true
	case eventstore.ContentTypeBinary:
		return ctBinary, true
	}
	return 0, false
}

// timeToTicks converts t to .NET ticks, truncating to 100 ns.
func timeToTicks(t time.Time) int64 {
	return t.UnixNano()/100 + ticksAtUnixEpoch
}

// ticksToTime converts .NET ticks to a UTC time.
func ticksToTime(ticks int64) time.Time {
	return time.Unix(0, (ticks-ticksAtUnixEpoch)*100).UTC()
}

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// arena hands out pieces of larger allocations, so that a read of many
// events makes a few allocations instead of one per event. A piece keeps
// its whole block alive; blocks are small enough for that not to matter.
type arena struct {
	block []byte
	next  int // size of the next block: starts small, doubles up to arenaBlock
}

// Blocks start at arenaFirstBlock and double up to arenaBlock, so a read
// of a few events (a live subscription's usual fill) allocates a few KiB,
// not a whole 256 KiB block, while a long read still shares large blocks.
const (
	arenaFirstBlock = 4 << 10
	arenaBlock      = 256 << 10
)

func (a *arena) alloc(n int) []byte {
	if n > arenaBlock/4 {
		return make([]byte, n)
	}
	if n > len(a.block) {
		size := max(a.next, arenaFirstBlock)
		for size < n {
			size *= 2
		}
		a.block = make([]byte, size)
		a.next = min(size*2, arenaBlock)
	}
	b := a.block[:n:n]
	a.block = a.block[n:]
	return b
}
