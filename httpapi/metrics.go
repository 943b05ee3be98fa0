package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors.
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.HistogramVec // by route, method, status
	appends     *prometheus.CounterVec   // durable writes by command
	writeErrors *prometheus.CounterVec   // failed writes by command and code
	rateLimited prometheus.Counter
	liveSubs    prometheus.Gauge
	lastAppend  atomic.Uint64 // commit position of the latest acknowledged write
}

func newMetrics(reg *prometheus.Registry, proj Projections) (*metrics, error) {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "petitionledger_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method", "status"}),
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "petitionledger_appends_total", Help: "Writes acknowledged durable, by command.",
		}, []string{"command"}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "petitionledger_write_errors_total", Help: "Writes refused or failed, by command and code.",
		}, []string{"command", "code"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "petitionledger_rate_limited_total", Help: "Public writes refused by the per-address limit.",
		}),
		liveSubs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "petitionledger_live_subscribers", Help: "Open Server-Sent Events subscriptions.",
		}),
	}
	position := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "petitionledger_projection_position", Help: "Commit position the published projections reflect.",
	}, func() float64 { return float64(proj.View().Position().Commit) })
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "petitionledger_projection_lag", Help: "Commit position of the latest acknowledged write minus the projections' (0 when caught up).",
	}, func() float64 {
		last, seen := m.lastAppend.Load(), proj.View().Position().Commit
		if last <= seen {
			return 0
		}
		return float64(last - seen)
	})
	for _, c := range []prometheus.Collector{m.requests, m.appends, m.writeErrors, m.rateLimited, m.liveSubs,
		position, lag, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			if _, dup := err.(prometheus.AlreadyRegisteredError); !dup {
				return nil, err
			}
		}
	}
	return m, nil
}

// noteAppend records an acknowledged write's position.
func (m *metrics) noteAppend(command string, commit uint64) {
	m.appends.WithLabelValues(command).Inc()
	for {
		cur := m.lastAppend.Load()
		if commit <= cur || m.lastAppend.CompareAndSwap(cur, commit) {
			return
		}
	}
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	route  string
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets Server-Sent Events through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type observerKey struct {
	method string
	status int
}

// instrument names the route, times the request and recovers a panic into
// a 500 problem (logged without the request body).
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	obs := s.metrics.requests
	var observers sync.Map // observerKey → prometheus.Observer
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, route: route}
		// Every response names a log position; handlers that answer from a
		// particular view or receipt overwrite it with that one.
		w.Header()["X-Ledger-Position"] = []string{formatPosition(s.cfg.Projections.View().Position())}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("httpapi: handler panicked", "route", route, "panic", v)
				if rec.status == 0 {
					writeProblemBody(rec, newProblem(CodeInternal, "", "Internal error."))
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			k := observerKey{r.Method, status}
			o, ok := observers.Load(k)
			if !ok {
				o, _ = observers.LoadOrStore(k, obs.WithLabelValues(route, r.Method, strconv.Itoa(status)))
			}
			elapsed := time.Since(start)
			o.(prometheus.Observer).Observe(elapsed.Seconds())
			if s.log.Enabled(r.Context(), slog.LevelDebug) { // the route name only: no path, query, address or body
				s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("route", route),
					slog.String("method", r.Method), slog.Int("status", status), slog.Duration("duration", elapsed))
			}
		}()
		h.ServeHTTP(rec, r)
	})
}
