// Package pctable encodes and decodes the compact postcode → constituency
// table embedded by domain/geo. The byte layout is documented in
// domain/geo/doc.go ("Postcode table format"); this file holds its
// constants.
package pctable

import (
	"errors"
	"hash/crc32"
)

// Magic opens every table file.
const Magic = "PLPC"

// Version is the only format version this package reads and writes.
const Version = 1

const (
	headerSize   = 24 // magic(4) version(2) reserved(2) codes(4) sectors(4) postcodes(4) runs(4)
	trailerSize  = 4  // CRC-32C of every byte before it
	wordsPerUnit = 7  // 7 × 64 = 448 ≥ 400 bits per sector bitmap
	bitmapSize   = wordsPerUnit * 8
	codeBits     = 10 // a run stores its constituency index in the low 10 bits
	maxCodes     = 1 << codeBits
	maxPostcodes = 1 << (32 - codeBits) // run starts have 22 bits
	maxCodeLen   = 32
)

// castagnoli is the CRC-32C table, as used by the event store.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Sentinel errors. Decode wraps ErrCorrupt with what was wrong and where;
// Encode wraps ErrInvalidInput.
var (
	ErrCorrupt      = errors.New("pctable: corrupt table")
	ErrVersion      = errors.New("pctable: unsupported table version")
	ErrInvalidInput = errors.New("pctable: invalid input")
)
