package verify

import "testing"

func TestShareRoundsHalfEven(t *testing.T) {
	tests := []struct {
		count, total int64
		want         string
	}{
		{0, 0, "0.000000"},
		{1, 3, "0.333333"},
		{2, 3, "0.666667"},
		{1, 1, "1.000000"},
		{1, 2_000_000, "0.000000"}, // 0.0000005 → even 0
		{3, 2_000_000, "0.000002"}, // 0.0000015 → even 2
		{5, 2_000_000, "0.000002"}, // 0.0000025 → even 2
		{7, 2_000_000, "0.000004"}, // 0.0000035 → even 4
		{44150, 44150, "1.000000"},
		{1369, 44150, "0.031008"},
	}
	for _, tt := range tests {
		if got := ShareString(tt.count, tt.total); got != tt.want {
			t.Errorf("Share(%d, %d) = %s, want %s", tt.count, tt.total, got, tt.want)
		}
	}
}
