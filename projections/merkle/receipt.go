package merkle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"golang.org/x/mod/sumdb/note"
)

// ReceiptVersion is the version of the receipt JSON format.
const ReceiptVersion = 1

// Receipt is a completed signer's receipt: the fields the sign API
// returned, the leaf of the event, and its inclusion proof against a signed
// checkpoint. It is JSON with these keys (bytes in standard base64).
type Receipt struct {
	Version        int             `json:"version"`
	PetitionID     int64           `json:"petition_id,omitempty"`
	SignatureID    *uuid.UUID      `json:"signature_id,omitempty"`
	EventID        uuid.UUID       `json:"event_id"`
	Position       ReceiptPosition `json:"position"`
	LeafIndex      int64           `json:"leaf_index"`
	Leaf           []byte          `json:"leaf"`
	Checkpoint     string          `json:"checkpoint"`
	InclusionProof [][]byte        `json:"inclusion_proof"`
}

// ReceiptPosition is the $all position the sign API returned.
type ReceiptPosition struct {
	Commit  uint64 `json:"commit"`
	Prepare uint64 `json:"prepare"`
}

// ParseReceipt decodes a receipt strictly: unknown keys, trailing data and
// other versions are errors (ErrReceipt).
func ParseReceipt(b []byte) (Receipt, error) {
	var r Receipt
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Receipt{}, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	if dec.More() {
		return Receipt{}, fmt.Errorf("%w: trailing data after the receipt", ErrReceipt)
	}
	if r.Version != ReceiptVersion {
		return Receipt{}, fmt.Errorf("%w: version %d, want %d", ErrReceipt, r.Version, ReceiptVersion)
	}
	if r.LeafIndex < 0 {
		return Receipt{}, fmt.Errorf("%w: negative leaf_index", ErrReceipt)
	}
	return r, nil
}

// VerifyReceipt checks a receipt against a trusted signed checkpoint: the
// checkpoint verifies with verifier (and origin, when not empty); the
// receipt's own checkpoint, if any, is the same tree; the leaf decodes and
// carries the receipt's event ID (and signature and petition IDs when the
// receipt names them); the inclusion proof leads from the leaf to the
// checkpoint's root. It returns the checkpoint and the leaf.
func VerifyReceipt(r Receipt, signedCheckpoint []byte, verifier note.Verifier, origin string) (Checkpoint, Leaf, error) {
	c, err := OpenCheckpoint(signedCheckpoint, verifier, origin)
	if err != nil {
		return Checkpoint{}, Leaf{}, err
	}
	if r.Checkpoint != "" {
		own, err := OpenCheckpoint([]byte(r.Checkpoint), verifier, c.Origin)
		if err != nil {
			return Checkpoint{}, Leaf{}, fmt.Errorf("receipt's own checkpoint: %w", err)
		}
		if own.Size != c.Size || own.Root != c.Root {
			return Checkpoint{}, Leaf{}, fmt.Errorf("%w: the proof is against tree size %d, the checkpoint given is size %d: fetch a receipt against it", ErrReceipt, own.Size, c.Size)
		}
	}
	if r.LeafIndex >= c.Size {
		return Checkpoint{}, Leaf{}, fmt.Errorf("%w: leaf %d is not in a tree of size %d", ErrReceipt, r.LeafIndex, c.Size)
	}
	leaf, err := ParseLeaf(r.Leaf)
	if err != nil {
		return Checkpoint{}, Leaf{}, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	if leaf.ID != r.EventID {
		return Checkpoint{}, Leaf{}, fmt.Errorf("%w: the leaf is event %s, the receipt names event %s", ErrReceipt, leaf.ID, r.EventID)
	}
	if err := checkLeafNames(leaf, r); err != nil {
		return Checkpoint{}, Leaf{}, err
	}
	lh := HashLeafBytes(r.Leaf)
	if err := VerifyInclusion(uint64(r.LeafIndex), uint64(c.Size), lh[:], r.InclusionProof, c.Root[:]); err != nil {
		return Checkpoint{}, Leaf{}, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	return c, leaf, nil
}

// checkLeafNames checks the signature and petition IDs named by the receipt
// against the event's JSON data.
func checkLeafNames(leaf Leaf, r Receipt) error {
	if r.SignatureID == nil && r.PetitionID == 0 {
		return nil
	}
	var d struct {
		SignatureID *uuid.UUID `json:"signature_id"`
		PetitionID  int64      `json:"petition_id"`
	}
	if err := json.Unmarshal(leaf.Data, &d); err != nil {
		return fmt.Errorf("%w: the leaf's event data is not JSON: %v", ErrReceipt, err)
	}
	if r.SignatureID != nil && (d.SignatureID == nil || *d.SignatureID != *r.SignatureID) {
		return fmt.Errorf("%w: the leaf's event is not about signature %s", ErrReceipt, r.SignatureID)
	}
	if r.PetitionID != 0 && d.PetitionID != r.PetitionID {
		return fmt.Errorf("%w: the leaf's event is about petition %d, the receipt names %d", ErrReceipt, d.PetitionID, r.PetitionID)
	}
	return nil
}

// Receipt completes a signer's receipt: it finds the leaf of the event at
// pos, checks that it is event eventID and that the stored leaf hash is the
// hash of the event the store holds, publishes a checkpoint if the newest
// one does not cover the leaf yet, and returns the inclusion proof against
// the newest checkpoint. ErrNotFound when the tree has no such event (yet).
func (l *Log) Receipt(ctx context.Context, store eventstore.Store, req ReceiptRequest) (Receipt, error) {
	pos, eventID := req.Position, req.EventID
	idx, err := l.tree.IndexOf(pos)
	if err != nil {
		return Receipt{}, err
	}
	evs, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: pos, MaxCount: 1})
	if err != nil {
		return Receipt{}, fmt.Errorf("merkle: read event at %s: %w", pos, err)
	}
	if len(evs) == 0 || evs[0].Position != pos || evs[0].ID != eventID {
		return Receipt{}, fmt.Errorf("%w: event %s is not at position %s", ErrNotFound, eventID, pos)
	}
	leaf := LeafBytes(&evs[0])
	stored, err := l.tree.LeafHashAt(idx)
	if err != nil {
		return Receipt{}, err
	}
	if HashLeafBytes(leaf) != stored {
		return Receipt{}, fmt.Errorf("%w: leaf %d is not the hash of the event at %s", ErrCorrupt, idx, pos)
	}
	c, signed := l.Latest()
	if signed == nil || idx >= c.Size {
		if c, signed, err = l.Publish(); err != nil {
			return Receipt{}, err
		}
	}
	path, err := l.tree.InclusionProof(idx, c.Size)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Version: ReceiptVersion, PetitionID: req.PetitionID, SignatureID: req.SignatureID, EventID: eventID,
		Position: ReceiptPosition{pos.Commit, pos.Prepare}, LeafIndex: idx, Leaf: leaf, Checkpoint: string(signed), InclusionProof: Bytes(path)}
	parsed, err := ParseLeaf(leaf)
	if err != nil {
		return Receipt{}, err
	}
	if err := checkLeafNames(parsed, r); err != nil {
		return Receipt{}, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return r, nil
}

// ReceiptRequest is what a signer holds from the sign API: the $all
// position and event ID, and optionally the signature and petition IDs.
type ReceiptRequest struct {
	Position    eventstore.Position
	EventID     uuid.UUID
	SignatureID *uuid.UUID
	PetitionID  int64
}
