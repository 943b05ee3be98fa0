package esdb

import (
	"context"
	"fmt"
	"log/slog"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// acquire returns the current client, making one if there is none or the
// last one died.
func (s *Store) acquire() (*clientHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	if s.cur == nil || s.cur.dead {
		cfg := *s.config
		c, err := client.NewClient(&cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: esdb: %v", eventstore.ErrInvalidArgument, err)
		}
		s.cur = &clientHandle{c: c}
	}
	return s.cur, nil
}

// markDead records that h closed itself; the next acquire makes a new client.
func (s *Store) markDead(h *clientHandle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !h.dead {
		h.dead = true
		s.log.Warn("esdb: client closed itself after failing to reach a node; a new one will be made")
	}
}

// retry runs call until it succeeds, fails in a way retryable does not
// accept, the policy's attempts are spent, or ctx is done. A client that
// closed itself is replaced before the next attempt, whatever retryable says,
// because nothing was sent through it. It returns the last raw client error.
func (s *Store) retry(ctx context.Context, retryable func(failure) bool, call func(c *client.Client) error) error {
	for attempt := 0; ; attempt++ {
		h, err := s.acquire()
		if err != nil {
			return err
		}
		err = s.call(ctx, func() error { return call(h.c) })
		if err == nil || ctx.Err() != nil {
			return err
		}
		kind := classify(err)
		if kind == failClientClosed {
			if s.isClosed() {
				return eventstore.ErrClosed
			}
			s.markDead(h)
		} else if !retryable(kind) {
			return err
		}
		if attempt+1 >= s.policy.MaxAttempts {
			return err
		}
		delay := s.policy.Delay(attempt, nil)
		s.log.Debug("esdb: retrying", slog.Int("attempt", attempt+1), slog.Duration("delay", delay), slog.String("error", err.Error()))
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// call runs fn, a client call made with ctx, in its own goroutine and
// returns its error, or ctx's error as soon as ctx is done. The client
// ignores contexts while it looks for a node; this keeps the Store's
// callers responsive meanwhile. An abandoned fn finishes on its own (its
// gRPC call sees the cancelled ctx once it starts); callers must not use
// what fn writes unless call returned fn's own result.
func (s *Store) call(ctx context.Context, fn func() error) error {
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		defer s.callDone()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callDone ends a call and closes the client if Close is waiting for it.
func (s *Store) callDone() {
	s.mu.Lock()
	s.inflight--
	var toClose *client.Client
	if s.inflight == 0 && s.closing != nil {
		toClose, s.closing = s.closing, nil
	}
	s.mu.Unlock()
	if toClose != nil {
		_ = toClose.Close()
	}
}
