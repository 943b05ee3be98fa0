// Package eventhash computes the audit hash of a recorded event: SHA-256 of a
// canonical, length-prefixed binary encoding of every field the store
// recorded.
//
// The encoding (version 1), all integers big-endian:
//
//	domain     "petitionledger/event/v1" followed by one 0x00 byte
//	commit     uint64   $all position, commit part
//	prepare    uint64   $all position, prepare part
//	stream     uint32 length ‖ UTF-8 bytes
//	revision   uint64
//	id         16 bytes (the event UUID, RFC 4122 byte order)
//	type       uint32 length ‖ bytes
//	ctype      uint32 length ‖ bytes (the content type as recorded; empty stays empty)
//	created    int64    Unix nanoseconds, UTC
//	data       uint32 length ‖ bytes
//	metadata   uint32 length ‖ bytes
//
// Every variable-length field is length-prefixed, so two different events
// can never share an encoding. The domain-separation prefix keeps this hash
// apart from the Merkle leaf hash of the verifiable log (RFC 6962 leaves are
// SHA-256(0x00 ‖ leaf bytes)); the verifiable-ledger work defines its own
// leaf encoding and must not assume it equals this one.
package eventhash

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Size is the length of an event hash in bytes.
const Size = sha256.Size

// Prefix is the domain-separation prefix of encoding version 1.
const Prefix = "petitionledger/event/v1\x00"

// Hash is the SHA-256 of the canonical encoding of one recorded event.
type Hash [Size]byte

// Of returns the hash of ev.
func Of(ev *eventstore.RecordedEvent) Hash {
	var h Hasher
	return h.Sum(ev)
}

// Hasher hashes events reusing one SHA-256 state and scratch buffer. The
// zero value is ready; it is not safe for concurrent use.
type Hasher struct {
	h   hash.Hash
	buf []byte
}

// Sum returns the hash of ev. It streams the event's data into the hash
// rather than copying it.
func (x *Hasher) Sum(ev *eventstore.RecordedEvent) Hash {
	if x.h == nil {
		x.h = sha256.New()
	}
	x.h.Reset()
	b := appendHeader(x.buf[:0], ev)
	b = binary.BigEndian.AppendUint32(b, uint32(len(ev.Data)))
	x.h.Write(b)
	x.h.Write(ev.Data)
	b = binary.BigEndian.AppendUint32(b[:0], uint32(len(ev.Metadata)))
	x.h.Write(b)
	x.h.Write(ev.Metadata)
	x.buf = b
	var out Hash
	x.h.Sum(out[:0])
	return out
}

// AppendEncoding appends the canonical encoding of ev to dst.
func AppendEncoding(dst []byte, ev *eventstore.RecordedEvent) []byte {
	dst = appendHeader(dst, ev)
	dst = appendBytes(dst, ev.Data)
	return appendBytes(dst, ev.Metadata)
}

// appendHeader appends every field of the encoding before data.
func appendHeader(dst []byte, ev *eventstore.RecordedEvent) []byte {
	dst = append(dst, Prefix...)
	dst = binary.BigEndian.AppendUint64(dst, ev.Position.Commit)
	dst = binary.BigEndian.AppendUint64(dst, ev.Position.Prepare)
	dst = appendBytes(dst, []byte(ev.Stream))
	dst = binary.BigEndian.AppendUint64(dst, ev.Revision)
	dst = append(dst, ev.ID[:]...)
	dst = appendBytes(dst, []byte(ev.Type))
	dst = appendBytes(dst, []byte(ev.ContentType))
	return binary.BigEndian.AppendUint64(dst, uint64(ev.Created.UnixNano()))
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}
