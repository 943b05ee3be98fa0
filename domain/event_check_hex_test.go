package domain

import (
	"encoding/hex"
	"testing"
)

// TestIsHexMatchesDecodeString checks isHex accepts exactly what
// hex.DecodeString accepts for even-length input (checkKey's old test).
func TestIsHexMatchesDecodeString(t *testing.T) {
	tests := []string{"", "00", "ab", "AB", "aF09", "0g", "g0", "zz", " a", "a ", "é0", "\x00\x00", "0123456789abcdefABCDEF00"}
	for c := 0; c < 256; c++ {
		tests = append(tests, string([]byte{byte(c), '0'}))
	}
	for _, s := range tests {
		_, err := hex.DecodeString(s)
		if got, want := isHex(s), err == nil; got != want {
			t.Errorf("isHex(%q) = %v, want %v", s, got, want)
		}
	}
}
