package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
)

// cutProxy forwards TCP connections to a backend and can cut them all at
// once, which loses whatever was in flight (requests and acknowledgements).
type cutProxy struct {
	lis     net.Listener
	backend string
	mu      sync.Mutex
	conns   map[net.Conn]bool
}

func startCutProxy(t *testing.T, backend string) *cutProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{lis: lis, backend: backend, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { _ = lis.Close(); p.cut() })
	return p
}

func (p *cutProxy) accept() {
	for {
		in, err := p.lis.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.backend)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
		go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
	}
}

// cut closes every connection open through the proxy.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// appendOutcome is what a writer learnt about one event.
type appendOutcome struct {
	id      uuid.UUID
	acked   bool // Append returned success
	unknown bool // Append returned ErrAppendOutcomeUnknown
}

// TestDroppedConnectionsNeverDoubleWrite cuts every connection at random
// moments while writers append, so that some requests and some
// acknowledgements are lost. Exact writers retry each failed append with the
// same event (as the package documents); Any writers never retry an append
// whose outcome is unknown. Every acknowledged event must be in its stream
// exactly once, and no event may be there twice.
func TestDroppedConnectionsNeverDoubleWrite(t *testing.T) {
	n := startNode(t, t.TempDir(), "127.0.0.1:0")
	proxy := startCutProxy(t, n.addr)
	s := openBackend(t, proxy.lis.Addr().String(),
		esdb.WithRetryPolicy(esdb.RetryPolicy{MaxAttempts: 6, BaseDelay: 2 * time.Millisecond, MaxDelay: 20 * time.Millisecond}))
	const writers, perWriter, cuts = 4, 40, 12
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	stop := make(chan struct{})
	cutterDone := make(chan struct{})
	go func() {
		defer close(cutterDone)
		for i := 0; i < cuts; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(5+rand.IntN(25)) * time.Millisecond):
				proxy.cut()
			}
		}
	}()

	outcomes := make([][]appendOutcome, writers)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("petition-%d", w)
			if w%2 == 0 {
				outcomes[w] = writeExact(ctx, t, s, stream, perWriter)
			} else {
				outcomes[w] = writeAny(ctx, t, s, stream, perWriter)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-cutterDone

	for w := 0; w < writers; w++ {
		checkNoDoubleWrite(t, s, fmt.Sprintf("petition-%d", w), outcomes[w])
	}
}

// writeExact appends events one by one with Exact expectations, repeating a
// failed append with the same event until it is acknowledged.
func writeExact(ctx context.Context, t *testing.T, s eventstore.Store, stream string, n int) []appendOutcome {
	var out []appendOutcome
	var expected eventstore.ExpectedRevision = eventstore.NoStream{}
	for i := 0; i < n; i++ {
		ev := eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(`{}`)}
		for {
			res, err := s.Append(ctx, stream, expected, ev)
			if err == nil {
				out = append(out, appendOutcome{id: ev.ID, acked: true})
				expected = eventstore.Exact(res.NextRevision)
				break
			}
			if ctx.Err() != nil || !errors.Is(err, eventstore.ErrUnavailable) {
				t.Errorf("%s: append %d: %v", stream, i, err)
				return out
			}
		}
	}
	return out
}

// writeAny appends events with Any, never repeating one whose outcome is
// unknown; an append that certainly did not land is repeated.
func writeAny(ctx context.Context, t *testing.T, s eventstore.Store, stream string, n int) []appendOutcome {
	var out []appendOutcome
	for i := 0; i < n; i++ {
		ev := eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(`{}`)}
		for {
			_, err := s.Append(ctx, stream, eventstore.Any{}, ev)
			if err == nil {
				out = append(out, appendOutcome{id: ev.ID, acked: true})
				break
			}
			if errors.Is(err, esdb.ErrAppendOutcomeUnknown) {
				out = append(out, appendOutcome{id: ev.ID, unknown: true})
				break
			}
			if ctx.Err() != nil || !errors.Is(err, eventstore.ErrUnavailable) {
				t.Errorf("%s: append %d: %v", stream, i, err)
				return out
			}
		}
	}
	return out
}

// checkNoDoubleWrite reads the stream once the connections are stable and
// checks every event is there at most once, acknowledged ones exactly once.
func checkNoDoubleWrite(t *testing.T, s eventstore.Store, stream string, outcomes []appendOutcome) {
	t.Helper()
	var got []eventstore.RecordedEvent
	var err error
	for attempt := 0; attempt < 50; attempt++ { // the last cut may still be healing
		if got, err = s.ReadStream(context.Background(), stream, eventstore.ReadStreamOptions{}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("%s: read: %v", stream, err)
	}
	count := map[uuid.UUID]int{}
	for _, e := range got {
		count[e.ID]++
	}
	acked, unknown := 0, 0
	for _, o := range outcomes {
		switch {
		case o.acked && count[o.id] != 1:
			t.Errorf("%s: acknowledged event %v is in the stream %d times, want 1", stream, o.id, count[o.id])
		case o.unknown && count[o.id] > 1:
			t.Errorf("%s: event %v of unknown outcome is in the stream %d times, want at most 1", stream, o.id, count[o.id])
		}
		if o.acked {
			acked++
		}
		if o.unknown {
			unknown++
		}
	}
	for id, c := range count {
		if c > 1 {
			t.Errorf("%s: event %v written %d times", stream, id, c)
		}
	}
	t.Logf("%s: %d events acknowledged, %d of unknown outcome, %d in the stream", stream, acked, unknown, len(got))
}
