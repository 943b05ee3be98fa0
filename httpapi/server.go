package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/petitionledger/petitionledger/projections"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrConfig reports a Server configuration that cannot work.
var ErrConfig = errors.New("httpapi: bad configuration")

// Config configures a Server.
type Config struct {
	Ledger      Ledger              // required
	Projections Projections         // required
	Places      *projections.Places // for /constituencies.json
	Tokens      *Tokens             // admin tokens; nil means no admin access
	// LedgerProofs, when set, serves the verifiable ledger's routes
	// (checkpoint key, checkpoints, receipts, consistency proofs).
	LedgerProofs *LedgerProofs

	// PublicWrites limits public writes (create, sponsor, sign, validate)
	// per client address. A zero Rate disables the limit.
	PublicWrites RateLimit
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// MaxBodyBytes bounds request bodies; 0 means 64 KiB.
	MaxBodyBytes int64
	// PublicURL is the scheme and host used in links ("https://example.org");
	// empty means http:// and the request's Host.
	PublicURL string
	// MinPositionWait bounds how long a read with X-Ledger-Min-Position
	// waits for the projections; 0 means 5 s.
	MinPositionWait time.Duration
	// LiveInterval is the shortest time between two pushes of one petition's
	// count to live subscribers (updates in between are coalesced); 0 means
	// 100 ms.
	LiveInterval time.Duration
	// LiveHeartbeat is the interval of SSE keep-alive comments; 0 means 15 s.
	LiveHeartbeat time.Duration
	// Ready reports whether the server can serve reads (projections caught
	// up); nil means always ready.
	Ready func() error
	// Registerer receives the metrics; nil means a new registry, served at
	// /metrics (see Server.Gatherer).
	Registry *prometheus.Registry
	Logger   *slog.Logger
	Now      func() time.Time
}

func (c *Config) setDefaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 64 << 10
	}
	if c.MinPositionWait <= 0 {
		c.MinPositionWait = 5 * time.Second
	}
	if c.LiveInterval <= 0 {
		c.LiveInterval = 100 * time.Millisecond
	}
	if c.LiveHeartbeat <= 0 {
		c.LiveHeartbeat = 15 * time.Second
	}
	if c.Tokens == nil {
		c.Tokens = &Tokens{}
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// Server is the HTTP API. Handler returns its http.Handler; Close ends the
// live subscriptions (call it when the http.Server shuts down).
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *ipLimiter
	metrics *metrics
	cache   *renderCache
	live    *hub

	closeOnce sync.Once
	unhook    func()
}

// New returns a Server over cfg.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	if cfg.Ledger == nil || cfg.Projections == nil {
		return nil, fmt.Errorf("%w: Ledger and Projections are required", ErrConfig)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(),
		limiter: newIPLimiter(cfg.PublicWrites, cfg.Now), cache: newRenderCache()}
	m, err := newMetrics(cfg.Registry, cfg.Projections)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.live = newHub(cfg.LiveInterval, cfg.LiveHeartbeat)
	s.unhook = cfg.Projections.OnChange(s.live.onChange)
	s.routes()
	return s, nil
}

// Handle registers an extra route (e.g. the verifiable ledger's proofs) on
// the API's mux, with the same instrumentation as the built-in routes:
// latency metrics under the name route, X-Ledger-Position, panic recovery.
// Call it before serving.
func (s *Server) Handle(pattern, route string, h http.Handler) {
	s.mux.Handle(pattern, s.instrument(route, h))
}

// Handler is the API's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Registry is the Prometheus registry the server reports to; callers may
// register more collectors (e.g. the store's fsync histogram).
func (s *Server) Registry() *prometheus.Registry { return s.cfg.Registry }

// Close ends every live subscription and stops following projection
// changes. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.unhook()
		s.live.close()
	})
}

// routes registers every route. Each route has a stable name used as the
// metrics label.
func (s *Server) routes() {
	pub := func(pattern, name string, h http.HandlerFunc) {
		s.mux.Handle(pattern, s.instrument(name, cors(h)))
	}
	write := func(pattern, name string, h http.HandlerFunc) {
		s.mux.Handle(pattern, s.instrument(name, s.limited(h)))
	}
	admin := func(pattern, name string, role Role, h http.HandlerFunc) {
		s.mux.Handle(pattern, s.instrument(name, s.authorized(role, h)))
	}
	pub("GET /petitions.json", "list", s.handleList)
	pub("GET /petitions/{file}", "petition", s.handlePetition)
	pub("GET /petitions/{id}/count.json", "count", s.handleCount)
	pub("GET /petitions/{id}/audit.json", "audit", s.handleAudit)
	pub("GET /petitions/{id}/live", "live", s.handleLive)
	pub("GET /constituencies.json", "constituencies", s.handleConstituencies)
	pub("OPTIONS /", "preflight", handlePreflight)
	write("POST /petitions", "create", s.handleCreate)
	write("POST /petitions/{id}/sponsors", "sponsor", s.handleSponsor)
	write("POST /petitions/{id}/signatures", "sign", s.handleSign)
	write("GET /signatures/{id}/verify", "validate", s.handleVerify)
	write("POST /signatures/{id}/verify", "validate", s.handleVerify)
	admin("POST /admin/petitions/{id}/moderation", "moderate", RoleModerator, s.handleModerate)
	admin("POST /admin/petitions/{id}/close", "close", RoleModerator, s.handleClose)
	admin("POST /admin/invalidations", "invalidate", RoleModerator, s.handleInvalidate)
	admin("POST /admin/petitions/{id}/government-response", "respond", RoleGovernment, s.handleRespond)
	admin("POST /admin/petitions/{id}/debate", "schedule_debate", RoleCommittee, s.handleScheduleDebate)
	admin("POST /admin/petitions/{id}/debate-outcome", "debate_outcome", RoleCommittee, s.handleDebateOutcome)
	admin("POST /admin/petitions/{id}/other-business", "other_business", RoleCommittee, s.handleOtherBusiness)
	admin("GET /admin/petitions/{file}", "admin_petition", RoleAuditor, s.handleAdminPetition)
	s.mux.Handle("GET /healthz", s.instrument("healthz", http.HandlerFunc(s.handleHealthz)))
	s.mux.Handle("GET /readyz", s.instrument("readyz", http.HandlerFunc(s.handleReadyz)))
	s.mux.Handle("GET /metrics", s.instrument("metrics", s.metricsHandler()))
	s.mux.Handle("GET /problems/{code}", s.instrument("problems", http.HandlerFunc(handleProblemDoc)))
	if s.cfg.LedgerProofs != nil {
		s.cfg.LedgerProofs.Register(s.mux)
	}
	s.mux.Handle("/", s.instrument("not_found", http.HandlerFunc(s.handleNotFound)))
}

// limited applies the per-address rate limit of public writes.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limiter.allow(limitKey(clientIP(r, s.cfg.TrustProxy))); !ok {
			s.metrics.rateLimited.Inc()
			rateLimited(w, wait)
			return
		}
		h(w, r)
	}
}

// authorized requires a bearer token with role.
func (s *Server) authorized(role Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.cfg.Tokens.authorize(r, role); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		h(w, r)
	}
}

// cors allows any origin to read the public API, as the UK service does.
func cors(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Access-Control-Allow-Origin"] = corsAnyOrigin
		hd["Access-Control-Expose-Headers"] = corsExposed
		h(w, r)
	}
}

func handlePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "If-None-Match, X-Ledger-Min-Position")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := s.mux.Handler(r2); pattern != "/" && pattern != "OPTIONS /" {
			w.Header().Set("Allow", m)
			s.writeProblem(w, r, newProblem(CodeMethodNotAllowed, "", "Use "+m+" "+r.URL.Path+"."))
			return
		}
	}
	s.writeProblem(w, r, newProblem(CodeNotFound, "", "No such resource: "+r.Method+" "+r.URL.Path+"."))
}

func handleProblemDoc(w http.ResponseWriter, r *http.Request) {
	doc, ok := problemDoc(r.PathValue("code"))
	if !ok {
		writeProblemBody(w, newProblem(CodeNotFound, "", "No such problem code."))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(doc))
}

// base is the scheme and host links start with.
func (s *Server) base(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	return "http://" + r.Host
}

// routeOf names the route a response belongs to (for logs).
func routeOf(w http.ResponseWriter) string {
	if rec, ok := w.(*statusRecorder); ok {
		return rec.route
	}
	return "unknown"
}
