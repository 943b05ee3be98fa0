package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"github.com/petitionledger/petitionledger/httpapi"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseReader reads events from a live stream.
type sseReader struct {
	sc   *bufio.Scanner
	resp *http.Response
}

func openLive(t *testing.T, f *fixture, id string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/petitions/"+id+"/live", nil)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseReader{sc: bufio.NewScanner(resp.Body), resp: resp}
}

// next returns the data of the next "count" event and its id.
func (s *sseReader) next(t *testing.T) (id, data string) {
	t.Helper()
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && data != "":
			return id, data
		}
	}
	t.Fatalf("stream ended: %v", s.sc.Err())
	return "", ""
}

func TestLiveCountsReachEverySubscriber(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	var subs []*sseReader
	for i := 0; i < 20; i++ {
		subs = append(subs, openLive(t, f, "1"))
	}
	for _, s := range subs {
		if _, data := s.next(t); !strings.Contains(data, `"signature_count":0`) {
			t.Fatalf("first event: %s", data)
		}
	}
	var pos string
	for i := 1; i <= 3; i++ {
		pos = f.sign(1, i, gbA).String()
	}
	for i, s := range subs {
		// Updates may be coalesced: read until the latest count arrives.
		for {
			id, data := s.next(t)
			if strings.Contains(data, `"signature_count":3`) {
				if id != pos {
					t.Fatalf("subscriber %d: event id %s, want %s", i, id, pos)
				}
				break
			}
			if !strings.Contains(data, `"signature_count":`) {
				t.Fatalf("subscriber %d: %s", i, data)
			}
		}
	}
}

func TestLiveEndsOnClose(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	s := openLive(t, f, "1")
	s.next(t)
	f.api.Close()
	done := make(chan error, 1)
	go func() {
		for s.sc.Scan() {
		}
		done <- s.sc.Err()
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("stream error: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the live stream did not end when the server closed")
	}
}

func TestLiveHeartbeatKeepsIdleStreamsAlive(t *testing.T) {
	f := newFixture(t, func(c *httpapi.Config) { c.LiveHeartbeat = 10 * time.Millisecond })
	f.openPetition(1, "Plant more trees")
	s := openLive(t, f, "1")
	s.next(t)
	for s.sc.Scan() { // no count changes: the next thing on the wire is a comment
		if line := s.sc.Text(); strings.HasPrefix(line, ": keep-alive") {
			return
		} else if line != "" {
			t.Fatalf("unexpected line %q", line)
		}
	}
	t.Fatalf("stream ended: %v", s.sc.Err())
}
