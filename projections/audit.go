package projections

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/eventhash"
)

// The audit trail of a petition lives on disk, one file per petition,
// "audit/<petition id>.audit", so memory does not grow with signatures.
// Each entry is a fixed-size record of auditRecordSize bytes, big-endian:
//
//	commit   uint64  $all position (commit)
//	prepare  uint64  $all position (prepare)
//	at       int64   domain time, Unix nanoseconds (0: none)
//	type     uint8   index into auditEventTypes
//	role     uint8   index into auditRoles
//	delta    int8    change to the signature count: -1, 0 or +1
//	reserved uint8   0
//	cslot    uint16  constituency slot (0xFFFF: none)
//	kslot    uint16  country slot
//
// Entry i is at byte offset i*auditRecordSize. Records are appended by the
// Ledger, flushed before each publication and fsynced before each
// checkpoint; a checkpoint records each petition's entry count, and
// recovery truncates any longer file to it. No entry holds personal data.
//
// The event's hash (package eventhash) is not stored: View.Audit reads each
// entry's event back from the store by position and hashes the recorded
// bytes, so the hash always describes what the log holds, and the fold
// (which must reach a million events a second) does not pay for SHA-256.
const auditRecordSize = 32

// auditEventTypes are the event types an audit entry can name; the index is
// stored on disk, so this list is append-only.
var auditEventTypes = []string{
	"",
	domain.TypePetitionCreated,
	domain.TypePetitionCreatorConfirmed,
	domain.TypePetitionSponsorSupported,
	domain.TypePetitionPublished,
	domain.TypePetitionRejected,
	domain.TypePetitionHidden,
	domain.TypePetitionFlagged,
	domain.TypePetitionStopped,
	domain.TypePetitionClosed,
	domain.TypeGovernmentResponded,
	domain.TypeDebateScheduled,
	domain.TypeDebateOutcomeRecorded,
	domain.TypeOtherBusinessAdded,
	domain.TypeSignatureSigned,
	domain.TypeSignatureValidated,
	domain.TypeSignatureInvalidated,
	domain.TypeSignatureMarkedFraudulent,
	domain.TypePetitionSponsorWithdrawn,
}

// Actor roles shown in the audit trail. Events carry no actor yet, so the
// role is the one the event type implies (see roleOf).
const (
	RoleSystem    = "system"
	RoleCreator   = "creator"
	RoleSigner    = "signer"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// auditRoles are the roles an audit entry can name, append-only.
var auditRoles = []string{RoleSystem, RoleCreator, RoleSigner, RoleModerator, RoleAdmin}

var auditTypeCode = func() map[string]uint8 {
	m := make(map[string]uint8, len(auditEventTypes))
	for i, t := range auditEventTypes {
		m[t] = uint8(i)
	}
	return m
}()

// roleOf is the actor role an event type implies.
func roleOf(eventType string) uint8 {
	switch eventType {
	case domain.TypePetitionCreated, domain.TypePetitionCreatorConfirmed:
		return 1
	case domain.TypePetitionSponsorSupported, domain.TypeSignatureSigned, domain.TypeSignatureValidated:
		return 2
	case domain.TypePetitionPublished, domain.TypePetitionRejected, domain.TypePetitionHidden,
		domain.TypePetitionFlagged, domain.TypeSignatureInvalidated, domain.TypePetitionSponsorWithdrawn:
		return 3
	case domain.TypeGovernmentResponded, domain.TypeDebateScheduled, domain.TypeDebateOutcomeRecorded,
		domain.TypeOtherBusinessAdded, domain.TypePetitionStopped:
		return 4
	}
	return 0 // closing at the deadline, fraud detection
}

// auditRecord is one audit entry as stored.
type auditRecord struct {
	pos   eventstore.Position
	at    int64
	typ   uint8
	role  uint8
	delta int8
	cs    uint16
	ks    uint16
}

func (r *auditRecord) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, r.pos.Commit)
	b = binary.BigEndian.AppendUint64(b, r.pos.Prepare)
	b = binary.BigEndian.AppendUint64(b, uint64(r.at))
	b = append(b, r.typ, r.role, byte(r.delta), 0)
	b = binary.BigEndian.AppendUint16(b, r.cs)
	return binary.BigEndian.AppendUint16(b, r.ks)
}

func decodeAuditRecord(b []byte) (auditRecord, error) {
	if len(b) != auditRecordSize {
		return auditRecord{}, fmt.Errorf("%w: audit record of %d bytes", ErrCheckpointCorrupt, len(b))
	}
	r := auditRecord{
		pos:   eventstore.Position{Commit: binary.BigEndian.Uint64(b[0:]), Prepare: binary.BigEndian.Uint64(b[8:])},
		at:    int64(binary.BigEndian.Uint64(b[16:])),
		typ:   b[24],
		role:  b[25],
		delta: int8(b[26]),
		cs:    binary.BigEndian.Uint16(b[28:]),
		ks:    binary.BigEndian.Uint16(b[30:]),
	}
	if int(r.typ) >= len(auditEventTypes) || int(r.role) >= len(auditRoles) || r.delta < -1 || r.delta > 1 || b[27] != 0 {
		return auditRecord{}, fmt.Errorf("%w: bad audit record", ErrCheckpointCorrupt)
	}
	return r, nil
}

// AuditEntry is one entry of a petition's audit trail: an event that
// changed the petition or its signature count. It holds no personal data.
type AuditEntry struct {
	Position  eventstore.Position
	At        time.Time // domain time
	EventType string
	ActorRole string
	Delta     int            // change to the signature count
	Hash      eventhash.Hash // see package eventhash
}

func (r auditRecord) entry(h eventhash.Hash) AuditEntry {
	return AuditEntry{Position: r.pos, At: timeOf(r.at), EventType: auditEventTypes[r.typ],
		ActorRole: auditRoles[r.role], Delta: int(r.delta), Hash: h}
}

// auditLog writes and reads the per-petition audit files. Appends and
// flushes come from the Ledger's goroutine only; reads may come from any
// goroutine and only read entries already flushed.
type auditLog struct {
	dir      string
	pending  map[int64][]byte   // records not yet written, per petition
	unsynced map[int64]bool     // files written since the last sync
	files    map[int64]*os.File // open for appending, at most maxOpenAuditFiles
}

// maxOpenAuditFiles bounds the append handles kept open between flushes.
const maxOpenAuditFiles = 256

func openAuditLog(dir string) (*auditLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("projections: audit dir: %w", err)
	}
	return &auditLog{dir: dir, pending: map[int64][]byte{}, unsynced: map[int64]bool{}, files: map[int64]*os.File{}}, nil
}

// closeFiles closes every cached append handle.
func (a *auditLog) closeFiles() error {
	var errs []error
	for id, f := range a.files {
		errs = append(errs, f.Close())
		delete(a.files, id)
	}
	return errors.Join(errs...)
}

func (a *auditLog) path(id int64) string {
	return filepath.Join(a.dir, strconv.FormatInt(id, 10)+".audit")
}

func (a *auditLog) append(id int64, r *auditRecord) {
	a.pending[id] = r.appendTo(a.pending[id])
}

// flush writes every pending record to its file (no fsync).
func (a *auditLog) flush() error {
	ids := make([]int64, 0, len(a.pending))
	for id := range a.pending {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := a.writeFile(id, a.pending[id]); err != nil {
			return err
		}
		a.unsynced[id] = true
		delete(a.pending, id)
	}
	return nil
}

func (a *auditLog) writeFile(id int64, b []byte) error {
	f := a.files[id]
	if f == nil {
		if len(a.files) >= maxOpenAuditFiles {
			if err := a.closeFiles(); err != nil {
				return fmt.Errorf("projections: audit: %w", err)
			}
		}
		var err error
		f, err = os.OpenFile(a.path(id), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("projections: audit of petition %d: %w", id, err)
		}
		a.files[id] = f
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("projections: audit of petition %d: %w", id, err)
	}
	return nil
}

// sync fsyncs every file written since the last sync, then the directory.
func (a *auditLog) sync() error {
	if err := a.flush(); err != nil {
		return err
	}
	for id := range a.unsynced {
		var err error
		if f := a.files[id]; f != nil {
			err = f.Sync()
		} else {
			err = syncFile(a.path(id))
		}
		if err != nil {
			return fmt.Errorf("projections: sync audit of petition %d: %w", id, err)
		}
	}
	clear(a.unsynced)
	return syncDir(a.dir)
}

// truncate cuts the audit file of petition id to n entries; it fails if the
// file holds fewer.
func (a *auditLog) truncate(id int64, n uint64) error {
	if err := a.closeFiles(); err != nil {
		return err
	}
	p := a.path(id)
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) && n == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: audit of petition %d: %v", ErrCheckpointCorrupt, id, err)
	}
	want := int64(n) * auditRecordSize
	if fi.Size() < want {
		return fmt.Errorf("%w: audit of petition %d holds %d bytes, checkpoint needs %d", ErrCheckpointCorrupt, id, fi.Size(), want)
	}
	if fi.Size() > want {
		return os.Truncate(p, want)
	}
	return nil
}

// removeAll deletes every audit file (before a rebuild from zero).
func (a *auditLog) removeAll() error {
	if err := a.closeFiles(); err != nil {
		return err
	}
	clear(a.pending)
	clear(a.unsynced)
	if err := os.RemoveAll(a.dir); err != nil {
		return fmt.Errorf("projections: remove audit dir: %w", err)
	}
	return os.MkdirAll(a.dir, 0o755)
}

// read returns up to n entries of petition id starting at entry from,
// never past entry limit (the count the reader's view covers).
func (a *auditLog) read(id int64, from, n, limit uint64) ([]auditRecord, error) {
	if from >= limit || n == 0 {
		return nil, nil
	}
	n = min(n, limit-from)
	f, err := os.Open(a.path(id))
	if err != nil {
		return nil, fmt.Errorf("projections: audit of petition %d: %w", id, err)
	}
	defer f.Close()
	buf := make([]byte, n*auditRecordSize)
	if _, err := f.ReadAt(buf, int64(from)*auditRecordSize); err != nil {
		return nil, fmt.Errorf("projections: audit of petition %d: %w", id, err)
	}
	out := make([]auditRecord, 0, n)
	for i := uint64(0); i < n; i++ {
		r, err := decodeAuditRecord(buf[i*auditRecordSize : (i+1)*auditRecordSize])
		if err != nil {
			return nil, fmt.Errorf("petition %d entry %d: %w", id, from+i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	serr := f.Sync()
	return errors.Join(serr, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	return errors.Join(serr, d.Close())
}

// removeExcept deletes the audit files of petitions not in keep: petitions
// created after the checkpoint was written, which the catch-up recreates.
func (a *auditLog) removeExcept(keep map[int64]*petition) error {
	if err := a.closeFiles(); err != nil {
		return err
	}
	entries, err := os.ReadDir(a.dir)
	if err != nil {
		return fmt.Errorf("projections: audit dir: %w", err)
	}
	for _, e := range entries {
		idText, ok := strings.CutSuffix(e.Name(), ".audit")
		id, perr := strconv.ParseInt(idText, 10, 64)
		if ok && perr == nil && keep[id] != nil {
			continue
		}
		if err := os.Remove(filepath.Join(a.dir, e.Name())); err != nil {
			return fmt.Errorf("projections: audit dir: %w", err)
		}
	}
	return nil
}
