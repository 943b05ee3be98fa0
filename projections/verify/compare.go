package verify

import (
	"context"
	"fmt"
)

// compareServer fetches every published petition's counts and compares
// them with the recount, stopping at the first difference.
func compareServer(ctx context.Context, o Options, rc *recount, rep *Report) error {
	for i := range rep.Petitions {
		pr := &rep.Petitions[i]
		if !pr.Published {
			continue
		}
		pub, err := o.Published(ctx, pr.ID, rc.head)
		if err != nil {
			return fmt.Errorf("petition %d: fetch published counts: %w", pr.ID, err)
		}
		ok := false
		pr.ServerMatches = &ok
		if pub.Total != pr.Total {
			return fmt.Errorf("%w: petition %d: the server publishes %d signatures, the recount is %d", ErrMismatch, pr.ID, pub.Total, pr.Total)
		}
		for _, c := range []struct {
			kind string
			ours []AreaCount
			pub  map[string]int64
		}{{"constituency", pr.Constituencies, pub.Constituencies}, {"region", pr.Regions, pub.Regions}, {"country", pr.Countries, pub.Countries}} {
			if err := compareAreas(pr.ID, c.kind, c.ours, c.pub); err != nil {
				return err
			}
		}
		ok = true
	}
	return nil
}

func compareAreas(id int64, kind string, ours []AreaCount, pub map[string]int64) error {
	seen := map[string]bool{}
	for _, a := range ours {
		seen[a.Code] = true
		if pub[a.Code] != a.Count {
			return fmt.Errorf("%w: petition %d, %s %s: the server publishes %d, the recount is %d", ErrMismatch, id, kind, a.Code, pub[a.Code], a.Count)
		}
	}
	for code, n := range pub {
		if !seen[code] && n != 0 {
			return fmt.Errorf("%w: petition %d, %s %s: the server publishes %d, the recount is 0", ErrMismatch, id, kind, code, n)
		}
	}
	return nil
}
