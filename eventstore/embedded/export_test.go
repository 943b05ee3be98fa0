package embedded

// crcC exposes the record checksum to the black-box tests.
func CrcForTest(b []byte) uint32 { return crcOf(b) }
