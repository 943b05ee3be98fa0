package embedded

// warmIndex touches the index slots where each request's stream and its
// metastream would be found, before the batch is applied. The loads are
// independent, so the CPU overlaps their cache misses instead of taking
// them one at a time inside the dependent probe loops of apply (the table
// is far larger than the caches at millions of streams). It changes
// nothing. Runs on the writer goroutine, the index's only mutator.
func (s *Store) warmIndex(batch []*request) {
	slots := s.idx.slots
	mask := uint64(len(slots) - 1)
	var sink uint64
	for _, r := range batch {
		sink += slots[nameHash(r.stream)&mask].first
		sink += slots[metaNameHash(r.stream)&mask].first
	}
	s.w.warmSink = sink
}

// warmInserts does the same for the slots where publish will insert the
// batch's new streams (the fsync in between lets other processes evict
// them), before publish takes the lock that readers wait on.
func (s *Store) warmInserts() {
	slots := s.idx.slots
	mask := uint64(len(slots) - 1)
	var sink uint64
	for _, ws := range s.w.pending {
		if ws.dirty && !ws.inIndex {
			sink += slots[ws.hash&mask].first
		}
	}
	s.w.warmSink += sink
}
