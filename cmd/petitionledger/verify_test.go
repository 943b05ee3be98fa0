package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

// verifyFixture is an embedded store of 60 events with the server-side tree,
// checkpoint history and key under <store>/projections/merkle, a signed
// checkpoint file, the public key file and a completed receipt of event 41.
type verifyFixture struct {
	store, checkpoint, key, otherKey, receipt string
}

func newVerifyFixture(t *testing.T) verifyFixture {
	t.Helper()
	dir := t.TempDir()
	f := verifyFixture{store: filepath.Join(dir, "store"), checkpoint: filepath.Join(dir, "cp"),
		key: filepath.Join(dir, "ck.pub"), otherKey: filepath.Join(dir, "other.pub"), receipt: filepath.Join(dir, "receipt.json")}
	s, err := embedded.Open(f.store)
	if err != nil {
		t.Fatal(err)
	}
	var req merkle.ReceiptRequest
	for i := 0; i < 60; i++ {
		id := uuid.New()
		res, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%7), eventstore.Any{},
			eventstore.EventData{ID: id, Type: "Test.v1", Data: []byte(fmt.Sprintf(`{"marker":"event-%03d"}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		if i == 41 {
			req = merkle.ReceiptRequest{Position: res.Position, EventID: id}
		}
	}
	mdir := filepath.Join(f.store, "projections", "merkle")
	tr, err := merkle.OpenTree(mdir)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	for i := range evs {
		if err := tr.Append([]merkle.Entry{{Hash: merkle.LeafHash(&evs[i]), Position: evs[i].Position}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := merkle.GenerateKey("ledger-test", filepath.Join(dir, "ck.key"), f.key); err != nil {
		t.Fatal(err)
	}
	if _, err := merkle.GenerateKey("ledger-test", filepath.Join(dir, "other.key"), f.otherKey); err != nil {
		t.Fatal(err)
	}
	signer, vkey, _ := merkle.LoadSigner(filepath.Join(dir, "ck.key"))
	hist, err := merkle.OpenHistory(filepath.Join(mdir, "checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := merkle.NewLog(tr, hist, merkle.LogConfig{Origin: "test.example/ledger", Signer: signer, VerifierKey: vkey})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := l.Receipt(context.Background(), s, req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := json.Marshal(rec)
	_, signed := l.Latest()
	writeFile(t, f.receipt, rb)
	writeFile(t, f.checkpoint, signed)
	hist.Close()
	tr.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// segmentWith finds the store file holding marker and the offset of it.
func segmentWith(t *testing.T, dir, marker string) (string, int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if i := bytes.Index(b, []byte(marker)); i >= 0 {
			return filepath.Join(dir, e.Name()), i
		}
	}
	t.Fatalf("no store file holds %q", marker)
	return "", 0
}

// flipAndReseal changes one byte at off and, when reseal, recomputes the
// CRC-32C of the frame holding it (segment format v1: 16-byte header,
// frames of [size u32][crc u32 of bytes 8..size]...).
func flipAndReseal(t *testing.T, file string, off int, reseal bool) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x01 // '7' ↔ '6': still valid JSON
	if reseal {
		start := 16
		for {
			size := int(binary.LittleEndian.Uint32(b[start:]))
			if size == 0 {
				t.Fatal("frame not found")
			}
			if off < start+size {
				crc := crc32.Checksum(b[start+8:start+size], crc32.MakeTable(crc32.Castagnoli))
				binary.LittleEndian.PutUint32(b[start+4:], crc)
				break
			}
			start += size
		}
	}
	writeFile(t, file, b)
}

func TestVerifyLedgerCLI(t *testing.T) {
	f := newVerifyFixture(t)
	jsonOut := filepath.Join(t.TempDir(), "report.json")
	profile := filepath.Join(t.TempDir(), "cpu.prof")
	code, out, errs := runCLI("verify", "ledger", "--store", f.store, "--checkpoint", f.checkpoint, "--key", f.key, "--json", jsonOut,
		"--cpuprofile", profile)
	if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(errs, "100%") {
		t.Fatalf("clean ledger: exit %d\n%s\n%s", code, out, errs)
	}
	if st, err := os.Stat(profile); err != nil || st.Size() == 0 {
		t.Fatalf("--cpuprofile wrote no profile: %v", err)
	}
	code, _, errs = runCLI("verify", "ledger", "--store", f.store, "--checkpoint", f.checkpoint, "--cpuprofile", filepath.Join(f.store, "no", "such", "dir", "p"))
	if code != 1 || !strings.Contains(errs, "no such file") {
		t.Fatalf("unwritable --cpuprofile: exit %d %s", code, errs)
	}
	var rep map[string]any
	b, _ := os.ReadFile(jsonOut)
	if err := json.Unmarshal(b, &rep); err != nil || rep["tree_size"] != float64(60) {
		t.Fatalf("JSON report %s: %v", b, err)
	}
	code, _, errs = runCLI("verify", "ledger", "--store", f.store, "--checkpoint", f.checkpoint, "--key", f.otherKey)
	if code != 1 || !strings.Contains(errs, "bad checkpoint") {
		t.Fatalf("swapped key: exit %d %s", code, errs)
	}
	code, _, errs = runCLI("verify", "ledger", "--checkpoint", f.checkpoint)
	if code != 2 || !strings.Contains(errs, "--store and --checkpoint are required") {
		t.Fatalf("missing flag: exit %d %s", code, errs)
	}
}

func TestVerifyLedgerDetectsFlippedByteOnDisk(t *testing.T) {
	tests := []struct {
		name   string
		reseal bool
		want   []string
	}{
		// the store's CRC catches it first; the message names file and offset
		{"raw flip", false, []string{"offset"}},
		// the record re-encoded with a valid CRC: the Merkle check names the leaf
		{"flip with a valid CRC", true, []string{"first bad leaf 37"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newVerifyFixture(t)
			seg, off := segmentWith(t, f.store, "event-037")
			flipAndReseal(t, seg, off+len("event-03"), tt.reseal)
			code, out, errs := runCLI("verify", "ledger", "--store", f.store, "--checkpoint", f.checkpoint, "--key", f.key)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
			}
			if !tt.reseal && !strings.Contains(errs, filepath.Base(seg)) {
				t.Errorf("message does not name the file %s: %s", filepath.Base(seg), errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("message %q does not contain %q", errs, w)
				}
			}
		})
	}
}

func TestVerifyReceiptCLI(t *testing.T) {
	f := newVerifyFixture(t)
	code, out, errs := runCLI("verify", "receipt", "--receipt", f.receipt, "--checkpoint", f.checkpoint, "--key", f.key)
	if code != 0 || !strings.Contains(out, "is leaf 41 of test.example/ledger at size 60") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = runCLI("verify", "receipt", "--receipt", f.receipt, "--checkpoint", f.checkpoint, "--key", f.otherKey)
	if code != 1 || !strings.Contains(errs, "bad checkpoint") {
		t.Fatalf("other key: exit %d %s", code, errs)
	}
	b, _ := os.ReadFile(f.receipt)
	writeFile(t, f.receipt, bytes.Replace(b, []byte(`"leaf_index":41`), []byte(`"leaf_index":40`), 1))
	code, _, errs = runCLI("verify", "receipt", "--receipt", f.receipt, "--checkpoint", f.checkpoint, "--key", f.key)
	if code != 1 || !strings.Contains(errs, "inclusion of leaf 40") {
		t.Fatalf("wrong index: exit %d %s", code, errs)
	}
	code, _, errs = runCLI("verify", "receipt", "--receipt", f.receipt)
	if code != 2 {
		t.Fatalf("missing flags: exit %d %s", code, errs)
	}
}
