package merkle

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/transparency-dev/merkle/rfc6962"
)

// LeafPrefix is the domain-separation prefix of leaf encoding version 1.
const LeafPrefix = "petitionledger/leaf/v1\x00"

// HashSize is the size of every hash of the tree (SHA-256).
const HashSize = 32

// Hash is a node of the tree: SHA-256.
type Hash [HashSize]byte

// AppendLeaf appends the canonical leaf encoding (version 1, see the package
// documentation) of ev to dst and returns the extended slice.
func AppendLeaf(dst []byte, ev *eventstore.RecordedEvent) []byte {
	dst = append(dst, LeafPrefix...)
	dst = appendBytes(dst, []byte(ev.Stream))
	dst = binary.BigEndian.AppendUint64(dst, ev.Revision)
	dst = append(dst, ev.ID[:]...)
	dst = appendBytes(dst, []byte(ev.Type))
	dst = appendBytes(dst, []byte(contentType(ev.ContentType)))
	dst = appendBytes(dst, ev.Data)
	dst = appendBytes(dst, ev.Metadata)
	return dst
}

// LeafBytes returns the canonical leaf encoding of ev.
func LeafBytes(ev *eventstore.RecordedEvent) []byte {
	n := len(LeafPrefix) + 4*5 + 8 + 16 + len(ev.Stream) + len(ev.Type) + len(ev.ContentType) + len(ev.Data) + len(ev.Metadata) + len(eventstore.ContentTypeJSON)
	return AppendLeaf(make([]byte, 0, n), ev)
}

// LeafHash returns the RFC 6962 leaf hash SHA-256(0x00 ‖ leaf bytes) of ev.
func LeafHash(ev *eventstore.RecordedEvent) Hash {
	return HashLeafBytes(LeafBytes(ev))
}

// HashEvent returns ev's leaf hash, SHA-256(0x00 ‖ leaf bytes), encoding
// the leaf into buf (reused across calls: pass back the returned buffer) so
// hashing an event allocates nothing once buf is large enough.
func HashEvent(buf []byte, ev *eventstore.RecordedEvent) (Hash, []byte) {
	buf = append(buf[:0], 0x00)
	buf = AppendLeaf(buf, ev)
	return sha256.Sum256(buf), buf
}

// HashLeafBytes returns SHA-256(0x00 ‖ leaf).
func HashLeafBytes(leaf []byte) Hash {
	var h Hash
	copy(h[:], rfc6962.DefaultHasher.HashLeaf(leaf))
	return h
}

// contentType normalises the recorded content type: an empty one is JSON,
// as eventstore.EventData documents, so both backends encode it alike.
func contentType(ct string) string {
	if ct == "" {
		return eventstore.ContentTypeJSON
	}
	return ct
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}
