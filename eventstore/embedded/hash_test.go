package embedded

import "testing"

// TestHashMetaName: the allocation-free hash of a metastream name equals
// the hash of the name built in full (the index and snapshots rely on it).
func TestHashMetaName(t *testing.T) {
	tests := []struct {
		stream string
		want   uint64
	}{
		{"a", hashName("$$a")},
		{"petition-123", hashName("$$petition-123")},
		{"$$meta", hashName("$$$$meta")},
		{"bench-255-1000000-with-a-name-longer-than-32-bytes", hashName("$$bench-255-1000000-with-a-name-longer-than-32-bytes")},
	}
	for _, tt := range tests {
		if got := hashMetaName(tt.stream); got != tt.want {
			t.Errorf("hashMetaName(%q) = %#x, want %#x", tt.stream, got, tt.want)
		}
	}
	// The hash is persisted in snapshots: pin one value (FNV-1a 64 then
	// splitmix64's finaliser, computed independently).
	if got, want := hashName("petition-1"), uint64(0x6968c0050dfd6bc3); got != want {
		t.Errorf("hashName(petition-1) = %#x, want %#x", got, want)
	}
}
