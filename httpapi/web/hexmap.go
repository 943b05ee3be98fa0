package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

//go:embed assets/constituencies.hexjson
var hexFS embed.FS

// hexLayout is a HexJSON document (https://open-innovations.org/projects/hexmaps/hexjson).
type hexLayout struct {
	Layout string             `json:"layout"`
	Hexes  map[string]hexCell `json:"hexes"`
}

type hexCell struct {
	Name string `json:"n"`
	Q    int    `json:"q"`
	R    int    `json:"r"`
}

// hexGeom is one constituency's hexagon, placed in SVG user units.
type hexGeom struct {
	Code   string
	Name   string
	X, Y   float64 // centre
	Points string  // polygon points
}

// hexMap is the parsed, placed layout, sorted by code.
type hexMap struct {
	Hexes         []hexGeom
	Width, Height float64
}

const hexRadius = 10.0

// maxCoord bounds hex coordinates, so the map's size stays finite and sane.
const maxCoord = 10_000

// parseHexMap decodes an odd-r HexJSON layout into pointy-top hexagons: odd
// rows shift right by half a hex; r grows northwards, so y = maxR − r.
func parseHexMap(data []byte) (*hexMap, error) {
	var l hexLayout
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("web: hexjson: %w", err)
	}
	if l.Layout != "odd-r" {
		return nil, fmt.Errorf("web: hexjson layout %q, want odd-r", l.Layout)
	}
	if len(l.Hexes) == 0 {
		return nil, fmt.Errorf("web: hexjson has no hexes")
	}
	minQ, maxQ, minR, maxR := math.MaxInt, math.MinInt, math.MaxInt, math.MinInt
	for code, h := range l.Hexes {
		if h.Q < -maxCoord || h.Q > maxCoord || h.R < -maxCoord || h.R > maxCoord {
			return nil, fmt.Errorf("web: hexjson: %s at q=%d r=%d, beyond ±%d", code, h.Q, h.R, maxCoord)
		}
		minQ, maxQ, minR, maxR = min(minQ, h.Q), max(maxQ, h.Q), min(minR, h.R), max(maxR, h.R)
	}
	w := math.Sqrt(3) * hexRadius
	m := &hexMap{Width: float64(maxQ-minQ+1)*w + w/2 + 2, Height: float64(maxR-minR)*1.5*hexRadius + 2*hexRadius + 2}
	for code, h := range l.Hexes {
		x := float64(h.Q-minQ)*w + w/2 + 1
		if h.R&1 != 0 {
			x += w / 2
		}
		y := float64(maxR-h.R)*1.5*hexRadius + hexRadius + 1
		m.Hexes = append(m.Hexes, hexGeom{Code: code, Name: h.Name, X: x, Y: y, Points: hexPoints(x, y)})
	}
	sort.Slice(m.Hexes, func(i, j int) bool { return m.Hexes[i].Code < m.Hexes[j].Code })
	return m, nil
}

func hexPoints(x, y float64) string {
	var b []byte
	for i := range 6 {
		a := math.Pi / 180 * float64(60*i-30)
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, x+hexRadius*math.Cos(a), 'f', 1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, y+hexRadius*math.Sin(a), 'f', 1, 64)
	}
	return string(b)
}

func loadHexMap() (*hexMap, error) {
	data, err := hexFS.ReadFile("assets/constituencies.hexjson")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return parseHexMap(data)
}
