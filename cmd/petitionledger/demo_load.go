package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/eventstore"
)

// loadDemoHistory appends h to an empty store, quickly: records of
// petition-* and invalidation-* streams are barriers appended alone, in
// order; between two barriers the signer streams' records are grouped per
// stream (one Append each, in their order) and appended concurrently, so
// group commit shares the fsyncs. Projections count by domain time, so the
// interleaving of signer streams between two lifecycle events changes
// nothing; every stream's own order and each petition's lifecycle order
// are kept.
func loadDemoHistory(ctx context.Context, store eventstore.Store, h *demo.History) (int, error) {
	n := 0
	var segment []demo.Record
	flush := func() error {
		k, err := appendConcurrently(ctx, store, segment)
		n += k
		segment = segment[:0]
		return err
	}
	for _, r := range h.Records {
		if strings.HasPrefix(r.Stream, domain.SignerStreamPrefix) {
			segment = append(segment, r)
			continue
		}
		if err := flush(); err != nil {
			return n, err
		}
		if err := appendRecords(ctx, store, []demo.Record{r}); err != nil {
			return n, err
		}
		n++
	}
	return n, flush()
}

// appendConcurrently appends records grouped by stream, 256 streams at a time.
func appendConcurrently(ctx context.Context, store eventstore.Store, records []demo.Record) (int, error) {
	var order []string
	byStream := map[string][]demo.Record{}
	for _, r := range records {
		if _, ok := byStream[r.Stream]; !ok {
			order = append(order, r.Stream)
		}
		byStream[r.Stream] = append(byStream[r.Stream], r)
	}
	work := make(chan []demo.Record)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 256; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rs := range work {
				if err := appendRecords(ctx, store, rs); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, s := range order {
		work <- byStream[s]
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return len(records), nil
}

// appendRecords appends consecutive records of one stream in one Append.
func appendRecords(ctx context.Context, store eventstore.Store, rs []demo.Record) error {
	data := make([]eventstore.EventData, 0, len(rs))
	for _, r := range rs {
		b, err := domain.EncodeEvent(r.Event)
		if err != nil {
			return fmt.Errorf("encode %s in %s: %w", r.Event.EventType(), r.Stream, err)
		}
		data = append(data, eventstore.EventData{ID: r.EventID, Type: r.Event.EventType(), Data: b})
	}
	var exp eventstore.ExpectedRevision = eventstore.Exact(uint64(rs[0].Expected))
	if rs[0].Expected == demo.NoStream {
		exp = eventstore.NoStream{}
	}
	if _, err := store.Append(ctx, rs[0].Stream, exp, data...); err != nil {
		return fmt.Errorf("append to %s: %w", rs[0].Stream, err)
	}
	return nil
}
