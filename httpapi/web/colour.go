package web

import "strconv"

// colourBin is one band of the map's legend.
type colourBin struct {
	Colour string
	Label  string
	lo, hi int64 // inclusive
}

// sequential blues, light to dark; dark bins carry white text in the legend.
var binColours = []string{"#eef3fa", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"}

// colourBins splits 0..maxCount into the zero bin and five equal bands.
func colourBins(maxCount int64) []colourBin {
	bins := []colourBin{{Colour: binColours[0], Label: "0", lo: 0, hi: 0}}
	step := max((maxCount+4)/5, 1)
	for i := int64(0); i < 5; i++ {
		lo, hi := i*step+1, (i+1)*step
		bins = append(bins, colourBin{Colour: binColours[i+1], lo: lo, hi: hi,
			Label: strconv.FormatInt(lo, 10) + "–" + strconv.FormatInt(hi, 10)})
	}
	return bins
}

// colourOf returns the colour of count among bins.
func colourOf(bins []colourBin, count int64) string {
	for _, b := range bins {
		if count >= b.lo && count <= b.hi {
			return b.Colour
		}
	}
	return bins[len(bins)-1].Colour
}
