package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"golang.org/x/mod/sumdb/note"
)

const ukPetitionJSON = `{"links":{"self":"x"},"data":{"type":"petition","id":7,"attributes":{"action":"A","signature_count":5,
"signatures_by_country":[{"name":"United Kingdom","code":"GB","signature_count":4},{"name":"France","code":"FR","signature_count":1}],
"signatures_by_constituency":[{"name":"N","ons_code":"E14000530","mp":null,"signature_count":3},{"name":"M","ons_code":"E14000531","mp":"x","signature_count":1}],
"signatures_by_region":[{"name":"London","ons_code":"E15000007","signature_count":4}]}}}`

func TestParsePublished(t *testing.T) {
	p, err := ParsePublished([]byte(ukPetitionJSON))
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 5 || p.Countries["GB"] != 4 || p.Countries["FR"] != 1 || p.Constituencies["E14000530"] != 3 ||
		p.Constituencies["E14000531"] != 1 || p.Regions["E15000007"] != 4 {
		t.Fatalf("got %+v", p)
	}
	for _, bad := range []string{`{}`, `{"data":{"attributes":{}}}`, `not json`, `{"data":{"attributes":{"signature_count":"5"}}}`} {
		if _, err := ParsePublished([]byte(bad)); err == nil {
			t.Errorf("ParsePublished(%s) accepted it", bad)
		}
	}
}

func TestHTTPPublishedAsksAsOfThePosition(t *testing.T) {
	var asked string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.String()
		if r.URL.Path != "/petitions/7.json" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(ukPetitionJSON))
	}))
	defer srv.Close()
	get := HTTPPublished(srv.URL+"/", nil)
	p, err := get(context.Background(), 7, eventstore.Position{Commit: 42, Prepare: 42})
	if err != nil || p.Total != 5 || asked != "/petitions/7.json?as_of=42" {
		t.Fatalf("got %+v, %v, asked %q", p, err, asked)
	}
	if _, err := get(context.Background(), 8, eventstore.Position{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing petition: %v", err)
	}
}

func FuzzParsePublished(f *testing.F) {
	f.Add([]byte(ukPetitionJSON))
	f.Add([]byte(`{"data":{"attributes":{"signature_count":0}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePublished(b)
		if err == nil && (p.Constituencies == nil || p.Regions == nil || p.Countries == nil) {
			t.Fatal("accepted without maps")
		}
	})
}

func TestSignedCertificateVerifies(t *testing.T) {
	s, vkey := newKey(t, filepath.Join(t.TempDir(), "k"))
	rep := &Report{Origin: "o/ledger", TreeSize: 9, Root: "ab"}
	pr := PetitionReport{ID: 3, ClosedAt: "2022-04-05T23:00:00Z", Total: 2, AbroadShare: "0.000000", InvalidationRate: "0.000000",
		Countries: []AreaCount{{Code: "GB", Count: 2, Share: "1.000000"}}}
	text, err := CertificateText(rep, pr)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := SignCertificate(text, s)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := merkle.ParseVerifier(vkey)
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil || n.Text != text || !strings.Contains(text, "tree_size 9\nroot ab\npetition 3\n") {
		t.Fatalf("open: %v\n%s", err, text)
	}
}
