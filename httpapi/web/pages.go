package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/projections"
)

// Thresholds of the UK service: a response at 10,000, a debate considered at 100,000.
const (
	ResponseThreshold = 10_000
	DebateThreshold   = 100_000
)

type listPage struct {
	Title     string
	State     string
	Query     string
	States    []string
	Petitions []projections.PetitionState
	Total     int
	Page      int
	PrevURL   string
	NextURL   string
}

var listStates = []string{"open", "closed", "with_response", "all"}

const listPageSize = 20

func (p *Pages) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	facet := projections.Facet(state)
	if !facetKnown(facet) {
		p.notFound(w, r, "There is no such list of petitions.")
		return
	}
	query := strings.TrimSpace(q.Get("q"))
	page := queryInt(r, "page", 1, 1, 1<<20)
	v := p.cfg.Views.View()
	all, err := v.Petitions(facet, 1, max(v.Len(), 1))
	if err != nil {
		p.notFound(w, r, "There is no such list of petitions.")
		return
	}
	words := strings.Fields(strings.ToLower(query))
	var matches []projections.PetitionState
	for i := range all.Petitions {
		s := &all.Petitions[i]
		if visible(s) && matchesQuery(s, words) {
			matches = append(matches, *s)
		}
	}
	d := listPage{Title: "Petitions", State: state, Query: query, States: listStates, Total: len(matches), Page: page}
	lo := min((page-1)*listPageSize, len(matches))
	d.Petitions = matches[lo:min(lo+listPageSize, len(matches))]
	link := func(n int) string {
		return "/?" + url.Values{"state": {state}, "q": {query}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page*listPageSize < len(matches) {
		d.NextURL = link(page + 1)
	}
	p.render(w, r, http.StatusOK, "list.html", d)
}

func facetKnown(f projections.Facet) bool {
	switch f {
	case projections.FacetAll, projections.FacetOpen, projections.FacetClosed, projections.FacetRejected,
		projections.FacetAwaitingResponse, projections.FacetWithResponse, projections.FacetAwaitingDebate,
		projections.FacetDebated, projections.FacetNotDebated:
		return true
	}
	return false
}

// matchesQuery reports whether every word occurs in the petition's text (as the JSON list's q).
func matchesQuery(s *projections.PetitionState, words []string) bool {
	text := strings.ToLower(s.Action + "\n" + s.Background + "\n" + s.AdditionalDetails)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// mapHex is one constituency on the rendered map and in the table.
type mapHex struct {
	hexGeom
	MP     string
	Count  int64
	Colour string
}

type petitionPage struct {
	Title             string
	P                 projections.PetitionState
	ResponseThreshold int64
	DebateThreshold   int64
	Map               *hexMap
	Hexes             []mapHex // map order (by ONS code)
	Table             []mapHex // most signatures first, then name
	Bins              []colourBin
	Unknown           int64
}

func (p *Pages) handlePetition(w http.ResponseWriter, r *http.Request) {
	_, s, ok := p.petitionFrom(r)
	if !ok {
		p.notFound(w, r, "There is no such petition.")
		return
	}
	d := petitionPage{Title: s.Action, P: s, ResponseThreshold: ResponseThreshold, DebateThreshold: DebateThreshold,
		Map: p.hexes, Unknown: s.UnknownConstituencyCount()}
	byCode := map[string]projections.ConstituencyCount{}
	var maxCount int64
	for _, c := range s.SignaturesByConstituency() {
		byCode[c.ONSCode] = c
		maxCount = max(maxCount, c.SignatureCount)
	}
	mps := map[string]string{}
	for _, c := range p.cfg.Places.Constituencies() {
		mps[c.ONSCode] = c.MP
	}
	d.Bins = colourBins(maxCount)
	for _, h := range p.hexes.Hexes {
		c := byCode[h.Code]
		mp := c.MP
		if mp == "" {
			mp = mps[h.Code]
		}
		d.Hexes = append(d.Hexes, mapHex{hexGeom: h, MP: mp, Count: c.SignatureCount, Colour: colourOf(d.Bins, c.SignatureCount)})
	}
	d.Table = append([]mapHex(nil), d.Hexes...)
	sortTable(d.Table)
	p.render(w, r, http.StatusOK, "petition.html", d)
}

type auditPage struct {
	Title         string
	P             projections.PetitionState
	Audit         projections.AuditPage
	Page          int
	First         int
	PrevURL       string
	NextURL       string
	CheckpointURL string
}

const auditPageSize = 50

func (p *Pages) handleAudit(w http.ResponseWriter, r *http.Request) {
	v, s, ok := p.petitionFrom(r)
	if !ok {
		p.notFound(w, r, "There is no such petition.")
		return
	}
	page := queryInt(r, "page", 1, 1, 1<<30)
	a, err := v.Audit(r.Context(), s.ID, page, auditPageSize)
	if err != nil {
		p.log.Error("web: audit", "petition", s.ID, "err", err)
		p.render(w, r, http.StatusInternalServerError, "error.html", errorPage{Title: "Audit trail unavailable",
			Message: "The audit trail could not be read. Try again later."})
		return
	}
	d := auditPage{Title: "Audit trail: " + s.Action, P: s, Audit: a, Page: page,
		First: (page-1)*auditPageSize + 1, CheckpointURL: p.cfg.CheckpointURL}
	base := "/petition/" + strconv.FormatInt(s.ID, 10) + "/audit?page="
	if page > 1 {
		d.PrevURL = base + strconv.Itoa(page-1)
	}
	if uint64(page)*auditPageSize < a.Total {
		d.NextURL = base + strconv.Itoa(page+1)
	}
	p.render(w, r, http.StatusOK, "audit.html", d)
}
