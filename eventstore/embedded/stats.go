package embedded

// Stats describes a store's size and the memory its index holds.
type Stats struct {
	Streams    int    // streams in the index (metadata streams included)
	Segments   int    // segment files
	Head       uint64 // end of the durable log
	IndexBytes uint64 // heap held by the stream index (slots and position lists)
}

// Stats returns the current statistics.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{Streams: s.idx.used, Segments: len(s.segs), Head: s.head, IndexBytes: s.idx.memoryBytes()}
}
