package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// gzipped compresses body when the client accepts gzip and the page is big
// enough to gain (the petition page's map and table are ~300 KB of HTML).
func gzipped(r *http.Request, body []byte) ([]byte, bool) {
	if len(body) < 4096 || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		return nil, false
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, false
	}
	if _, err := zw.Write(body); err != nil {
		return nil, false
	}
	if err := zw.Close(); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
