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
