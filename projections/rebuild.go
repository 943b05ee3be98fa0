package projections

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// Progress reports a rebuild's advance: events folded so far, the position
// reached, and the position the rebuild runs to.
type Progress struct {
	Applied uint64
	At      eventstore.Position
	Target  eventstore.Position
}

// Rebuild deletes the checkpoint and audit trail in cfg.Dir, folds $all
// from zero up to its end as of the call, writes a checkpoint and returns
// the final view. progress (may be nil) is called about every interval.
func Rebuild(ctx context.Context, cfg Config, interval time.Duration, progress func(Progress)) (*View, error) {
	cfg.setDefaults()
	if err := os.Remove(cfg.checkpointPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("projections: rebuild: %w", err)
	}
	target, err := endOfAll(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	waitCtx, stopWait := context.WithCancel(ctx)
	go func() { // Run failing must end the wait too.
		select {
		case <-r.stoppedCh():
			stopWait()
		case <-waitCtx.Done():
		}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var v *View
	waitDone := make(chan error, 1)
	go func() {
		var err error
		v, err = r.WaitFor(waitCtx, target)
		waitDone <- err
	}()
	for loop := true; loop; {
		select {
		case err = <-waitDone:
			loop = false
		case <-tick.C:
			if progress != nil {
				cur := r.View()
				progress(Progress{Applied: cur.EventsApplied(), At: cur.Position(), Target: target})
			}
		}
	}
	stopWait()
	cancel()
	runErr := <-done
	if err != nil || runErr != nil {
		return nil, fmt.Errorf("projections: rebuild: %w", errors.Join(err, runErr))
	}
	if progress != nil {
		progress(Progress{Applied: v.EventsApplied(), At: v.Position(), Target: target})
	}
	return v, nil
}

// endOfAll returns the position of the last event of $all (StartPosition
// when it is empty).
func endOfAll(ctx context.Context, s eventstore.Store) (eventstore.Position, error) {
	evs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{Direction: eventstore.Backwards, From: eventstore.End{}, MaxCount: 1})
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("projections: read the end of $all: %w", err)
	}
	if len(evs) == 0 {
		return eventstore.StartPosition, nil
	}
	return evs[0].Position, nil
}
