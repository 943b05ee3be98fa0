package demo

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// NoStream is the Expected value of a record that creates its stream.
const NoStream int64 = -1

// Record is one event to append, in order: to Stream, expecting the stream
// to be at revision Expected (NoStream: it must not exist yet), with the
// event ID EventID.
type Record struct {
	Stream   string
	Expected int64
	EventID  uuid.UUID
	Event    domain.Event
}

// Summary describes one generated petition.
type Summary struct {
	ID         int64
	Action     string
	State      domain.PetitionState
	Counted    int // signatures that count under domain.Counts
	Signatures int // every signature, whatever its state
}

// History is the generated demo history.
type History struct {
	Records   []Record
	Petitions []Summary
}

// WriteTo writes the canonical encoding of the history that Digest hashes:
// one line per record,
//
//	stream TAB expected TAB event-id TAB event-type TAB JSON (domain.EncodeEvent) LF
func (h *History) WriteTo(w io.Writer) (int64, error) {
	var n int64
	line := make([]byte, 0, 2048)
	for i, r := range h.Records {
		body, err := domain.EncodeEvent(r.Event)
		if err != nil {
			return n, fmt.Errorf("demo: record %d (%s): %w", i, r.Stream, err)
		}
		line = append(line[:0], r.Stream...)
		line = append(line, '\t')
		line = strconv.AppendInt(line, r.Expected, 10)
		line = append(line, '\t')
		line = append(line, r.EventID.String()...)
		line = append(line, '\t')
		line = append(line, r.Event.EventType()...)
		line = append(line, '\t')
		line = append(line, body...)
		line = append(line, '\n')
		m, err := w.Write(line)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Digest returns the SHA-256 of the canonical encoding (see WriteTo).
func (h *History) Digest() ([32]byte, error) {
	d := sha256.New()
	if _, err := h.WriteTo(d); err != nil {
		return [32]byte{}, err
	}
	var out [32]byte
	d.Sum(out[:0])
	return out, nil
}
