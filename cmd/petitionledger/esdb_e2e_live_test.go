package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveCounts follows a petition's Server-Sent Events stream on a node and
// remembers the latest count it announced.
type liveCounts struct {
	mu     sync.Mutex
	latest int64
	frames int
	err    error
	done   chan struct{}
}

// followLive opens /petitions/{id}/live on node until the test ends.
func followLive(t *testing.T, node *nodeProc, id int64) *liveCounts {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &liveCounts{latest: -1, done: make(chan struct{})}
	var resp *http.Response
	deadline := time.Now().Add(30 * time.Second)
	for { // the node may not have folded the petition's publication yet
		req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/petitions/%d/live", node.base, id), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err = http.DefaultClient.Do(req) // no timeout: the stream stays open
		if err == nil && resp.StatusCode == http.StatusOK {
			break
		}
		if err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("live counts on %s: %v %v", node.name, resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { cancel(); <-l.done })
	go func() {
		defer close(l.done)
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		for lines.Scan() {
			data, ok := strings.CutPrefix(lines.Text(), "data: ")
			if !ok {
				continue
			}
			var c struct {
				SignatureCount int64 `json:"signature_count"`
			}
			err := json.Unmarshal([]byte(data), &c)
			l.mu.Lock()
			if err != nil && l.err == nil {
				l.err = fmt.Errorf("frame %q: %w", data, err)
			}
			l.latest, l.frames = c.SignatureCount, l.frames+1
			l.mu.Unlock()
		}
	}()
	return l
}

// waitFor waits (bounded) until the stream has announced want.
func (l *liveCounts) waitFor(t *testing.T, who string, want int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l.mu.Lock()
		latest, frames, err := l.latest, l.frames, l.err
		l.mu.Unlock()
		if err != nil {
			t.Fatalf("live counts on %s: %v", who, err)
		}
		if latest == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("live counts on %s: latest of %d frames says %d, want %d", who, frames, latest, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
