package merkle

import (
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// VerifyInclusion checks that leafHash is leaf index of the tree of size
// leaves with the given root, using transparency-dev/merkle's verifier
// (every hash must be 32 bytes; the path length must be exact).
func VerifyInclusion(index, size uint64, leafHash []byte, path [][]byte, root []byte) error {
	if err := checkLens(leafHash, root, path); err != nil {
		return err
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, path, root); err != nil {
		return fmt.Errorf("inclusion of leaf %d in tree of size %d: %w", index, size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size1 leaves with root1 is a
// prefix of the tree of size2 leaves with root2.
func VerifyConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) error {
	if err := checkLens(root1, root2, path); err != nil {
		return err
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, path, root1, root2); err != nil {
		return fmt.Errorf("consistency of size %d with size %d: %w", size1, size2, err)
	}
	return nil
}

func checkLens(a, b []byte, path [][]byte) error {
	if len(a) != HashSize || len(b) != HashSize {
		return fmt.Errorf("%w: hashes must be %d bytes", ErrRange, HashSize)
	}
	for i, h := range path {
		if len(h) != HashSize {
			return fmt.Errorf("%w: proof hash %d is %d bytes, want %d", ErrRange, i, len(h), HashSize)
		}
	}
	return nil
}
