package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Segment file header: 16 bytes.
//
//	off size field
//	0   8    magic "PLEDGLOG"
//	8   4    format version (formatVersion)
//	12  4    CRC-32C of bytes [0, 12)
const (
	segHeaderSize = 16
	segMagic      = "PLEDGLOG"
	formatVersion = 1
	segPrefix     = "seg-"
	segSuffix     = ".log"
)

// segment is one append-only file. base is the global position of its
// first byte (its header); a record at file offset o has position base+o.
type segment struct {
	base uint64
	path string
	f    *os.File
}

func segmentName(base uint64) string { return fmt.Sprintf("%s%020d%s", segPrefix, base, segSuffix) }

// parseSegmentName returns the base position encoded in a segment file name.
func parseSegmentName(name string) (uint64, bool) {
	if !strings.HasPrefix(name, segPrefix) || !strings.HasSuffix(name, segSuffix) {
		return 0, false
	}
	digits := strings.TrimSuffix(strings.TrimPrefix(name, segPrefix), segSuffix)
	if len(digits) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

func segmentHeader() []byte {
	h := make([]byte, segHeaderSize)
	copy(h, segMagic)
	binary.LittleEndian.PutUint32(h[8:], formatVersion)
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
	return h
}

// checkSegmentHeader validates the first bytes of a segment file.
func checkSegmentHeader(h []byte) error {
	if len(h) < segHeaderSize {
		return errTorn
	}
	if string(h[:8]) != segMagic {
		return fmt.Errorf("%w: bad magic %q", errBadRecord, h[:8])
	}
	if crc32.Checksum(h[:12], castagnoli) != binary.LittleEndian.Uint32(h[12:]) {
		return fmt.Errorf("%w: header CRC mismatch", errBadRecord)
	}
	if v := binary.LittleEndian.Uint32(h[8:]); v != formatVersion {
		return fmt.Errorf("%w: unsupported format version %d", ErrCorrupt, v)
	}
	return nil
}

// listSegments returns the segment files of dir sorted by base.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, e := range ents {
		if base, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			segs = append(segs, segment{base: base, path: filepath.Join(dir, e.Name())})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].base < segs[j].base })
	return segs, nil
}

// createSegment creates a new segment file with its header, fsyncs it and
// its directory.
func createSegment(dir string, base uint64) (*segment, error) {
	path := filepath.Join(dir, segmentName(base))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(segmentHeader()); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return &segment{base: base, path: path, f: f}, nil
}

// syncDir fsyncs a directory so that created, renamed or removed entries
// are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// fdatasync flushes f's data (and the size, which reading it back needs).
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// syncData is the writer's durability call; tests swap it to inject
// failures.
var syncData = fdatasync
