// Package merkle is the verifiable-ledger projection: an RFC 6962 / RFC 9162
// Merkle tree over every event of $all, in $all order, with signed
// checkpoints (C2SP tlog-checkpoint in the signed-note format), inclusion
// and consistency proofs, signer receipts and count certificates.
//
// # Leaf encoding (version 1)
//
// Leaf i of the tree commits to the i-th event of $all (every event: user,
// system, metadata and deleted streams' events alike). Its leaf bytes are,
// integers big-endian:
//
//	prefix     "petitionledger/leaf/v1" followed by one 0x00 byte
//	stream     uint32 length ‖ UTF-8 bytes
//	revision   uint64   the event's revision in its stream
//	id         16 bytes (the event UUID, RFC 4122 byte order)
//	type       uint32 length ‖ bytes
//	ctype      uint32 length ‖ bytes (content type; empty is written as
//	           "application/json", which is what empty means)
//	data       uint32 length ‖ bytes
//	metadata   uint32 length ‖ bytes
//
// and its leaf hash is SHA-256(0x00 ‖ leaf bytes); interior nodes are
// SHA-256(0x01 ‖ left ‖ right), the empty tree SHA-256(""). The $all position
// and the created time are left out on purpose: positions differ between the
// embedded and esdb backends, and the created time is the store's clock, not
// a fact of the ledger (every domain event carries its own time in data).
// The order of leaves is what binds an event to its place in the log.
// testdata/leaf-v1.hex pins the encoding (TestLeafGolden, UPDATE_GOLDEN=1).
// ParseLeaf is the inverse. The prefix keeps these bytes apart from
// projections/eventhash's audit hash.
//
// # Storage
//
// Tree keeps two append-only files in its directory: "hashes", every stored
// hash in golang.org/x/mod/sumdb/tlog's layout (StoredHashIndex(level, n):
// each leaf hash followed by the subtree roots it completes, about 2 per
// leaf), and "leaves", the $all position of each leaf (16 bytes). An append
// writes and fsyncs the hashes, then the positions; a leaf exists once its
// position is written. OpenTree cuts a torn tail of either file back to the
// last complete leaf and recomputes the last leaf's stored parents from their
// children; Follower.Run then checks the last leaf against the event the
// store holds at its position (ErrCorrupt otherwise). Roots and proofs read
// O(log n) hashes with pread.
//
// Follower subscribes to $all from the last leaf's position and appends in
// batches. It never decodes events: it hashes their recorded bytes.
package merkle
