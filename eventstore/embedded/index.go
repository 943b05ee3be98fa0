package embedded

// The stream index maps a stream to the place of its events. It never holds
// stream names: a slot is keyed by a 64-bit hash of the name and names are
// verified against the first record of the stream on disk (hash collisions
// simply take another slot). See doc.go.

// Bits of slot.state besides the revision.
const (
	stateTombstoned = 1 << 63 // a $streamDeleted record was written
	stateNoEvents   = 1 << 62 // the stream has no event (only a tombstone)
	stateRevMask    = stateNoEvents - 1
)

// slot is one entry of the open-addressing table: 24 bytes.
type slot struct {
	hash  uint64 // hash of the stream name; the slot is empty when first == 0
	first uint64 // position of the stream's first record (holds its name)
	state uint64 // last revision | stateTombstoned | stateNoEvents
}

func (s *slot) lastRev() uint64  { return s.state & stateRevMask }
func (s *slot) tombstoned() bool { return s.state&stateTombstoned != 0 }
func (s *slot) hasEvents() bool  { return s.state&stateNoEvents == 0 }

// streamIndex is the table plus the position lists of streams with more
// than one event (keyed by the position of their first record).
// The writer goroutine is its only mutator; callers hold Store.mu for
// reading (readers) or writing (writer applying a commit).
type streamIndex struct {
	slots []slot // len is a power of two
	used  int
	lists map[uint64][]uint64 // first → position of every revision
}

func newStreamIndex(capacity int) *streamIndex {
	n := 1024
	for n*3/4 < capacity {
		n <<= 1
	}
	return &streamIndex{slots: make([]slot, n), lists: make(map[uint64][]uint64)}
}

// hashName hashes a stream name: FNV-1a followed by the splitmix64
// finaliser. It is fixed (snapshots persist it), never seeded.
func hashName(name string) uint64 { return finishHash(fnv1a(fnvOffset, name)) }

// hashMetaName is hashName("$$" + stream), without building the name.
func hashMetaName(stream string) uint64 {
	return finishHash(fnv1a(fnv1a(fnvOffset, "$$"), stream))
}

const fnvOffset = 14695981039346656037

func fnv1a(h uint64, s string) uint64 {
	const prime = 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

// finishHash is the splitmix64 finaliser (final avalanche).
func finishHash(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// probe calls visit for each occupied slot whose hash equals h, in probe
// order, until visit returns true; it returns that slot's index, or -1 and
// the index of the first empty slot on the probe path.
func (x *streamIndex) probe(h uint64, visit func(*slot) bool) (found int, empty int) {
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.first == 0 {
			return -1, int(i)
		}
		if s.hash == h && visit(s) {
			return int(i), -1
		}
	}
}

// insert adds a new slot; the caller checked the name is absent.
func (x *streamIndex) insert(h, first, state uint64) {
	if (x.used+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	_, e := x.probe(h, func(*slot) bool { return false })
	x.slots[e] = slot{hash: h, first: first, state: state}
	x.used++
}

func (x *streamIndex) grow() {
	old := x.slots
	x.slots = make([]slot, len(old)*2)
	mask := uint64(len(x.slots) - 1)
	for _, s := range old {
		if s.first == 0 {
			continue
		}
		i := s.hash & mask
		for x.slots[i].first != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}

// positions returns the position of every revision of the stream in slot s
// (revisions 0..lastRev). The slice must not be modified.
func (x *streamIndex) positions(s *slot) []uint64 {
	if !s.hasEvents() {
		return nil
	}
	if s.lastRev() == 0 {
		return []uint64{s.first}
	}
	return x.lists[s.first]
}

// memoryBytes estimates the heap the index holds.
func (x *streamIndex) memoryBytes() uint64 {
	n := uint64(len(x.slots)) * 24
	for _, l := range x.lists {
		n += uint64(cap(l))*8 + 64
	}
	return n
}

// nameHash is the hash the index uses for a stream name.
func nameHash(name string) uint64 { return remapHash(hashName(name)) }

// metaNameHash is nameHash("$$" + stream) without allocating the name.
func metaNameHash(stream string) uint64 { return remapHash(hashMetaName(stream)) }

// hashRemap, when tests set it, maps every hash to force collisions.
var hashRemap func(uint64) uint64

func remapHash(h uint64) uint64 {
	if hashRemap != nil {
		return hashRemap(h)
	}
	return h
}
