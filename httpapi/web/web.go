package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/projections"
)

// ErrConfig reports a configuration that cannot work.
var ErrConfig = errors.New("web: bad configuration")

//go:embed templates/*.html static/*
var files embed.FS

// Views is the read side the pages render: *projections.Runner.
type Views interface {
	View() *projections.View
}

// Registrar is where the pages mount: *httpapi.Server.
type Registrar interface {
	Handle(pattern, route string, h http.Handler)
}

// Config configures the pages.
type Config struct {
	Views  Views               // required
	Places *projections.Places // required: constituency names and MPs
	// CheckpointURL, when not empty, is the verifiable ledger's newest
	// signed checkpoint (text); the audit page links it and the verify form
	// checks receipts against it.
	CheckpointURL string
	Logger        *slog.Logger
}

// Pages serves the petition pages.
type Pages struct {
	cfg   Config
	tmpl  *template.Template
	hexes *hexMap
	log   *slog.Logger
}

// csp allows only this site: no inline script or style, no frames.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// New parses the templates and the hex layout.
func New(cfg Config) (*Pages, error) {
	if cfg.Views == nil || cfg.Places == nil {
		return nil, fmt.Errorf("%w: Views and Places are required", ErrConfig)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	t, err := template.New("").Funcs(funcs).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	hm, err := loadHexMap()
	if err != nil {
		return nil, err
	}
	return &Pages{cfg: cfg, tmpl: t, hexes: hm, log: cfg.Logger}, nil
}

// Register mounts the pages on r.
func (p *Pages) Register(r Registrar) {
	r.Handle("GET /{$}", "web_list", http.HandlerFunc(p.handleList))
	r.Handle("GET /petition/{id}", "web_petition", http.HandlerFunc(p.handlePetition))
	r.Handle("GET /petition/{id}/audit", "web_audit", http.HandlerFunc(p.handleAudit))
	static, _ := fs.Sub(files, "static")
	r.Handle("GET /static/", "web_static", secure(http.StripPrefix("/static/", http.FileServerFS(static))))
}

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w)
		h.ServeHTTP(w, r)
	})
}

func setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// render executes the named template into a buffer, so a failure is a clean 500.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		p.log.Error("web: render", slog.String("template", name), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setSecurityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Accept-Encoding")
	body := buf.Bytes()
	if gz, ok := gzipped(r, body); ok {
		w.Header().Set("Content-Encoding", "gzip")
		body = gz
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	p.render(w, r, http.StatusNotFound, "error.html", errorPage{Title: "Page not found", Message: msg})
}

type errorPage struct{ Title, Message string }

// visible matches the JSON API: hidden rejections and unpublished petitions are not shown.
func visible(s *projections.PetitionState) bool {
	return s.State == "open" || s.State == "closed" || (s.State == "rejected" && !s.Hidden)
}

// petitionFrom reads {id} and the visible petition it names.
func (p *Pages) petitionFrom(r *http.Request) (*projections.View, projections.PetitionState, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, projections.PetitionState{}, false
	}
	v := p.cfg.Views.View()
	s, ok := v.Petition(id)
	if !ok || !visible(&s) {
		return nil, projections.PetitionState{}, false
	}
	return v, s, true
}

func queryInt(r *http.Request, name string, def, lo, hi int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < lo {
		return def
	}
	return min(n, hi)
}

var funcs = template.FuncMap{
	"comma": comma,
	"percent": func(n, of int64) int64 {
		if of <= 0 {
			return 0
		}
		return min(100, n*100/of)
	},
	"add": func(a, b int) int { return a + b },
	"f1":  func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) },
	"title": func(s string) string {
		s = strings.ReplaceAll(s, "_", " ")
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
}

// comma formats n with thousands separators.
func comma(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
