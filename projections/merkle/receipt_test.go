package merkle

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
)

// receiptFixture builds a 9-leaf tree of sample events, signs a checkpoint
// and returns a valid receipt for leaf 4 with the signed checkpoint.
func receiptFixture(t *testing.T) (Receipt, []byte, string) {
	t.Helper()
	s, vkey := testKey(t, "ledger")
	tr, err := OpenTree(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var leaves [][]byte
	var es []Entry
	for i := 0; i < 9; i++ {
		ev := sampleEvent()
		ev.ID = uuid.New()
		ev.Data = []byte(`{"petition_id":7,"signature_id":"11111111-2222-4333-8444-55555555555` + string(rune('0'+i)) + `"}`)
		leaves = append(leaves, LeafBytes(&ev))
		es = append(es, Entry{Hash: HashLeafBytes(leaves[i]), Position: eventstore.Position{Commit: uint64(i + 1), Prepare: uint64(i + 1)}})
	}
	if err := tr.Append(es); err != nil {
		t.Fatal(err)
	}
	root, _ := tr.Root(9)
	signed, err := Checkpoint{Origin: "o/ledger", Size: 9, Root: root}.Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := tr.InclusionProof(4, 9)
	leaf, _ := ParseLeaf(leaves[4])
	sig := uuid.MustParse("11111111-2222-4333-8444-555555555554")
	return Receipt{Version: 1, PetitionID: 7, SignatureID: &sig, EventID: leaf.ID, Position: ReceiptPosition{5, 5},
		LeafIndex: 4, Leaf: leaves[4], Checkpoint: string(signed), InclusionProof: Bytes(path)}, signed, vkey
}

func TestVerifyReceipt(t *testing.T) {
	good, signed, vkey := receiptFixture(t)
	_, _, otherKey := receiptFixture(t)
	v, _ := ParseVerifier(vkey)
	other, _ := ParseVerifier(otherKey)
	if _, _, err := VerifyReceipt(good, signed, v, "o/ledger"); err != nil {
		t.Fatalf("good receipt: %v", err)
	}
	otherSig := uuid.New()
	tests := []struct {
		name string
		mut  func(r *Receipt)
		key  bool // verify with the other key
	}{
		{"flipped proof byte", func(r *Receipt) {
			r.InclusionProof[1] = append([]byte{}, r.InclusionProof[1]...)
			r.InclusionProof[1][0] ^= 1
		}, false},
		{"wrong index", func(r *Receipt) { r.LeafIndex = 5 }, false},
		{"index beyond size", func(r *Receipt) { r.LeafIndex = 9 }, false},
		{"other event id", func(r *Receipt) { r.EventID = uuid.New() }, false},
		{"other signature", func(r *Receipt) { r.SignatureID = &otherSig }, false},
		{"other petition", func(r *Receipt) { r.PetitionID = 8 }, false},
		{"tampered leaf", func(r *Receipt) { r.Leaf = append([]byte{}, r.Leaf...); r.Leaf[len(r.Leaf)-3] ^= 1 }, false},
		{"short proof", func(r *Receipt) { r.InclusionProof = r.InclusionProof[1:] }, false},
		{"swapped key", func(r *Receipt) {}, true},
	}
	for _, tt := range tests {
		r := good
		r.InclusionProof = append([][]byte{}, good.InclusionProof...)
		tt.mut(&r)
		key := v
		if tt.key {
			key = other
		}
		if _, _, err := VerifyReceipt(r, signed, key, "o/ledger"); err == nil {
			t.Errorf("%s: verified", tt.name)
		} else if !errors.Is(err, ErrReceipt) && !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: error %v is neither ErrReceipt nor ErrCheckpoint", tt.name, err)
		}
	}
}

func TestParseReceiptRejects(t *testing.T) {
	good, _, _ := receiptFixture(t)
	b, _ := json.Marshal(good)
	if _, err := ParseReceipt(b); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{}`, `{"version":1,"extra":1}`, `{"version":2}`, string(b) + `{}`, `{"version":1,"leaf_index":-1}`} {
		if _, err := ParseReceipt([]byte(bad)); !errors.Is(err, ErrReceipt) {
			t.Errorf("ParseReceipt(%.40s) = %v, want ErrReceipt", bad, err)
		}
	}
}

func FuzzParseReceipt(f *testing.F) {
	f.Add([]byte(`{"version":1,"event_id":"0b6b3a6c-1c1a-4c3e-9f6e-2f0d1e9a7b10","position":{"commit":1,"prepare":1},"leaf_index":0,"leaf":"","checkpoint":"","inclusion_proof":[]}`))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReceipt(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseReceipt(again); err != nil {
			t.Fatalf("a parsed receipt does not re-parse: %v", err)
		}
	})
}
