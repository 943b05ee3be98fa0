package merkle

import "errors"

// Sentinel errors of the package; returned errors wrap them with details.
var (
	// ErrLeaf reports bytes that are not a valid leaf encoding.
	ErrLeaf = errors.New("merkle: bad leaf encoding")
	// ErrCorrupt reports tree files that fail validation on open.
	ErrCorrupt = errors.New("merkle: corrupt tree files")
	// ErrRange reports a leaf index or tree size beyond the tree.
	ErrRange = errors.New("merkle: index or size out of range")
	// ErrNotFound reports a position or event that is not a leaf.
	ErrNotFound = errors.New("merkle: no such leaf")
	// ErrCheckpoint reports a checkpoint that does not parse or verify.
	ErrCheckpoint = errors.New("merkle: bad checkpoint")
	// ErrReceipt reports a receipt that does not parse or verify.
	ErrReceipt = errors.New("merkle: bad receipt")
	// ErrKey reports an unusable signing or verifier key.
	ErrKey = errors.New("merkle: bad key")
	// ErrClosed reports use of a closed tree.
	ErrClosed = errors.New("merkle: closed")
)
