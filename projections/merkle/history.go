package merkle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
)

// History is the append-only file of every signed checkpoint published, in
// order. Each record is "<length in decimal>\n" followed by the signed
// note's bytes. A torn last record is cut on open.
type History struct {
	mu    sync.Mutex
	f     *os.File
	notes [][]byte
}

// OpenHistory opens (or creates) the history file.
func OpenHistory(name string) (*History, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("merkle: open checkpoint history: %w", err)
	}
	notes, good, err := ReadHistory(f)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("merkle: cut torn checkpoint: %w", err)
	}
	return &History{f: f, notes: notes}, nil
}

// ReadHistory parses a history stream. It returns the complete records, the
// byte length they cover, and io.ErrUnexpectedEOF for a torn last record.
func ReadHistory(r io.Reader) (notes [][]byte, n int64, err error) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			return notes, n, nil
		}
		if err != nil {
			return notes, n, io.ErrUnexpectedEOF
		}
		size, perr := strconv.Atoi(string(bytes.TrimSuffix(line, []byte("\n"))))
		if perr != nil || size <= 0 || size > 1<<20 {
			return notes, n, fmt.Errorf("%w: history record at offset %d has length line %q", ErrCheckpoint, n, line)
		}
		msg := make([]byte, size)
		if _, err := io.ReadFull(br, msg); err != nil {
			return notes, n, io.ErrUnexpectedEOF
		}
		notes = append(notes, msg)
		n += int64(len(line) + size)
	}
}

// Append adds a signed checkpoint and fsyncs.
func (h *History) Append(signed []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := append([]byte(strconv.Itoa(len(signed))+"\n"), signed...)
	if _, err := h.f.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("merkle: checkpoint history: %w", err)
	}
	if _, err := h.f.Write(rec); err != nil {
		return fmt.Errorf("merkle: write checkpoint history: %w", err)
	}
	if err := h.f.Sync(); err != nil {
		return fmt.Errorf("merkle: sync checkpoint history: %w", err)
	}
	h.notes = append(h.notes, append([]byte(nil), signed...))
	return nil
}

// All returns every signed checkpoint, oldest first.
func (h *History) All() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.notes...)
}

// Latest returns the newest signed checkpoint, or nil.
func (h *History) Latest() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.notes) == 0 {
		return nil
	}
	return h.notes[len(h.notes)-1]
}

// Close closes the file.
func (h *History) Close() error { return h.f.Close() }
