package httpapi

import (
	"net/http"
)

type healthJSON struct {
	Status   string `json:"status"`
	Position string `json:"position"`
	Detail   string `json:"detail,omitempty"`
}

// handleHealthz answers 200 while the process serves requests.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	pos := formatPosition(s.cfg.Projections.View().Position())
	w.Header().Set("X-Ledger-Position", pos)
	w.Header().Set("Cache-Control", "no-store")
	body, _ := marshalJSON(healthJSON{Status: "ok", Position: pos})
	writeJSONBytes(w, http.StatusOK, body, nil)
}

// handleReadyz answers 200 once the projections have caught up with the
// log (cfg.Ready), 503 before.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	pos := formatPosition(s.cfg.Projections.View().Position())
	w.Header().Set("X-Ledger-Position", pos)
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			body, _ := marshalJSON(healthJSON{Status: "not_ready", Position: pos, Detail: err.Error()})
			writeJSONBytes(w, http.StatusServiceUnavailable, body, nil)
			return
		}
	}
	body, _ := marshalJSON(healthJSON{Status: "ready", Position: pos})
	writeJSONBytes(w, http.StatusOK, body, nil)
}
