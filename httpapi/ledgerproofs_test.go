package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

type proofFixture struct {
	srv   *httptest.Server
	store *embedded.Store
	log   *merkle.Log
	tree  *merkle.Tree
	ids   []uuid.UUID
	poss  []eventstore.Position
}

func newProofFixture(t *testing.T) *proofFixture {
	t.Helper()
	dir := t.TempDir()
	store, err := embedded.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &proofFixture{store: store}
	sigID := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	for i := 0; i < 20; i++ {
		id := uuid.New()
		data := `{"petition_id":7,"signature_id":"` + uuid.NewString() + `"}`
		if i == 13 {
			data = `{"petition_id":7,"signature_id":"` + sigID.String() + `"}`
		}
		res, err := store.Append(context.Background(), "signer-7-k"+string(rune('a'+i)), eventstore.NoStream{},
			eventstore.EventData{ID: id, Type: "SignatureSigned.v1", Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		f.ids, f.poss = append(f.ids, id), append(f.poss, res.Position)
	}
	if f.tree, err = merkle.OpenTree(filepath.Join(dir, "tree")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.tree.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	fol := merkle.NewFollower(store, f.tree, merkle.FollowerConfig{})
	done := make(chan error, 1)
	go func() { done <- fol.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-fol.CaughtUp():
	case <-time.After(30 * time.Second):
		t.Fatal("tree never caught up")
	}
	skey := filepath.Join(dir, "ck.key")
	if _, err := merkle.GenerateKey("ledger-test", skey, ""); err != nil {
		t.Fatal(err)
	}
	signer, vkey, err := merkle.LoadSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := merkle.OpenHistory(filepath.Join(dir, "checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	if f.log, err = merkle.NewLog(f.tree, hist, merkle.LogConfig{Origin: "test.example/ledger", Signer: signer, VerifierKey: vkey}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&LedgerProofs{Log: f.log, Store: store}).Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *proofFixture) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestLedgerReceiptVerifiesWithWellKnownKey(t *testing.T) {
	f := newProofFixture(t)
	code, key := f.get(t, CheckpointKeyPath)
	if code != 200 || !strings.HasPrefix(string(key), "ledger-test+") {
		t.Fatalf("key: %d %q", code, key)
	}
	v, err := merkle.ParseVerifier(string(key))
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.get(t, "/ledger/receipt?position="+f.poss[13].String()+"&event_id="+f.ids[13].String()+
		"&signature_id=11111111-2222-4333-8444-555555555555&petition_id=7")
	if code != 200 {
		t.Fatalf("receipt: %d %s", code, body)
	}
	rec, err := merkle.ParseReceipt(body)
	if err != nil {
		t.Fatal(err)
	}
	c, leaf, err := merkle.VerifyReceipt(rec, []byte(rec.Checkpoint), v, "test.example/ledger")
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 20 || rec.LeafIndex != 13 || leaf.ID != f.ids[13] {
		t.Fatalf("checkpoint size %d, leaf %d, event %s", c.Size, rec.LeafIndex, leaf.ID)
	}
	code, cp := f.get(t, "/ledger/checkpoint")
	if code != 200 || string(cp) != rec.Checkpoint {
		t.Fatalf("latest checkpoint %d %q, want the receipt's", code, cp)
	}
}

func TestLedgerConsistencyBetweenCheckpoints(t *testing.T) {
	f := newProofFixture(t)
	c1, _, err := f.log.Publish()
	if err != nil {
		t.Fatal(err)
	}
	r5, _ := f.tree.Root(5)
	code, body := f.get(t, "/ledger/consistency?from=5&to=20")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var got ConsistencyResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if err := merkle.VerifyConsistency(5, 20, got.Proof, r5[:], c1.Root[:]); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerProofErrors(t *testing.T) {
	f := newProofFixture(t)
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/ledger/receipt?position=x&event_id=" + f.ids[0].String(), 400, "position"},
		{"/ledger/receipt?position=" + f.poss[0].String() + "&event_id=nope", 400, "event_id"},
		{"/ledger/receipt?position=" + f.poss[0].String() + "&event_id=" + f.ids[1].String(), 404, "not at position"},
		{"/ledger/receipt?position=" + f.poss[0].String() + "&event_id=" + f.ids[0].String() + "&petition_id=8", 404, "petition 7"},
		{"/ledger/receipt?position=1&event_id=" + f.ids[0].String(), 404, "no leaf"},
		{"/ledger/consistency?from=3&to=99", 400, "size"},
		{"/ledger/consistency?from=-1&to=3", 400, "from"},
	}
	for _, tt := range tests {
		code, body := f.get(t, tt.path)
		if code != tt.code || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.path, code, body, tt.code, tt.want)
		}
	}
}
