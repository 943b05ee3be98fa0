package pctable

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Source file names inside the shared data directory.
const (
	PostcodesFile = "postcodes.csv.gz"
	ExamplesFile  = "example_postcodes.csv"
)

// ReadPostcodes reads postcodes.csv.gz (header "postcode,ons_code") and
// calls fn for each row in file order. The slices are valid only during the
// call.
func ReadPostcodes(path string, fn func(postcode, code []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pctable: open postcode list: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("pctable: %s: %w", path, err)
	}
	return readPairs(zr, path, "postcode,ons_code", fn)
}

// ReadExamples reads example_postcodes.csv (header "ons_code,postcode")
// and calls fn for each row in file order. The slices are valid only during
// the call.
func ReadExamples(path string, fn func(postcode, code []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pctable: open example postcodes: %w", err)
	}
	defer f.Close()
	return readPairs(f, path, "ons_code,postcode", func(a, b []byte) error { return fn(b, a) })
}

// readPairs reads a two-column CSV whose fields never need quoting.
func readPairs(r io.Reader, name, header string, fn func(a, b []byte) error) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			if sc.Text() != header {
				return fmt.Errorf("%w: %s: header %q, want %q", ErrInvalidInput, name, sc.Text(), header)
			}
			continue
		}
		a, b, ok := bytes.Cut(sc.Bytes(), []byte{','})
		if !ok || bytes.IndexByte(b, ',') >= 0 || bytes.IndexByte(a, '"') >= 0 {
			return fmt.Errorf("%w: %s line %d: want two plain fields", ErrInvalidInput, name, line)
		}
		if err := fn(a, b); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("pctable: read %s: %w", name, err)
	}
	if line == 0 {
		return fmt.Errorf("%w: %s is empty", ErrInvalidInput, name)
	}
	return nil
}

// Build reads the postcode list and the example postcodes from dir (the
// shared data directory) and returns the encoded table. Example postcodes
// fill gaps (Northern Ireland, newer postcodes); where both files hold a
// postcode, the postcode list wins.
func Build(dir string) ([]byte, error) {
	b := newBuilder(1 << 21)
	if err := ReadPostcodes(filepath.Join(dir, PostcodesFile), b.add); err != nil {
		return nil, err
	}
	if err := b.sortUnique(); err != nil {
		return nil, fmt.Errorf("%s: %w", PostcodesFile, err)
	}
	var extra [][2][]byte
	err := ReadExamples(filepath.Join(dir, ExamplesFile), func(pc, code []byte) error {
		if !b.contains(pc) {
			extra = append(extra, [2][]byte{bytes.Clone(pc), bytes.Clone(code)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range extra {
		if err := b.add(e[0], e[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", ExamplesFile, err)
		}
	}
	return b.encode()
}
