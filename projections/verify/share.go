package verify

import "github.com/shopspring/decimal"

// ShareScale is the number of decimal places of every share and rate.
const ShareScale = 6

// Share returns count/total rounded half-even to ShareScale decimal places,
// computed exactly in integers; 0 when total is 0.
func Share(count, total int64) decimal.Decimal {
	if total == 0 {
		return decimal.New(0, -ShareScale)
	}
	const unit = 1_000_000 // 10^ShareScale
	q, rem := (count*unit)/total, (count*unit)%total
	switch {
	case 2*rem > total, 2*rem == total && q%2 == 1:
		q++
	}
	return decimal.New(q, -ShareScale)
}

// ShareString is Share as a fixed-point string with ShareScale places.
func ShareString(count, total int64) string {
	return Share(count, total).StringFixed(ShareScale)
}
