package merkle

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a C2SP tlog-checkpoint body: the origin of the log, its
// size and root hash, and optional extension lines.
type Checkpoint struct {
	Origin     string
	Size       int64
	Root       Hash
	Extensions []string
}

// Text returns the checkpoint body: origin, size, base64 root and each
// extension, one per line, ending with a newline.
func (c Checkpoint) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseCheckpoint parses a checkpoint body (no signatures). It accepts only
// what Text produces: a non-empty origin, a canonical decimal size, a
// canonical base64 32-byte root, non-empty extension lines, a final newline.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	if !utf8.ValidString(text) || !strings.HasSuffix(text, "\n") {
		return c, fmt.Errorf("%w: body must be UTF-8 ending with a newline", ErrCheckpoint)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("%w: %d lines, want origin, size and root", ErrCheckpoint, len(lines))
	}
	if lines[0] == "" || strings.TrimSpace(lines[0]) != lines[0] {
		return c, fmt.Errorf("%w: empty or padded origin line", ErrCheckpoint)
	}
	c.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("%w: size line %q is not a canonical decimal", ErrCheckpoint, lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, fmt.Errorf("%w: root line %q is not a base64 32-byte hash", ErrCheckpoint, lines[2])
	}
	copy(c.Root[:], root)
	for i, e := range lines[3:] {
		if e == "" {
			return Checkpoint{}, fmt.Errorf("%w: empty extension line %d", ErrCheckpoint, i+4)
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

// Sign returns the signed note of c: the body, a blank line and the
// signature line of signer.
func (c Checkpoint) Sign(signer note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("%w: sign: %v", ErrCheckpoint, err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint with verifier and checks its
// origin (empty origin: any). The signature must be verifier's; other
// signatures are ignored.
func OpenCheckpoint(msg []byte, verifier note.Verifier, origin string) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: signature by key %q: %v", ErrCheckpoint, verifier.Name(), err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != "" && c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("%w: origin %q, want %q", ErrCheckpoint, c.Origin, origin)
	}
	return c, nil
}
