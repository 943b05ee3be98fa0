package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections"
)

// listStates are the UK service's values of the list's "state" parameter.
var listStates = []string{"all", "open", "recent", "closed", "rejected", "awaiting_response",
	"with_response", "awaiting_debate", "debated", "not_debated"}

// Page sizes of the list, as in the UK service.
const (
	defaultPageSize = 25
	maxPageSize     = 50
	maxPage         = 99999
)

func (s *Server) handlePetition(w http.ResponseWriter, r *http.Request) {
	id, err := petitionIDFrom(r, "file", ".json")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.servePetition(w, r, id, false)
}

// handleAdminPetition shows a petition in any state (auditor role).
func (s *Server) handleAdminPetition(w http.ResponseWriter, r *http.Request) {
	id, err := petitionIDFrom(r, "file", ".json")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.servePetition(w, r, id, true)
}

func (s *Server) servePetition(w http.ResponseWriter, r *http.Request, id int64, anyState bool) {
	rd, ok := s.readFresh(w, r, id, anyState, "petition")
	if !ok {
		return
	}
	p := rd.state
	base := s.base(r)
	render := func() ([]byte, error) { return marshalJSON(petitionDocument(base, &p)) }
	doc, err := s.document('p', id, p.Position, base, rd.historic || anyState, render)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var gz []byte
	if acceptsGzip(r) {
		gz = doc.gzipped()
	}
	writeJSONBytes(w, http.StatusOK, doc.body, gz)
}

func (s *Server) handleCount(w http.ResponseWriter, r *http.Request) {
	id, err := petitionIDFrom(r, "id", "")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	rd, ok := s.readFresh(w, r, id, false, "count")
	if !ok {
		return
	}
	p := rd.state
	render := func() ([]byte, error) { return appendCountJSON(make([]byte, 0, 256), &p), nil }
	doc, _ := s.document('c', id, p.Position, "", rd.historic, render)
	writeJSONBytes(w, http.StatusOK, doc.body, nil)
}

// readFresh reads petition id for a document of kind ("petition",
// "count"): at the request's view or ?as_of=, in any state for the auditor
// (anyState, never stored by caches). It sets the read headers with the
// document's ETag and answers 304 when the client holds it. ok is false
// when the response was written (an error or 304).
func (s *Server) readFresh(w http.ResponseWriter, r *http.Request, id int64, anyState bool, kind string) (rd petitionRead, ok bool) {
	v, err := s.viewFor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return petitionRead{}, false
	}
	rd, err = s.readPetition(r, v, id, anyState)
	if err != nil {
		s.writeProblem(w, r, err)
		return petitionRead{}, false
	}
	etag := etagOf(kind, rd.state.Position)
	setReadHeaders(w, rd.position, rd.historic, etag)
	if anyState {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	if notModified(w, r, etag) {
		return petitionRead{}, false
	}
	return rd, true
}

// document renders a document through the cache, then afresh when uncache
// is set (a historic or private read).
func (s *Server) document(kind byte, id int64, pos eventstore.Position, base string, uncache bool,
	render func() ([]byte, error)) (*rendered, error) {
	doc, err := s.cache.get(kind, id, pos, base, render)
	if uncache {
		doc, err = uncached(render)
	}
	return doc, err
}

// listDoc is the /petitions.json document.
type listDoc struct {
	Links listLinks      `json:"links"`
	Data  []petitionData `json:"data"`
}

type listLinks struct {
	Self  string  `json:"self"`
	First string  `json:"first"`
	Last  string  `json:"last"`
	Next  *string `json:"next"`
	Prev  *string `json:"prev"`
}

// writeDocument answers 200 with doc as JSON (or the problem if it cannot
// be encoded).
func (s *Server) writeDocument(w http.ResponseWriter, r *http.Request, doc any) {
	body, err := marshalJSON(doc)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSONBytes(w, http.StatusOK, body, nil)
}

// pageQuery reads ?page= (1 to maxPage, default 1) and ?count= (1 to
// maxCount, default defCount).
func pageQuery(r *http.Request, maxPage, defCount, maxCount int) (page, count int, err error) {
	if page, err = queryInt(r, "page", 1, 1, maxPage); err != nil {
		return 0, 0, err
	}
	if count, err = queryInt(r, "count", defCount, 1, maxCount); err != nil {
		return 0, 0, err
	}
	return page, count, nil
}

// pageLinks links page of a paged document to itself, the first and last
// pages and, where they exist, the next and previous ones.
func pageLinks(pageURL func(n int) string, page, last int) listLinks {
	links := listLinks{Self: pageURL(page), First: pageURL(1), Last: pageURL(last)}
	if page < last {
		next := pageURL(page + 1)
		links.Next = &next
	}
	if page > 1 {
		prev := pageURL(min(page-1, last))
		links.Prev = &prev
	}
	return links
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "all"
	}
	if !slices.Contains(listStates, state) {
		s.writeProblem(w, r, newProblem(CodeInvalidParameter, "state", "Choose state from: "+strings.Join(listStates, ", ")+"."))
		return
	}
	page, count, err := pageQuery(r, maxPage, defaultPageSize, maxPageSize)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v, err := s.viewFor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	etag := etagOf("list", v.Position())
	setReadHeaders(w, v.Position(), false, etag)
	if notModified(w, r, etag) {
		return
	}
	matches, err := selectPetitions(v, state, q.Get("q"), q.Get("topic"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	base := s.base(r)
	lastPage := max(1, (len(matches)+count-1)/count)
	doc := listDoc{Links: pageLinks(func(n int) string { return listURL(base, q, n) }, page, lastPage),
		Data: []petitionData{}}
	for i := (page - 1) * count; i < len(matches) && i < page*count; i++ {
		doc.Data = append(doc.Data, petitionItem(base, &matches[i]))
	}
	s.writeDocument(w, r, doc)
}

// selectPetitions returns the visible petitions matching the list's state,
// text query and topic: in creation order, except "recent" (open, most
// recently opened first).
func selectPetitions(v *projections.View, state, query, topic string) ([]projections.PetitionState, error) {
	all, err := v.Petitions(projections.FacetAll, 1, max(v.Len(), 1))
	if err != nil {
		return nil, err
	}
	facet := projections.Facet(state)
	if state == "recent" {
		facet = projections.FacetOpen
	}
	words := strings.Fields(strings.ToLower(query))
	var out []projections.PetitionState
	for i := range all.Petitions {
		p := &all.Petitions[i]
		if !visible(p) || !facet.Matches(p) || !matchesQuery(p, words) ||
			(topic != "" && !slices.Contains(p.Topics, topic)) {
			continue
		}
		out = append(out, *p)
	}
	if state == "recent" {
		slices.SortStableFunc(out, func(a, b projections.PetitionState) int { return b.OpenedAt.Compare(a.OpenedAt) })
	}
	return out, nil
}

// matchesQuery reports whether every word occurs in the petition's text.
func matchesQuery(p *projections.PetitionState, words []string) bool {
	if len(words) == 0 {
		return true
	}
	text := strings.ToLower(p.Action + "\n" + p.Background + "\n" + p.AdditionalDetails)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// listURL is the list URL with the request's parameters and page.
func listURL(base string, q url.Values, page int) string {
	out := url.Values{}
	for _, k := range []string{"count", "q", "state", "topic"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	out.Set("page", strconv.Itoa(page))
	return base + "/petitions.json?" + out.Encode()
}

// auditDoc is the /petitions/{id}/audit.json document.
type auditDoc struct {
	Links listLinks   `json:"links"`
	Meta  auditMeta   `json:"meta"`
	Data  []auditJSON `json:"data"`
}

type auditMeta struct {
	PetitionID int64  `json:"petition_id"`
	Total      uint64 `json:"total"`
	Position   string `json:"position"`
}

type auditJSON struct {
	Position  string   `json:"position"`
	At        jsonTime `json:"at"`
	EventType string   `json:"event_type"`
	ActorRole string   `json:"actor_role"`
	Delta     int      `json:"delta"`
	Hash      string   `json:"hash"`
}

const maxAuditPageSize = 1000

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	id, err := petitionIDFrom(r, "id", "")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	page, count, err := pageQuery(r, 1<<30, 100, maxAuditPageSize)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v, err := s.viewFor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	p, ok := v.Petition(id)
	if !ok || !visible(&p) {
		s.writeProblem(w, r, newProblem(domain.ECodePetitionNotFound, "", "There is no such petition."))
		return
	}
	etag := etagOf("audit", p.Position)
	setReadHeaders(w, v.Position(), false, etag)
	if notModified(w, r, etag) {
		return
	}
	ap, err := v.Audit(r.Context(), id, page, count)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	doc := auditDoc{Meta: auditMeta{PetitionID: id, Total: ap.Total, Position: formatPosition(ap.Position)}, Data: []auditJSON{}}
	for _, e := range ap.Entries {
		doc.Data = append(doc.Data, auditJSON{Position: formatPosition(e.Position), At: jsonTime(e.At),
			EventType: e.EventType, ActorRole: e.ActorRole, Delta: e.Delta, Hash: hexOf(e.Hash[:])})
	}
	self := s.base(r) + "/petitions/" + strconv.FormatInt(id, 10) + "/audit.json"
	pageURL := func(n int) string { return self + "?count=" + strconv.Itoa(count) + "&page=" + strconv.Itoa(n) }
	last := max(1, int((ap.Total+uint64(count)-1)/uint64(count)))
	doc.Links = pageLinks(pageURL, page, last)
	s.writeDocument(w, r, doc)
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// constituencyJSON is one row of /constituencies.json, after the UK
// service: id (ONS code), name, member (null when vacant), region.
type constituencyRow struct {
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	Member *memberJSON `json:"member"`
	Region regionRef   `json:"region"`
}

type memberJSON struct {
	Name string `json:"name"`
}

type regionRef struct {
	ID   string     `json:"id"`
	Name nullString `json:"name"`
}

func (s *Server) handleConstituencies(w http.ResponseWriter, r *http.Request) {
	rows := []constituencyRow{}
	if s.cfg.Places != nil {
		for _, c := range s.cfg.Places.Constituencies() {
			region, _ := s.cfg.Places.RegionOf(c.ONSCode)
			row := constituencyRow{ID: c.ONSCode, Name: c.Name,
				Region: regionRef{ID: c.RegionCode, Name: nullString(region.Name)}}
			if c.MP != "" {
				row.Member = &memberJSON{Name: c.MP}
			}
			rows = append(rows, row)
		}
	}
	body, err := marshalJSON(rows)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v := s.cfg.Projections.View()
	w.Header().Set("X-Ledger-Position", formatPosition(v.Position()))
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSONBytes(w, http.StatusOK, body, nil)
}
