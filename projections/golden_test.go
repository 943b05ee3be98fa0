package projections

import (
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/internal/golden"
)

// TestGoldenProjectionBytes pins the SHA-256 of every byte the projections
// write for a seeded generated history (checkpoint + audit files): any
// change to the fold, the formats or the hashing shows up here. Regenerate
// with UPDATE_GOLDEN=1 after a deliberate change.
//
// The demo history (domain/demo) is not written yet; when it lands, pin it
// here the same way.
func TestGoldenProjectionBytes(t *testing.T) {
	h := mustHistory(t, genOptions(42, 8, 2500))
	dir := t.TempDir()
	buildTo(t, fill(t, h), dir, 1<<40)
	sum := digest(t, dir)
	got := hex.EncodeToString(sum[:])
	golden.Check(t, filepath.Join("testdata", "golden", "generated-seed42.sha256"), []byte(got+"\n"))
	// Building again from zero gives the same bytes.
	dir2 := t.TempDir()
	buildTo(t, fill(t, h), dir2, 1<<40)
	if again := digest(t, dir2); again != sum {
		t.Fatalf("second rebuild differs: %x vs %x", again, sum)
	}
}
