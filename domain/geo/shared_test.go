package geo_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
	"github.com/petitionledger/petitionledger/internal/golden"
)

// sharedDataDir returns the shared reference data directory: $GEO_SHARED_DATA,
// or ../shared/data next to the repository root. The tests that need it
// fail (never skip) when it is missing, naming the path.
func sharedDataDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GEO_SHARED_DATA")
	if dir == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(filepath.Dir(root), "shared", "data")
	}
	path := filepath.Join(dir, pctable.PostcodesFile)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("shared reference data missing: %s: %v (check out the shared data next to the repository, or set GEO_SHARED_DATA to its directory)", path, err)
	}
	return dir
}

// TestEveryPostcodeResolves reads every row of postcodes.csv.gz and checks
// that the embedded table gives the same constituency.
func TestEveryPostcodeResolves(t *testing.T) {
	t.Parallel()
	d := geo.Default()
	rows, mismatches := 0, 0
	err := pctable.ReadPostcodes(filepath.Join(sharedDataDir(t), pctable.PostcodesFile), func(pc, code []byte) error {
		rows++
		if got, ok := d.LookupPostcode(string(pc)); !ok || got != string(code) {
			if mismatches++; mismatches <= 10 {
				t.Errorf("LookupPostcode(%q) = %q, %v; want %q", pc, got, ok, code)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1_733_406 || mismatches != 0 {
		t.Fatalf("%d rows read (want 1,733,406), %d mismatches", rows, mismatches)
	}
}

// TestGeneratorReproducesEmbeddedTable rebuilds postcodes.bin from the
// shared data and compares it with the committed file byte for byte, and
// checks that the copied CSVs are unchanged.
func TestGeneratorReproducesEmbeddedTable(t *testing.T) {
	t.Parallel()
	dir := sharedDataDir(t)
	got, err := pctable.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("data", "postcodes.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("generator output (%d bytes) differs from data/postcodes.bin (%d bytes): run go run ./domain/geo/internal/gen", len(got), len(want))
	}
	for _, name := range []string{"constituencies.csv", "countries.csv", "example_postcodes.csv"} {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		emb, err := os.ReadFile(filepath.Join("data", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, emb) {
			t.Errorf("data/%s differs from %s", name, filepath.Join(dir, name))
		}
	}
}

// TestTableGoldenChecksum pins the SHA-256 of the embedded table. After an
// intended change, regenerate with UPDATE_GOLDEN=1.
func TestTableGoldenChecksum(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("data", "postcodes.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	got := hex.EncodeToString(sum[:]) + "  data/postcodes.bin\n"
	golden.Check(t, filepath.Join("testdata", "postcodes.bin.sha256"), []byte(got))
}
