package merkle

import (
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"
)

// Leaf is a decoded leaf: the fields of the recorded event it commits to.
type Leaf struct {
	Stream      string
	Revision    uint64
	ID          uuid.UUID
	Type        string
	ContentType string
	Data        []byte
	Metadata    []byte
}

// ParseLeaf decodes a leaf of encoding version 1. It rejects anything that
// AppendLeaf could not have produced (wrong prefix, truncated field,
// trailing bytes), with ErrLeaf.
func ParseLeaf(b []byte) (Leaf, error) {
	var l Leaf
	if len(b) < len(LeafPrefix) || string(b[:len(LeafPrefix)]) != LeafPrefix {
		return l, fmt.Errorf("%w: missing prefix %q", ErrLeaf, LeafPrefix)
	}
	r := leafReader{b: b[len(LeafPrefix):], off: len(LeafPrefix)}
	stream := r.bytes("stream")
	l.Revision = r.uint64("revision")
	copy(l.ID[:], r.fixed("id", 16))
	typ := r.bytes("type")
	ct := r.bytes("content type")
	l.Data = r.bytes("data")
	l.Metadata = r.bytes("metadata")
	if r.err != nil {
		return Leaf{}, r.err
	}
	if len(r.b) != 0 {
		return Leaf{}, fmt.Errorf("%w: %d trailing bytes at offset %d", ErrLeaf, len(r.b), r.off)
	}
	l.Stream, l.Type, l.ContentType = string(stream), string(typ), string(ct)
	return l, nil
}

type leafReader struct {
	b   []byte
	off int
	err error
}

func (r *leafReader) fixed(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.err = fmt.Errorf("%w: %s truncated at offset %d", ErrLeaf, field, r.off)
		return nil
	}
	v := r.b[:n:n]
	r.b, r.off = r.b[n:], r.off+n
	return v
}

func (r *leafReader) uint64(field string) uint64 {
	v := r.fixed(field, 8)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (r *leafReader) bytes(field string) []byte {
	n := r.fixed(field+" length", 4)
	if n == nil {
		return nil
	}
	return r.fixed(field, int(binary.BigEndian.Uint32(n)))
}
