package pctable_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
)

// writeSources writes a postcode list and an example list into a temp dir.
func writeSources(t *testing.T, postcodes, examples string) string {
	t.Helper()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(postcodes))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, pctable.PostcodesFile), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, pctable.ExamplesFile), []byte(examples), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuildMergesExamplesMainListWins(t *testing.T) {
	dir := writeSources(t,
		"postcode,ons_code\nAB101AB,S14000061\nM11AE,E14001363\n",
		"ons_code,postcode\nE14009999,M11AE\nN05000001,BT161XZ\n")
	b, err := pctable.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := pctable.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ pc, want string }{
		{"AB101AB", "S14000061"},
		{"M11AE", "E14001363"},   // in both lists: the postcode list wins
		{"BT161XZ", "N05000001"}, // only in the examples: added
	}
	for _, tt := range tests {
		if got, ok := tab.Lookup(tt.pc); !ok || got != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.pc, got, ok, tt.want)
		}
	}
	if got := tab.Codes(); len(got) != 3 {
		t.Errorf("codes %v: the losing example's code must not be listed", got)
	}
}

func TestBuildRejectsBadSources(t *testing.T) {
	tests := []struct {
		name, postcodes, examples string
	}{
		{"BadHeader", "pc,code\nM11AE,E1\n", "ons_code,postcode\n"},
		{"Duplicate", "postcode,ons_code\nM11AE,E1\nM11AE,E2\n", "ons_code,postcode\n"},
		{"Quoted", "postcode,ons_code\n\"M11AE\",E1\n", "ons_code,postcode\n"},
		{"ThreeFields", "postcode,ons_code\nM11AE,E1,x\n", "ons_code,postcode\n"},
		{"Malformed", "postcode,ons_code\nM1-1AE,E1\n", "ons_code,postcode\n"},
		{"EmptyExamples", "postcode,ons_code\nM11AE,E1\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pctable.Build(writeSources(t, tt.postcodes, tt.examples)); !errors.Is(err, pctable.ErrInvalidInput) {
				t.Fatalf("Build error %v, want ErrInvalidInput", err)
			}
		})
	}
	if _, err := pctable.Build(t.TempDir()); err == nil {
		t.Fatal("Build of an empty directory succeeded")
	}
}
