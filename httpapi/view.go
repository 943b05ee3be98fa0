package httpapi

import (
	"context"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/petitionledger/petitionledger/projections"
)

// viewFor picks the snapshot a read is answered from: at least
// X-Ledger-Min-Position (read your own write), or the latest.
func (s *Server) viewFor(r *http.Request) (*projections.View, error) {
	if min := r.Header.Get("X-Ledger-Min-Position"); min != "" {
		pos, err := ParsePosition(min)
		if err != nil {
			return nil, newProblem(CodeInvalidParameter, "X-Ledger-Min-Position", "Send a position as a receipt gives it.")
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.MinPositionWait)
		defer cancel()
		v, err := s.cfg.Projections.WaitFor(ctx, pos)
		if err != nil {
			return nil, newProblem(CodePositionNotReached, "X-Ledger-Min-Position",
				"The projections have not reached that position yet; retry.")
		}
		return v, nil
	}
	return s.cfg.Projections.View(), nil
}

// petitionRead is a petition as a read sees it, and the position the
// answer reflects.
type petitionRead struct {
	state    projections.PetitionState
	position eventstore.Position // for X-Ledger-Position
	historic bool                // as of a past point: never changes
}

// readPetition returns petition id from v, or as of ?as_of= (a position or
// an RFC 3339 time) when given. Invisible petitions are not found unless
// anyState.
func (s *Server) readPetition(r *http.Request, v *projections.View, id int64, anyState bool) (petitionRead, error) {
	notFound := func() error { return newProblem(domain.ECodePetitionNotFound, "", "There is no such petition.") }
	cur, ok := v.Petition(id)
	if !ok || (!anyState && !visible(&cur)) {
		return petitionRead{}, notFound()
	}
	asOf := ""
	if r.URL.RawQuery != "" { // most reads have no query: skip parsing one
		asOf = r.URL.Query().Get("as_of")
	}
	if asOf == "" {
		return petitionRead{state: cur, position: v.Position()}, nil
	}
	var (
		st  projections.PetitionState
		err error
		pos eventstore.Position
	)
	if p, perr := ParsePosition(asOf); perr == nil {
		if p.Compare(v.Position()) > 0 {
			return petitionRead{}, newProblem(CodeAsOfInFuture, "as_of", "That position is beyond the log's current position "+formatPosition(v.Position())+".")
		}
		st, ok, err = v.AsOfPosition(r.Context(), id, p)
		pos = p
	} else {
		t, terr := time.Parse(time.RFC3339Nano, asOf)
		if terr != nil {
			return petitionRead{}, newProblem(CodeInvalidParameter, "as_of", "Give as_of as a log position or an RFC 3339 time.")
		}
		if t.After(s.cfg.Now()) {
			return petitionRead{}, newProblem(CodeAsOfInFuture, "as_of", "That time is in the future.")
		}
		st, ok, err = v.AsOfTime(r.Context(), id, t)
		pos = st.Position
	}
	if err != nil {
		return petitionRead{}, err
	}
	if !ok || (!anyState && !visible(&st)) {
		return petitionRead{}, notFound()
	}
	return petitionRead{state: st, position: pos, historic: true}, nil
}

// visible reports whether the public may see a petition, as in the UK
// service: open, closed, or rejected with a code that does not hide it.
func visible(p *projections.PetitionState) bool {
	return p.State == "open" || p.State == "closed" || (p.State == "rejected" && !p.Hidden)
}

// petitionIDFrom parses a petition id path value, with an optional suffix
// (".json").
func petitionIDFrom(r *http.Request, name, suffix string) (int64, error) {
	raw := r.PathValue(name)
	if suffix != "" {
		var ok bool
		if raw, ok = strings.CutSuffix(raw, suffix); !ok {
			return 0, newProblem(CodeNotFound, "", "No such resource: "+r.URL.Path+".")
		}
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
		return 0, newProblem(CodeInvalidParameter, "id", "A petition id is a positive whole number.")
	}
	return id, nil
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, newProblem(CodeInvalidParameter, name,
			"Give "+name+" as a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+".")
	}
	return n, nil
}

// setReadHeaders sets the position, caching and entity tag of a read.
func setReadHeaders(w http.ResponseWriter, pos eventstore.Position, historic bool, etag string) {
	h := w.Header()
	h["X-Ledger-Position"] = []string{formatPosition(pos)}
	if historic {
		h["Cache-Control"] = cacheImmutable
	} else {
		h["Cache-Control"] = cacheRevalidate
	}
	if etag != "" {
		h["Etag"] = []string{etag}
	}
}

// notModified answers 304 when the client's tag is current.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	if etag != "" && etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// acceptsGzip reports whether the client accepts a gzip body.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0"
		}
	}
	return false
}

// writeJSONBytes sends a rendered JSON body, gzipped when gz is given.
func writeJSONBytes(w http.ResponseWriter, status int, body, gz []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Vary"] = varyEncoding
	if gz != nil {
		h["Content-Encoding"] = encodingGzip
		body = gz
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Header values shared by every response. Each slice has len == cap, so a
// later Header().Add copies instead of writing into the shared array.
var (
	cacheImmutable  = []string{"public, max-age=31536000, immutable"}
	cacheRevalidate = []string{"public, no-cache"}
	contentTypeJSON = []string{"application/json; charset=utf-8"}
	varyEncoding    = []string{"Accept-Encoding"}
	encodingGzip    = []string{"gzip"}
	corsAnyOrigin   = []string{"*"}
	corsExposed     = []string{"ETag, X-Ledger-Position"}
)
