package merkle

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Log publishes signed checkpoints of a Tree and answers proofs against
// them. Every checkpoint it signs is appended to its History first.
type Log struct {
	tree     *Tree
	history  *History
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	origin   string
	log      *slog.Logger

	mu     sync.Mutex
	latest Checkpoint
	signed []byte
}

// LogConfig configures a Log.
type LogConfig struct {
	Origin      string // the checkpoint origin line, e.g. "petitionledger.example/ledger"
	Signer      note.Signer
	VerifierKey string // the signer's public key, "name+hash+base64"
	Logger      *slog.Logger
}

// NewLog returns a Log over tree and history. It checks that the history's
// newest checkpoint verifies with the key, has the origin, and (when the
// tree has reached its size) has the tree's root at that size.
func NewLog(tree *Tree, history *History, cfg LogConfig) (*Log, error) {
	v, err := note.NewVerifier(cfg.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	if v.Name() != cfg.Signer.Name() || v.KeyHash() != cfg.Signer.KeyHash() {
		return nil, fmt.Errorf("%w: verifier key %q does not match the signing key", ErrKey, v.Name())
	}
	if cfg.Origin == "" {
		return nil, fmt.Errorf("%w: empty origin", ErrCheckpoint)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	l := &Log{tree: tree, history: history, signer: cfg.Signer, verifier: v, vkey: cfg.VerifierKey, origin: cfg.Origin, log: cfg.Logger}
	if msg := history.Latest(); msg != nil {
		c, err := OpenCheckpoint(msg, v, cfg.Origin)
		if err != nil {
			return nil, fmt.Errorf("merkle: newest checkpoint in history: %w", err)
		}
		if c.Size <= tree.Size() {
			root, err := tree.Root(c.Size)
			if err != nil {
				return nil, err
			}
			if root != c.Root {
				return nil, fmt.Errorf("%w: the tree's root at size %d is %x, the signed checkpoint says %x", ErrCorrupt, c.Size, root, c.Root)
			}
		}
		l.latest, l.signed = c, msg
	}
	return l, nil
}

// Tree returns the tree.
func (l *Log) Tree() *Tree { return l.tree }

// Origin returns the checkpoint origin.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the public key that verifies the checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// Verifier returns the verifier of the checkpoints.
func (l *Log) Verifier() note.Verifier { return l.verifier }

// Latest returns the newest signed checkpoint (nil before the first).
func (l *Log) Latest() (Checkpoint, []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.latest, l.signed
}

// Publish signs a checkpoint of the tree as it is now, if it has grown
// since the last one (or none was signed yet), records it in the history,
// and returns the newest checkpoint.
func (l *Log) Publish() (Checkpoint, []byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.tree.Sync(); err != nil {
		return Checkpoint{}, nil, err
	}
	size := l.tree.Size()
	if l.signed != nil && size <= l.latest.Size {
		return l.latest, l.signed, nil
	}
	root, err := l.tree.Root(size)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	c := Checkpoint{Origin: l.origin, Size: size, Root: root}
	msg, err := c.Sign(l.signer)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if err := l.history.Append(msg); err != nil {
		return Checkpoint{}, nil, err
	}
	l.latest, l.signed = c, msg
	l.log.Info("merkle: checkpoint published", slog.Int64("size", size), slog.String("root", fmt.Sprintf("%x", root)))
	return c, msg, nil
}

// Run publishes a checkpoint every interval until ctx ends, and once more
// when it ends.
func (l *Log) Run(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			_, _, err := l.Publish()
			return err
		case <-tick.C:
			if _, _, err := l.Publish(); err != nil {
				return err
			}
		}
	}
}
