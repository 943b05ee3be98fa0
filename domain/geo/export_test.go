package geo

// LoadEmbedded decodes the embedded data afresh (Default caches it), for
// the load benchmark.
func LoadEmbedded() *Data {
	d, err := load()
	if err != nil {
		panic(err)
	}
	return d
}

// EachPostcode calls fn for every postcode of the table, for the
// comparison benchmark.
func (d *Data) EachPostcode(fn func(pc, ons string) bool) { d.table.Each(fn) }
