// Package web serves the petition pages: server-rendered HTML (html/template)
// with small vanilla JavaScript as progressive enhancement, every asset
// embedded with go:embed, no build step.
//
// # Routes
//
//	GET /                          petition list (state=open|closed|with_response|all, q, page)
//	GET /petition/{id}             action, background, state, count (live over
//	                               /petitions/{id}/live), threshold progress,
//	                               response, debate, constituency hex map and table
//	GET /petition/{id}/audit       the audit trail, paged, and the checkpoint slot
//	GET /static/{file}             CSS, JavaScript
//
// The map is a hex cartogram of the 650 constituencies (assets/constituencies.hexjson,
// © CC BY 4.0 Open Innovations, layout odd-r) rendered as inline SVG on the
// server, so it works without JavaScript. Every response carries a
// Content-Security-Policy that allows only the site itself. The pages show
// no personal data: only what the public JSON API shows.
package web
