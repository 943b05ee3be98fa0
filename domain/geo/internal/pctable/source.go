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
// calls fn for each row in file order.
func ReadPostcodes(path string, fn func(postcode, code string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pctable: open postcode list: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("pctable: %s: %w", path, err)
	}
	return readPairs(zr, path, "postcode,ons_code", func(a, b string) error { return fn(a, b) })
}

// ReadExamples reads example_postcodes.csv (header "ons_code,postcode")
// and calls fn for each row in file order.
func ReadExamples(path string, fn func(postcode, code string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pctable: open example postcodes: %w", err)
	}
	defer f.Close()
	return readPairs(f, path, "ons_code,postcode", func(a, b string) error { return fn(b, a) })
}

// readPairs reads a two-column CSV whose fields never need quoting.
func readPairs(r io.Reader, name, header string, fn func(a, b string) error) error {
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
		if err := fn(string(a), string(b)); err != nil {
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
	entries := make([]Entry, 0, 1<<21)
	seen := make(map[string]bool, 1<<21)
	err := ReadPostcodes(filepath.Join(dir, PostcodesFile), func(pc, code string) error {
		if seen[pc] {
			return fmt.Errorf("%w: duplicate postcode %q", ErrInvalidInput, pc)
		}
		seen[pc] = true
		entries = append(entries, Entry{Postcode: pc, Code: code})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = ReadExamples(filepath.Join(dir, ExamplesFile), func(pc, code string) error {
		if !seen[pc] {
			seen[pc] = true
			entries = append(entries, Entry{Postcode: pc, Code: code})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return Encode(entries)
}
