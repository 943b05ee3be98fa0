package demo

// WithScale returns opts with every crowd shrunk by factor, for quick tests.
func WithScale(opts Options, factor float64) Options {
	opts.scale = factor
	return opts
}
