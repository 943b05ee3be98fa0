package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

// TestLedgerDemo verifies the whole seeded demo history (one pass): the
// recount equals the generator's own summary, and the report and the seed
// petition's certificate are pinned byte for byte by golden files
// (testdata/demo-report.sha256, testdata/petition-1.cert; UPDATE_GOLDEN=1),
// so every verifier, on any machine or backend, must produce these bytes.
func TestLedgerDemo(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	s := loadRecords(t, evs, streams)
	sv := serve(t, s)
	var calls int
	rep, err := Ledger(context.Background(), Options{Store: s, Checkpoint: sv.cp, Verifier: sv.verifier, History: sv.history,
		LeafHash: sv.tree.LeafHashAt, Progress: func(done, total int64) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.TreeSize != int64(len(evs)) || rep.CheckpointsChecked != 2 || !rep.SignatureChecked || calls == 0 {
		t.Fatalf("report: size %d, checkpoints %d, signature %v, progress calls %d", rep.TreeSize, rep.CheckpointsChecked, rep.SignatureChecked, calls)
	}
	got := map[int64]PetitionReport{}
	for _, p := range rep.Petitions {
		got[p.ID] = p
	}
	for _, sum := range demoHistory(t).Petitions {
		p := got[sum.ID]
		if p.Total != int64(sum.Counted) || p.Signatures != int64(sum.Signatures) {
			t.Errorf("petition %d (%s): recount %d of %d signatures; the generator says %d of %d",
				sum.ID, sum.Action, p.Total, p.Signatures, sum.Counted, sum.Signatures)
		}
		var byArea int64
		for _, c := range p.Countries {
			byArea += c.Count
		}
		if byArea != p.Total {
			t.Errorf("petition %d: countries sum to %d, total %d", sum.ID, byArea, p.Total)
		}
	}
	if p := got[1]; p.Total != 44150 || p.ClosedAt == "" || len(p.Constituencies) < 650 {
		t.Errorf("seed petition: total %d, closed %q, %d constituencies", p.Total, p.ClosedAt, len(p.Constituencies))
	}
	js, _ := json.Marshal(rep)
	sum := sha256.Sum256(js)
	golden(t, "demo-report.sha256", []byte(hex.EncodeToString(sum[:])+"\n"))
	cert, err := CertificateText(rep, got[1])
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "petition-1.cert", []byte(cert))
	if _, err := CertificateText(rep, got[2]); !errors.Is(err, ErrNotClosed) {
		t.Errorf("certificate of the open petition: %v, want ErrNotClosed", err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file:\ngot  %.300s\nwant %.300s", name, got, want)
	}
}

// TestLedgerReportsAreReproducible runs two differently configured
// verifiers (page sizes, key, server tree) over one ledger.
func TestLedgerReportsAreReproducible(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	s := loadRecords(t, evs[:6000], streams[:6000])
	sv := serve(t, s)
	var reports [2][]byte
	for i := range reports {
		o := Options{Store: s, Checkpoint: sv.cp}
		if i == 1 {
			o.Verifier, o.LeafHash, o.PageSize = sv.verifier, sv.tree.LeafHashAt, 777
		}
		rep, err := Ledger(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		rep.SignatureChecked = false // says how this verifier ran, not what the ledger holds
		reports[i], _ = json.Marshal(rep)
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Fatal("two verifications of the same ledger differ")
	}
}

func TestLedgerComparesServerCounts(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	evs, streams = evs[:5000], streams[:5000]
	s := loadRecords(t, evs, streams)
	sv := serve(t, s)
	truth, err := Ledger(context.Background(), Options{Store: s, Checkpoint: sv.cp})
	if err != nil {
		t.Fatal(err)
	}
	published := func(mutate func(id int64, p *Published)) func(context.Context, int64, eventstore.Position) (*Published, error) {
		return func(_ context.Context, id int64, _ eventstore.Position) (*Published, error) {
			for _, pr := range truth.Petitions {
				if pr.ID == id {
					p := &Published{Total: pr.Total, Constituencies: counts(pr.Constituencies), Regions: counts(pr.Regions), Countries: counts(pr.Countries)}
					mutate(id, p)
					return p, nil
				}
			}
			return nil, errors.New("no such petition")
		}
	}
	tests := []struct {
		name   string
		mutate func(id int64, p *Published)
		want   string
	}{
		{"agrees", func(int64, *Published) {}, ""},
		{"total off by one", func(id int64, p *Published) {
			if id == 1 {
				p.Total++
			}
		}, "petition 1: the server publishes"},
		{"one constituency moved", func(id int64, p *Published) {
			if id == 1 {
				a, b := firstTwo(truth, 1)
				p.Constituencies[a]--
				p.Constituencies[b]++
			}
		}, "petition 1, constituency " + func() string { a, _ := firstTwo(truth, 1); return a }() + ": the server publishes"},
		{"extra country", func(id int64, p *Published) {
			if id == 1 {
				p.Countries["ZZ"] = 1
			}
		}, "petition 1, country ZZ"},
	}
	for _, tt := range tests {
		rep, err := Ledger(context.Background(), Options{Store: s, Checkpoint: sv.cp, Published: published(tt.mutate)})
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tt.want) || rep.FirstProblem != err.Error() {
			t.Errorf("%s: got %v, want mismatch containing %q", tt.name, err, tt.want)
		}
	}
}

func firstTwo(rep *Report, id int64) (string, string) {
	for _, p := range rep.Petitions {
		if p.ID == id && len(p.Constituencies) > 1 {
			return p.Constituencies[0].Code, p.Constituencies[1].Code
		}
	}
	return "none", "none"
}

func counts(as []AreaCount) map[string]int64 {
	m := map[string]int64{}
	for _, a := range as {
		m[a.Code] = a.Count
	}
	return m
}

// TestLedgerTamper checks each tampering of the log is detected with a
// message naming where.
func TestLedgerTamper(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	evs, streams = evs[:3000], streams[:3000]
	orig := loadRecords(t, evs, streams)
	sv := serve(t, orig)
	otherSigner, _ := newKey(t, filepath.Join(t.TempDir(), "other"))
	otherCP, _ := merkle.Checkpoint{Origin: "test.example/ledger", Size: 3000, Root: mustRoot(t, sv.tree, 3000)}.Sign(otherSigner)

	drop := func() ([]eventstore.EventData, []string) {
		return append(append([]eventstore.EventData{}, evs[:1200]...), evs[1201:]...), append(append([]string{}, streams[:1200]...), streams[1201:]...)
	}
	swap := func() ([]eventstore.EventData, []string) {
		e, s := append([]eventstore.EventData{}, evs...), append([]string{}, streams...)
		e[2000], e[2001], s[2000], s[2001] = e[2001], e[2000], s[2001], s[2000]
		return e, s
	}
	edit := func() ([]eventstore.EventData, []string) {
		e := append([]eventstore.EventData{}, evs...)
		e[2500].Data = bytes.Replace(e[2500].Data, []byte(`"petition_id":`), []byte(`"petition_id": `), 1)
		return e, streams
	}
	tests := []struct {
		name     string
		records  func() ([]eventstore.EventData, []string)
		cp       []byte
		leafHash bool
		want     string
	}{
		{"dropped event, server tree given", drop, sv.cp, true, "first bad leaf 1200"},
		{"dropped event, checkpoints only", drop, sv.cp, false, "the earlier signed checkpoint of size 1500"},
		{"reordered events", swap, sv.cp, true, "first bad leaf 2000"},
		{"reordered events, checkpoints only", swap, sv.cp, false, "the root of the first 3000 events is"},
		{"edited event data", edit, sv.cp, true, "first bad leaf 2500"},
		{"edited after the earlier checkpoint only", edit, sv.cp, false, "the root of the first 3000 events"},
		{"checkpoint signed by another key", func() ([]eventstore.EventData, []string) { return evs, streams }, otherCP, false, "bad checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := tt.records()
			store := loadRecords(t, e, s)
			// the sequential pass and pipelines of several shapes report
			// the same first problem, word for word
			var first string
			for _, workers := range []int{1, 3} {
				o := Options{Store: store, Checkpoint: tt.cp, Verifier: sv.verifier, History: sv.history, Workers: workers, PageSize: 256}
				if tt.leafHash {
					o.LeafHash = sv.tree.LeafHashAt
				}
				_, err := Ledger(context.Background(), o)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("workers %d: got %v, want an error containing %q", workers, err, tt.want)
				}
				if first == "" {
					first = err.Error()
				} else if err.Error() != first {
					t.Fatalf("workers %d: %q, the sequential pass said %q", workers, err, first)
				}
			}
		})
	}
}

func TestLedgerDetectsRewrittenPrefix(t *testing.T) {
	evs, streams := demoEvents(t)
	evs, streams = evs[:400], streams[:400]
	sv := serve(t, loadRecords(t, evs, streams))
	e := append([]eventstore.EventData{}, evs...)
	e[10].Data = bytes.Replace(e[10].Data, []byte(`"petition_id":`), []byte(`"petition_id": `), 1)
	tampered := loadRecords(t, e, streams)
	// a server that rewrote its log and re-signed the latest checkpoint is
	// caught by the earlier checkpoint of size 200
	tr := serve(t, tampered)
	resigned, _ := merkle.Checkpoint{Origin: "test.example/ledger", Size: 400, Root: mustRoot(t, tr.tree, 400)}.Sign(sv.signer)
	_, err := Ledger(context.Background(), Options{Store: tampered, Checkpoint: resigned, Verifier: sv.verifier, History: sv.history[:1]})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "earlier signed checkpoint of size 200") {
		t.Fatalf("got %v", err)
	}
}

func mustRoot(t *testing.T, tr *merkle.Tree, n int64) merkle.Hash {
	t.Helper()
	r, err := tr.Root(n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
