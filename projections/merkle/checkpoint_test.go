package merkle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func testKey(t *testing.T, name string) (note.Signer, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := GenerateKey(name, filepath.Join(dir, "skey"), filepath.Join(dir, "vkey")); err != nil {
		t.Fatal(err)
	}
	s, vkey, err := LoadSigner(filepath.Join(dir, "skey"))
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func TestCheckpointTextRoundTrip(t *testing.T) {
	c := Checkpoint{Origin: "petitionledger.example/ledger", Size: 12345, Root: leafOf(3), Extensions: []string{"ext one"}}
	got, err := ParseCheckpoint(c.Text())
	if err != nil {
		t.Fatal(err)
	}
	if got.Text() != c.Text() {
		t.Fatalf("got %q, want %q", got.Text(), c.Text())
	}
	if !strings.HasPrefix(c.Text(), "petitionledger.example/ledger\n12345\n") {
		t.Fatalf("text %q", c.Text())
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	tests := []struct{ name, text string }{
		{"no final newline", "o\n1\n" + root},
		{"too few lines", "o\n1\n"},
		{"empty origin", "\n1\n" + root + "\n"},
		{"negative size", "o\n-1\n" + root + "\n"},
		{"leading zero", "o\n01\n" + root + "\n"},
		{"short root", "o\n1\nAAAA\n"},
		{"bad base64", "o\n1\n!!!\n"},
		{"empty extension", "o\n1\n" + root + "\n\n"},
	}
	for _, tt := range tests {
		if _, err := ParseCheckpoint(tt.text); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: got %v, want ErrCheckpoint", tt.name, err)
		}
	}
}

func TestCheckpointSignature(t *testing.T) {
	s, vkey := testKey(t, "ledger-a")
	_, otherKey := testKey(t, "ledger-a")
	c := Checkpoint{Origin: "o.example/log", Size: 3, Root: leafOf(1)}
	msg, err := c.Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := ParseVerifier(vkey)
	if got, err := OpenCheckpoint(msg, v, "o.example/log"); err != nil || got.Text() != c.Text() {
		t.Fatalf("open: %v %v", got, err)
	}
	other, _ := ParseVerifier(otherKey)
	if _, err := OpenCheckpoint(msg, other, ""); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("other key: got %v, want ErrCheckpoint", err)
	}
	if _, err := OpenCheckpoint(msg, v, "another/origin"); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("wrong origin: got %v", err)
	}
	tampered := []byte(strings.Replace(string(msg), "\n3\n", "\n4\n", 1))
	if _, err := OpenCheckpoint(tampered, v, ""); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("tampered size: got %v", err)
	}
}

func TestGenerateKeyFiles(t *testing.T) {
	dir := t.TempDir()
	skey, vkey := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	pub, err := GenerateKey("petitionledger", skey, vkey)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(skey)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(vkey)
	if strings.TrimSpace(string(b)) != pub {
		t.Fatal("public key file differs from the returned key")
	}
	if _, derived, err := LoadSigner(skey); err != nil || derived != pub {
		t.Fatalf("LoadSigner derived %q, %v; want %q", derived, err, pub)
	}
	if _, err := GenerateKey("petitionledger", skey, ""); !errors.Is(err, ErrKey) {
		t.Fatalf("overwrite: got %v, want ErrKey", err)
	}
	os.Chmod(skey, 0o644)
	if _, _, err := LoadSigner(skey); !errors.Is(err, ErrKey) {
		t.Fatalf("world-readable key: got %v, want ErrKey", err)
	}
}

func TestHistoryAndLogSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s, vkey := testKey(t, "ledger")
	open := func() *Log {
		tr := buildTree(t, filepath.Join(dir, "tree"), 0, 1)
		h, err := OpenHistory(filepath.Join(dir, "checkpoints"))
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewLog(tr, h, LogConfig{Origin: "o/ledger", Signer: s, VerifierKey: vkey})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close(); h.Close() })
		return l
	}
	l := open()
	for _, n := range []int{1, 1, 5, 9} {
		l.tree.Close()
		l.tree = buildTree(t, filepath.Join(dir, "tree"), n, 1)
		if _, _, err := l.Publish(); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(l.history.All()); got != 3 {
		t.Fatalf("history has %d checkpoints, want 3 (no duplicate at size 1)", got)
	}
	l.tree.Close()
	l.history.Close()
	// a torn record at the end is cut
	if err := appendBytesTo(filepath.Join(dir, "checkpoints"), []byte("120\npartial")); err != nil {
		t.Fatal(err)
	}
	l2 := open()
	c, _ := l2.Latest()
	if c.Size != 9 || len(l2.history.All()) != 3 {
		t.Fatalf("after restart: latest size %d, %d checkpoints", c.Size, len(l2.history.All()))
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add(Checkpoint{Origin: "o", Size: 7, Root: leafOf(1), Extensions: []string{"x"}}.Text())
	f.Add("o\n1\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCheckpoint(s)
		if err != nil {
			return
		}
		if c.Text() != s {
			t.Fatalf("parse then Text: %q != %q", c.Text(), s)
		}
	})
}

func FuzzReadHistory(f *testing.F) {
	f.Add([]byte("3\nabc5\nhello"))
	f.Add([]byte("0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		notes, n, _ := ReadHistory(strings.NewReader(string(b)))
		if n > int64(len(b)) {
			t.Fatalf("covered %d bytes of %d", n, len(b))
		}
		var total int64
		for _, m := range notes {
			total += int64(len(m))
		}
		if total > n {
			t.Fatal("records longer than the bytes they cover")
		}
	})
}
