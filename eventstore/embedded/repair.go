package embedded

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// ErrWouldDropRecords is Repair's refusal to drop CRC-valid records without
// RepairOptions.DropValidRecords.
var ErrWouldDropRecords = errors.New("embedded: repair would drop records that pass their CRC")

// RepairOptions configure Repair.
type RepairOptions struct {
	// DropValidRecords allows a repair of mid-log corruption that drops
	// records after the damage that still pass their CRC (possibly
	// acknowledged events). Without it Repair refuses and says what it
	// would drop.
	DropValidRecords bool
	// Logger receives one line per action; nil means slog.Default().
	Logger *slog.Logger
}

// RepairAction is one thing Repair did.
type RepairAction struct {
	Problem Problem
	// Backup is the copy of the damaged segment taken before truncating.
	Backup string
	// SetAside are the later segments renamed out of the log.
	SetAside []string
	// Dropped counts CRC-valid records no longer in the log.
	Dropped int
}

// Repair fixes dir so that Open accepts it: it truncates the log at the
// end of the last complete transaction before the first problem, after
// copying the damaged segment aside (FILE.bad-<unix nanos>); segments after
// it are renamed aside (FILE.dropped-<unix nanos>), never deleted. The
// index snapshot is removed. It repeats until Check finds nothing.
func Repair(dir string, opts RepairOptions) ([]RepairAction, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlockDir(lock)
	var actions []RepairAction
	for range 1000 {
		rep, err := check(dir)
		if err != nil {
			return actions, err
		}
		if rep.OK() {
			return actions, nil
		}
		p := rep.Problems[0]
		if p.ValidAfter > 0 && !opts.DropValidRecords {
			return actions, fmt.Errorf("%w: %s; it would drop %d CRC-valid records (from offset %d of %s and the segments %v); rerun with the explicit flag to accept",
				ErrWouldDropRecords, p, p.ValidAfter, p.Cut, p.File, p.LaterSegments)
		}
		a, err := repairOne(dir, p, opts.Logger)
		actions = append(actions, a)
		if err != nil {
			return actions, err
		}
	}
	return actions, fmt.Errorf("embedded: repair of %s does not converge", dir)
}

func repairOne(dir string, p Problem, log *slog.Logger) (RepairAction, error) {
	a := RepairAction{Problem: p, Dropped: p.ValidAfter}
	stamp := fmt.Sprintf("%d", time.Now().UnixNano())
	a.Backup = p.File + ".bad-" + stamp
	if err := copyFile(p.File, a.Backup); err != nil {
		return a, fmt.Errorf("embedded: repair: back up %s: %w", p.File, err)
	}
	for _, name := range p.LaterSegments {
		from := filepath.Join(dir, name)
		to := from + ".dropped-" + stamp
		if err := os.Rename(from, to); err != nil {
			return a, fmt.Errorf("embedded: repair: set aside %s: %w", from, err)
		}
		a.SetAside = append(a.SetAside, to)
	}
	if err := truncateSegment(p); err != nil {
		return a, err
	}
	if err := os.Remove(filepath.Join(dir, snapshotFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return a, fmt.Errorf("embedded: repair: remove snapshot: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return a, err
	}
	log.Warn("embedded: repaired", slog.String("problem", string(p.Kind)), slog.String("file", p.File),
		slog.Int64("offset", p.Offset), slog.Int64("truncated_at", p.Cut), slog.String("backup", a.Backup),
		slog.Int("segments_set_aside", len(a.SetAside)), slog.Int("valid_records_dropped", a.Dropped))
	return a, nil
}

// truncateSegment cuts the damaged file at p.Cut, or rewrites a bad header.
func truncateSegment(p Problem) error {
	f, err := os.OpenFile(p.File, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("embedded: repair: %w", err)
	}
	defer f.Close()
	if p.Kind == ProblemBadHeader || p.Cut < segHeaderSize {
		err = rewriteHeader(&segment{path: p.File, f: f})
	} else {
		err = f.Truncate(p.Cut)
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		return fmt.Errorf("embedded: repair: truncate %s at %d: %w", p.File, p.Cut, err)
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
