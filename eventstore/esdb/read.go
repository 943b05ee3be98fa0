package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// unlimited is the count sent for MaxCount 0. The protocol's count is a
// uint64, but servers written in .NET hold it in a long.
const unlimited = math.MaxInt64

// filteredPageSize is how many $all events a filtered ReadAll asks for at a
// time.
const filteredPageSize = 512

// ReadStream reads one stream. See eventstore.Store. Reads have no side
// effect, so every transient failure is retried; a retry starts the read
// again from the beginning.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	info := opInfo{op: "read stream", stream: stream}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("esdb: read stream: %w", err)
	}
	from, err := toClientStreamFrom(opts.From, opts.Direction)
	if err != nil {
		return nil, fmt.Errorf("esdb: read stream %q: %w", stream, err)
	}
	count := countOf(opts.MaxCount)
	var out []eventstore.RecordedEvent
	err = s.retry(ctx, transient, func(c *client.Client) error {
		out = out[:0]
		rs, err := c.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: toClientDirection(opts.Direction), From: from}, count)
		if err != nil {
			return err
		}
		return collect(rs, func(e eventstore.RecordedEvent) bool {
			out = append(out, e)
			return true
		})
	})
	if err != nil {
		return nil, mapError(info, ctx.Err(), err)
	}
	return out, nil
}

// ReadAll reads $all. See eventstore.Store. The client cannot ask the server
// to filter a plain read, so a filter is applied here, reading $all in pages
// until MaxCount events have passed it or the log ends.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	info := opInfo{op: "read $all"}
	from, err := toClientAllFrom(opts.From, opts.Direction)
	if err != nil {
		return nil, fmt.Errorf("esdb: read $all: %w", err)
	}
	m, err := compileFilter(opts.Filter)
	if err != nil {
		return nil, fmt.Errorf("esdb: read $all: %w", err)
	}
	var out []eventstore.RecordedEvent
	err = s.retry(ctx, transient, func(c *client.Client) error {
		out = out[:0]
		if m == nil {
			return s.readAllPage(ctx, c, opts.Direction, from, countOf(opts.MaxCount), func(e eventstore.RecordedEvent) bool {
				out = append(out, e)
				return true
			})
		}
		return s.readAllFiltered(ctx, c, opts, from, m, &out)
	})
	if err != nil {
		return nil, mapError(info, ctx.Err(), err)
	}
	return out, nil
}

// readAllFiltered pages through $all, keeping the events m passes.
func (s *Store) readAllFiltered(ctx context.Context, c *client.Client, opts eventstore.ReadAllOptions, from client.AllPosition, m *eventstore.FilterMatcher, out *[]eventstore.RecordedEvent) error {
	want := countOf(opts.MaxCount)
	var last *eventstore.Position
	for {
		n := 0
		err := s.readAllPage(ctx, c, opts.Direction, from, filteredPageSize, func(e eventstore.RecordedEvent) bool {
			n++
			// Forwards reads include their start, which is the last
			// event of the previous page.
			if last != nil && opts.Direction == eventstore.Forwards && e.Position.Compare(*last) <= 0 {
				return true
			}
			p := e.Position
			last = &p
			if m.Match(e.Stream, e.Type) {
				*out = append(*out, e)
			}
			return uint64(len(*out)) < want
		})
		if err != nil || uint64(len(*out)) >= want || n < filteredPageSize || last == nil {
			return err
		}
		from = toClientPosition(*last)
	}
}

// readAllPage reads up to count events of $all and hands them to keep until
// it returns false.
func (s *Store) readAllPage(ctx context.Context, c *client.Client, dir eventstore.Direction, from client.AllPosition, count uint64, keep func(eventstore.RecordedEvent) bool) error {
	rs, err := c.ReadAll(ctx, client.ReadAllOptions{Direction: toClientDirection(dir), From: from}, count)
	if err != nil {
		return err
	}
	return collect(rs, keep)
}

// collect drains rs into keep, until the read ends or keep returns false.
func collect(rs *client.ReadStream, keep func(eventstore.RecordedEvent) bool) error {
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !keep(fromClientEvent(ev)) {
			return nil
		}
	}
}

// countOf maps MaxCount (0: no limit) to the protocol's count.
func countOf(maxCount uint64) uint64 {
	if maxCount == 0 || maxCount > unlimited {
		return unlimited
	}
	return maxCount
}
