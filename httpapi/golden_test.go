package httpapi_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/internal/golden"
)

// TestGoldenDocuments pins the exact bytes of the public JSON documents of
// a fixed history. Regenerate with UPDATE_GOLDEN=1 go test ./httpapi.
func TestGoldenDocuments(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 601932)
	tests := []struct{ name, path string }{
		{"petition.json", "/petitions/601932.json"},
		{"count.json", "/petitions/601932/count.json"},
		{"list.json", "/petitions.json?state=open&count=10"},
		{"constituencies.json", "/constituencies.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do("GET", tt.path, "")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden.Check(t, filepath.Join("testdata", "golden", tt.name), pretty.Bytes())
		})
	}
}
