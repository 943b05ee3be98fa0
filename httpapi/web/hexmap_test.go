package web

import (
	"math"
	"testing"
)

func TestEmbeddedHexMapHas650Constituencies(t *testing.T) {
	m, err := loadHexMap()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Hexes) != 650 {
		t.Fatalf("%d hexes, want 650", len(m.Hexes))
	}
	seen := map[[2]float64]string{}
	for _, h := range m.Hexes {
		k := [2]float64{math.Round(h.X * 10), math.Round(h.Y * 10)}
		if other, dup := seen[k]; dup {
			t.Fatalf("%s and %s share a cell", h.Code, other)
		}
		seen[k] = h.Code
		if h.X < 0 || h.Y < 0 || h.X > m.Width || h.Y > m.Height {
			t.Fatalf("%s at (%v,%v) outside %vx%v", h.Code, h.X, h.Y, m.Width, m.Height)
		}
	}
}

func TestParseHexMapOddR(t *testing.T) {
	w := math.Sqrt(3) * hexRadius
	m, err := parseHexMap([]byte(`{"layout":"odd-r","hexes":{"A":{"n":"a","q":0,"r":0},"B":{"n":"b","q":0,"r":1},"C":{"n":"c","q":1,"r":-1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, h := range m.Hexes {
		got[h.Code] = [2]float64{h.X, h.Y}
	}
	tests := []struct {
		code string
		x, y float64
	}{
		{"B", w/2 + 1 + w/2, hexRadius + 1},                   // top row (r=1, odd: shifted right)
		{"A", w/2 + 1, 1.5*hexRadius + hexRadius + 1},         // r=0
		{"C", w + w/2 + 1 + w/2, 3*hexRadius + hexRadius + 1}, // r=-1 is odd too
	}
	for _, tt := range tests {
		g := got[tt.code]
		if math.Abs(g[0]-tt.x) > 1e-9 || math.Abs(g[1]-tt.y) > 1e-9 {
			t.Errorf("%s at %v, want (%v,%v)", tt.code, g, tt.x, tt.y)
		}
	}
}

func TestParseHexMapRejects(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"layout":"odd-q","hexes":{"A":{"q":0,"r":0}}}`, `{"layout":"odd-r","hexes":{}}`, `[1]`, `{"layout":"odd-r","hexes":{"A":{"q":9223372036854775807,"r":0}}}`} {
		if _, err := parseHexMap([]byte(in)); err == nil {
			t.Errorf("parseHexMap(%q) accepted", in)
		}
	}
}

func FuzzParseHexMap(f *testing.F) {
	f.Add([]byte(`{"layout":"odd-r","hexes":{"A":{"n":"a","q":0,"r":0}}}`))
	f.Add([]byte(`{"layout":"odd-r","hexes":{"A":{"n":"a","q":-5,"r":-7},"B":{"n":"b","q":3,"r":2}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseHexMap(data)
		if err != nil {
			return
		}
		for _, h := range m.Hexes {
			if h.X < 0 || h.Y < 0 || h.X > m.Width || h.Y > m.Height {
				t.Fatalf("%s at (%v,%v) outside %vx%v", h.Code, h.X, h.Y, m.Width, m.Height)
			}
		}
	})
}

func TestColourBins(t *testing.T) {
	tests := []struct {
		max, count int64
		want       string
	}{
		{0, 0, binColours[0]}, {10, 0, binColours[0]}, {10, 1, binColours[1]}, {10, 2, binColours[1]},
		{10, 3, binColours[2]}, {10, 10, binColours[5]}, {1, 1, binColours[1]}, {44150, 44150, binColours[5]},
	}
	for _, tt := range tests {
		if got := colourOf(colourBins(tt.max), tt.count); got != tt.want {
			t.Errorf("max %d count %d: %s, want %s", tt.max, tt.count, got, tt.want)
		}
	}
}

func TestComma(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 44150: "44,150", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := comma(in); got != want {
			t.Errorf("comma(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false}, {"gzip", true}, {"br, gzip, deflate", true}, {"GZIP;q=0.5", true}, {"gzip;q=0", false}, {"identity", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
