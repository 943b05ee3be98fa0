package projections

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Checkpoint file format (version 2), all integers big-endian:
//
//	magic    8 bytes  "PLPROJ\x00\x01"
//	version  uint32   checkpointVersion
//	commit   uint64   $all position covered (commit)
//	prepare  uint64   $all position covered (prepare)
//	applied  uint64   events folded
//	length   uint64   payload length
//	payload  length bytes: the ledger state (see encodeLedger)
//	crc      uint32   CRC-32C (Castagnoli) of every byte before it
//
// It is written atomically: temp file in the same directory, fsync, rename,
// fsync the directory. The audit files are fsynced before it, so a
// checkpoint never covers audit entries that are not durable. A file with a
// bad magic, length or CRC is ErrCheckpointCorrupt; another version is
// ErrCheckpointVersion. Either way the Runner rebuilds from zero.
const (
	checkpointMagic   = "PLPROJ\x00\x01"
	checkpointVersion = 2 // 2: PetitionSponsorWithdrawn is folded; a version-1 state may have missed one
	checkpointHeader  = 8 + 4 + 8 + 8 + 8 + 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeCheckpointFile writes a checkpoint atomically.
func writeCheckpointFile(path string, pos eventstore.Position, applied uint64, payload []byte) error {
	b := make([]byte, 0, checkpointHeader+len(payload)+4)
	b = append(b, checkpointMagic...)
	b = binary.BigEndian.AppendUint32(b, checkpointVersion)
	b = binary.BigEndian.AppendUint64(b, pos.Commit)
	b = binary.BigEndian.AppendUint64(b, pos.Prepare)
	b = binary.BigEndian.AppendUint64(b, applied)
	b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	b = append(b, payload...)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return writeFileAtomic(path, b)
}

// writeFileAtomic writes b to path: temp file, fsync, rename, fsync dir.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("projections: checkpoint: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("projections: checkpoint %q: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("projections: checkpoint: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("projections: checkpoint: sync dir %q: %w", dir, err)
	}
	return nil
}

// checkpointFile is a decoded checkpoint.
type checkpointFile struct {
	pos     eventstore.Position
	applied uint64
	payload []byte
}

// decodeCheckpoint validates and splits a checkpoint file's bytes.
func decodeCheckpoint(b []byte) (checkpointFile, error) {
	if len(b) < checkpointHeader+4 || !bytes.Equal(b[:8], []byte(checkpointMagic)) {
		return checkpointFile{}, fmt.Errorf("%w: bad magic or short file (%d bytes)", ErrCheckpointCorrupt, len(b))
	}
	if v := binary.BigEndian.Uint32(b[8:]); v != checkpointVersion {
		return checkpointFile{}, fmt.Errorf("%w: version %d, want %d", ErrCheckpointVersion, v, checkpointVersion)
	}
	n := binary.BigEndian.Uint64(b[36:])
	if n != uint64(len(b)-checkpointHeader-4) {
		return checkpointFile{}, fmt.Errorf("%w: payload length %d in a file of %d bytes", ErrCheckpointCorrupt, n, len(b))
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.BigEndian.Uint32(b[len(b)-4:]); got != want {
		return checkpointFile{}, fmt.Errorf("%w: crc %08x, want %08x", ErrCheckpointCorrupt, got, want)
	}
	return checkpointFile{
		pos:     eventstore.Position{Commit: binary.BigEndian.Uint64(b[12:]), Prepare: binary.BigEndian.Uint64(b[20:])},
		applied: binary.BigEndian.Uint64(b[28:]),
		payload: body[checkpointHeader:],
	}, nil
}

// writeLedgerCheckpoint makes the audit trail durable, then writes the
// ledger's state.
func writeLedgerCheckpoint(path string, l *Ledger) error {
	if err := l.audit.sync(); err != nil {
		return err
	}
	return writeCheckpointFile(path, l.pos, l.applied, encodeLedger(l))
}

// loadOrRebuild returns the ledger from the checkpoint in cfg.Dir, or an
// empty ledger (with the audit trail wiped) when there is no valid one.
func loadOrRebuild(cfg Config) (*Ledger, error) {
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("projections: %w", err)
	}
	l, err := newLedger(cfg.Places, cfg.Rules, cfg.auditDir(), cfg.Logger)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(cfg.checkpointPath())
	if errors.Is(err, fs.ErrNotExist) {
		cfg.Logger.Info("projections: no checkpoint, rebuilding from zero", "dir", cfg.Dir)
		return l, l.audit.removeAll()
	}
	if err == nil {
		err = restoreLedger(l, b)
	}
	if err != nil {
		cfg.Logger.Warn("projections: checkpoint unusable, rebuilding from zero",
			"path", cfg.checkpointPath(), "error", err.Error())
		l, err = newLedger(cfg.Places, cfg.Rules, cfg.auditDir(), cfg.Logger)
		if err != nil {
			return nil, err
		}
		return l, l.audit.removeAll()
	}
	cfg.Logger.Info("projections: checkpoint loaded", "position", l.pos.String(), "events", l.applied)
	return l, nil
}

// restoreLedger fills an empty ledger from a checkpoint file's bytes and
// cuts the audit files back to the entries it covers.
func restoreLedger(l *Ledger, b []byte) error {
	cf, err := decodeCheckpoint(b)
	if err != nil {
		return err
	}
	if err := decodeLedger(l, cf.payload); err != nil {
		return err
	}
	l.pos, l.applied = cf.pos, cf.applied
	for _, p := range l.byOrdinal {
		if err := l.audit.truncate(p.st.ID, p.st.AuditLen); err != nil {
			return err
		}
		p.touched = true // the first view must publish every petition
		l.touched = append(l.touched, p)
	}
	return l.audit.removeExcept(l.petitions)
}
