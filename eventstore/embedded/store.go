package embedded

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Sentinel errors of the embedded store.
var (
	// ErrCorrupt reports damage before the tail of the log or in a file that
	// must be intact. It matches eventstore.ErrCorrupt.
	ErrCorrupt = fmt.Errorf("embedded: %w", eventstore.ErrCorrupt)
	// ErrLocked reports a data directory another Store holds.
	ErrLocked = errors.New("embedded: data directory is locked by another store")
	// ErrWriteFailed is the sticky error after a failed write or fsync: the
	// store refuses every later append. It matches eventstore.ErrUnavailable.
	ErrWriteFailed = fmt.Errorf("embedded: earlier write failed, store is read-only: %w", eventstore.ErrUnavailable)
)

var _ eventstore.Store = (*Store)(nil)

// Options configure Open. The zero value is valid.
type Options struct {
	// Logger receives recovery, snapshot and failure logs; nil means
	// slog.Default().
	Logger *slog.Logger
	// SegmentSize is the size at which a new segment file starts; 0 means
	// 256 MiB.
	SegmentSize int64
	// SnapshotEvery is how many bytes of log may be written between two
	// index snapshots; 0 means 256 MiB, negative disables periodic snapshots
	// (one is still written on Close).
	SnapshotEvery int64
	// OnSync, when set, is called by the writer after every group-commit
	// fsync with its duration and the number of records it made durable.
	OnSync func(d time.Duration, records int)
}

// Option changes Options.
type Option func(*Options)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// WithSegmentSize sets the segment size in bytes.
func WithSegmentSize(n int64) Option { return func(o *Options) { o.SegmentSize = n } }

// WithSnapshotEvery sets how many log bytes may pass between index snapshots.
func WithSnapshotEvery(n int64) Option { return func(o *Options) { o.SnapshotEvery = n } }

// WithSyncObserver sets Options.OnSync.
func WithSyncObserver(f func(d time.Duration, records int)) Option {
	return func(o *Options) { o.OnSync = f }
}

// WithOptions replaces every option with o.
func WithOptions(o Options) Option { return func(p *Options) { *p = o } }

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = 256 << 20
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = 256 << 20
	}
}

// Store is the embedded event store: a durable append-only log in one
// directory. See the package documentation.
type Store struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File

	// mu guards idx, segs and head for readers; the writer goroutine holds
	// it exclusively only while it publishes a commit.
	mu     sync.RWMutex
	idx    *streamIndex
	segs   []*segment
	head   uint64        // end of the durable, visible log
	notify chan struct{} // closed and replaced when head moves

	closeMu  sync.RWMutex
	closed   bool
	inflight sync.WaitGroup
	reqs     chan *request
	done     chan struct{} // closed when the writer goroutine exits

	w writer // owned by the writer goroutine

	snapCovered atomic.Uint64  // log position the newest snapshot covers
	snapBusy    atomic.Bool    // a background snapshot is being written
	snapWG      sync.WaitGroup // the background snapshot
}

// Open opens (creating if needed) the store in dir, recovers a torn tail,
// and starts the writer. A second Open of the same directory fails with
// ErrLocked until the first is closed.
func Open(dir string, opts ...Option) (*Store, error) {
	var o Options
	for _, f := range opts {
		f(&o)
	}
	o.setDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, opts: o, log: o.Logger, lock: lock, notify: make(chan struct{})}
	if err := s.load(); err != nil {
		s.closeFiles()
		unlockDir(lock)
		return nil, err
	}
	s.reqs = make(chan *request, 1024)
	s.done = make(chan struct{})
	go s.writeLoop()
	return s, nil
}

// Close stops the writer after the appends under way, writes an index
// snapshot and releases the directory. Later calls return ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return eventstore.ErrClosed
	}
	s.closed = true
	s.closeMu.Unlock()
	s.inflight.Wait()
	close(s.reqs)
	<-s.done
	var errs []error
	if s.w.err == nil {
		errs = append(errs, s.sealActive())
	}
	s.snapWG.Wait()
	if s.w.err == nil && s.snapCovered.Load() != s.head {
		if err := s.writeSnapshot(); err != nil {
			errs = append(errs, err)
		}
	}
	s.mu.Lock()
	close(s.notify) // wake subscribers; they see closed
	s.notify = make(chan struct{})
	s.mu.Unlock()
	errs = append(errs, s.closeFiles(), unlockDir(s.lock))
	return errors.Join(errs...)
}

func (s *Store) isClosed() bool {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	return s.closed
}

func (s *Store) closeFiles() error {
	var errs []error
	for _, seg := range s.segs {
		if seg.f != nil {
			errs = append(errs, seg.f.Close())
		}
	}
	return errors.Join(errs...)
}

// segmentFor returns the segment holding pos. Caller holds s.mu (or is the
// writer).
func (s *Store) segmentFor(pos uint64) *segment {
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].base > pos }) - 1
	if i < 0 {
		return nil
	}
	return s.segs[i]
}

// readAt reads len(b) bytes at global position pos. Caller holds s.mu for
// reading or is the writer.
func (s *Store) readAt(b []byte, pos uint64) (int, error) {
	seg := s.segmentFor(pos)
	if seg == nil {
		return 0, fmt.Errorf("embedded: position %d is before the first segment", pos)
	}
	return seg.f.ReadAt(b, int64(pos-seg.base))
}

// readRecord reads and decodes the record at pos from disk.
func (s *Store) readRecord(pos uint64) (record, error) {
	b := make([]byte, 512)
	n, err := s.readAt(b, pos)
	b = b[:n]
	size, perr := peekSize(b)
	if perr != nil {
		return record{}, s.corruptAt(pos, perr, err)
	}
	if uint32(len(b)) < size {
		b = make([]byte, size)
		n, err = s.readAt(b, pos)
		b = b[:n]
	}
	r, derr := decodeRecord(b)
	if derr != nil {
		return record{}, s.corruptAt(pos, derr, err)
	}
	return r, nil
}

func (s *Store) corruptAt(pos uint64, derr, ioErr error) error {
	seg := s.segmentFor(pos)
	name := "?"
	var off uint64
	if seg != nil {
		name, off = seg.path, pos-seg.base
	}
	if ioErr != nil && derr == errTorn {
		return fmt.Errorf("embedded: read %s at offset %d: %w", name, off, ioErr)
	}
	return fmt.Errorf("%w: %s at offset %d: %v", ErrCorrupt, name, off, derr)
}

// nameAt reports whether the record at pos belongs to stream name, reading
// only the header and the name.
func (s *Store) nameAt(pos uint64, name string) (bool, error) {
	b := make([]byte, recHeaderSize+len(name))
	if _, err := s.readAt(b, pos); err != nil {
		return false, fmt.Errorf("embedded: read stream name at %d: %w", pos, err)
	}
	sl := int(b[10]) | int(b[11])<<8
	return sl == len(name) && string(b[recHeaderSize:]) == name, nil
}

// lookupLocked finds stream in the index. Caller holds s.mu for reading.
func (s *Store) lookupLocked(stream string) (slot, bool, error) {
	return s.lookupHashLocked(stream, nameHash(stream))
}

// lookupHashLocked is lookupLocked with the stream's hash already known.
func (s *Store) lookupHashLocked(stream string, h uint64) (slot, bool, error) {
	var ioErr error
	i, _ := s.idx.probe(h, func(sl *slot) bool {
		ok, err := s.nameAt(sl.first, stream)
		if err != nil {
			ioErr = err
			return true
		}
		return ok
	})
	if ioErr != nil {
		return slot{}, false, ioErr
	}
	if i < 0 {
		return slot{}, false, nil
	}
	return s.idx.slots[i], true, nil
}
