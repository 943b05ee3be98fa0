package storebench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// OpenResult is the outcome of opening a large store.
type OpenResult struct {
	Elapsed    time.Duration
	Streams    int
	LogBytes   int64
	SnapBytes  int64
	IndexBytes uint64 // heap of the stream index
	RSSBytes   uint64 // resident set after Open (VmRSS)
	PeakRSS    uint64 // peak resident set of the process (VmHWM)
	HeapBytes  uint64 // Go heap in use after Open
}

// EvictFromPageCache asks the kernel to drop the cached pages of the
// store's files (posix_fadvise DONTNEED), so that the next Open reads them
// from disk. It touches no other file.
func EvictFromPageCache(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		syscall.Fsync(int(f.Fd()))
		const fadvDontNeed = 4
		_, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0)
		f.Close()
		if errno != 0 {
			return fmt.Errorf("fadvise %s: %w", name, errno)
		}
	}
	return nil
}

// OpenCold opens the store in dir and measures time and memory. Call it
// in a fresh process (RSS includes everything the process did before).
func OpenCold(dir string) (OpenResult, error) {
	start := time.Now()
	s, err := embedded.Open(dir, embedded.WithLogger(quiet()))
	if err != nil {
		return OpenResult{}, err
	}
	res := OpenResult{Elapsed: time.Since(start)}
	st := s.Stats()
	res.Streams, res.IndexBytes = st.Streams, st.IndexBytes
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapBytes = ms.HeapInuse
	res.RSSBytes, res.PeakRSS = procStatus("VmRSS"), procStatus("VmHWM")
	res.LogBytes = logBytes(dir)
	if fi, err := os.Stat(filepath.Join(dir, "index.snap")); err == nil {
		res.SnapBytes = fi.Size()
	}
	return res, s.Close()
}

// procStatus reads a "kB" field of /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field+":") {
			fs := strings.Fields(line)
			if len(fs) >= 2 {
				n, _ := strconv.ParseUint(fs[1], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}
