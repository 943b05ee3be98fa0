package httpapi

import (
	"github.com/petitionledger/petitionledger/domain"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections"
)

// Live counts over Server-Sent Events.
//
// There is one broadcaster per petition with subscribers. The projection
// runner's change hook only offers the new view to the broadcasters of the
// changed petitions; a broadcaster renders at most one frame per interval
// (coalescing every change in between) and wakes its subscribers by closing
// a channel. A subscriber keeps no queue: when it wakes it writes the
// latest frame, so a slow client skips to the newest count instead of
// buffering the ones it missed. Memory is one frame per petition plus one
// goroutine and connection per subscriber.

// hub owns the broadcasters and the one heartbeat every subscriber shares.
type hub struct {
	interval time.Duration
	done     chan struct{}

	beatMu sync.Mutex
	beatCh chan struct{} // closed at the next heartbeat, guarded by beatMu

	mu    sync.Mutex
	casts map[int64]*broadcaster // guarded by mu
}

func newHub(interval, heartbeat time.Duration) *hub {
	h := &hub{interval: interval, done: make(chan struct{}), casts: map[int64]*broadcaster{}, beatCh: make(chan struct{})}
	go h.heartbeats(heartbeat)
	return h
}

// heartbeats closes the heartbeat channel every period until close: one
// timer for every subscriber instead of one each.
func (h *hub) heartbeats(period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.beatMu.Lock()
			close(h.beatCh)
			h.beatCh = make(chan struct{})
			h.beatMu.Unlock()
		case <-h.done:
			return
		}
	}
}

// beat returns the channel closed at the next heartbeat.
func (h *hub) beat() <-chan struct{} {
	h.beatMu.Lock()
	defer h.beatMu.Unlock()
	return h.beatCh
}

// broadcaster fans one petition's count out to its subscribers.
type broadcaster struct {
	id       int64
	interval time.Duration

	mu        sync.Mutex
	subs      int                 // guarded by mu
	frame     []byte              // latest rendered frame, guarded by mu
	pos       eventstore.Position // petition position of frame, guarded by mu
	changed   chan struct{}       // closed when frame changes, guarded by mu
	pending   *projections.View   // view not yet rendered, guarded by mu
	scheduled bool                // a flush is due, guarded by mu
	lastFlush time.Time           // guarded by mu
}

// subscribe registers a subscriber of petition id; the returned function
// unregisters it.
func (h *hub) subscribe(id int64) (*broadcaster, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.casts[id]
	if b == nil {
		b = &broadcaster{id: id, interval: h.interval, changed: make(chan struct{})}
		h.casts[id] = b
	}
	b.mu.Lock()
	b.subs++
	b.mu.Unlock()
	return b, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		b.mu.Lock()
		b.subs--
		last := b.subs == 0
		b.mu.Unlock()
		if last && h.casts[id] == b {
			delete(h.casts, id)
		}
	}
}

// onChange is the projection runner's hook: it must return quickly.
func (h *hub) onChange(c projections.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.casts) == 0 {
		return
	}
	for _, id := range c.Petitions {
		if b := h.casts[id]; b != nil {
			b.offer(c.View)
		}
	}
}

// close wakes every subscriber for the last time.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.done:
	default:
		close(h.done)
	}
}

// offer records a newer view and schedules a flush, at most one per
// interval.
func (b *broadcaster) offer(v *projections.View) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = v
	if b.scheduled {
		return
	}
	b.scheduled = true
	delay := b.interval - time.Since(b.lastFlush)
	if delay <= 0 {
		delay = 0
	}
	time.AfterFunc(delay, b.flush)
}

// flush renders the pending view and wakes the subscribers.
func (b *broadcaster) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.pending
	b.pending, b.scheduled, b.lastFlush = nil, false, time.Now()
	if v == nil {
		return
	}
	p, ok := v.Petition(b.id)
	if !ok || p.Position.Compare(b.pos) <= 0 {
		return
	}
	b.frame, b.pos = countFrame(&p), p.Position
	close(b.changed)
	b.changed = make(chan struct{})
}

// latest returns the current frame, its position and the channel closed at
// the next change.
func (b *broadcaster) latest() ([]byte, eventstore.Position, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.frame, b.pos, b.changed
}

// countFrame is one SSE event: the petition's count.json, with the
// position as the event id.
func countFrame(p *projections.PetitionState) []byte {
	b := make([]byte, 0, 320)
	b = append(b, "id: "...)
	b = append(b, formatPosition(p.Position)...)
	b = append(b, "\nevent: count\ndata: "...)
	b = appendCountJSON(b, p)
	return append(b, "\n\n"...)
}

func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	id, err := petitionIDFrom(r, "id", "")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	b, unsubscribe := s.live.subscribe(id)
	defer unsubscribe()
	v := s.cfg.Projections.View()
	p, ok := v.Petition(id)
	if !ok || !visible(&p) {
		s.writeProblem(w, r, newProblem(domain.ECodePetitionNotFound, "", "There is no such petition."))
		return
	}
	s.metrics.liveSubs.Inc()
	defer s.metrics.liveSubs.Dec()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Ledger-Position", formatPosition(v.Position()))
	w.WriteHeader(http.StatusOK)
	sent := p.Position
	if _, err := w.Write(append([]byte("retry: 2000\n\n"), countFrame(&p)...)); err != nil {
		return
	}
	_ = rc.Flush()
	for {
		frame, pos, changed := b.latest()
		if frame != nil && pos.Compare(sent) > 0 {
			if _, err := w.Write(frame); err != nil {
				return
			}
			_ = rc.Flush()
			sent = pos
			continue
		}
		select {
		case <-changed:
		case <-s.live.beat():
			if _, err := w.Write([]byte(": keep-alive " + strconv.FormatInt(time.Now().Unix(), 10) + "\n\n")); err != nil {
				return
			}
			_ = rc.Flush()
		case <-r.Context().Done():
			return
		case <-s.live.done:
			return
		}
	}
}
