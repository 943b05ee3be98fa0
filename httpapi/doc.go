// Package httpapi is the HTTP adapter of the petition ledger: the public read
// API, shape-compatible with petition.parliament.uk's JSON API, the write
// API, live counts over Server-Sent Events, and the operational endpoints.
//
// It depends on two ports, both defined here: Ledger (the write side; the
// ledger application service, adapted in cmd/petitionledger) and Projections
// (the read side: consistent projections.View snapshots). It holds no state
// of its own that is not derived from them, except caches keyed by log
// position.
//
// # Routes
//
//	GET  /petitions.json                       list (state, page, count ≤ 50, q)
//	GET  /petitions/{id}.json                  one petition, every block
//	GET  /petitions/{id}/count.json            the count and its milestones
//	GET  /petitions/{id}/audit.json            the audit trail (page, count)
//	GET  /petitions/{id}/live                  Server-Sent Events: count changes
//	GET  /constituencies.json                  the constituency table
//	POST /petitions                            create (public, rate limited)
//	POST /petitions/{id}/sponsors              sponsor (public, rate limited)
//	POST /petitions/{id}/signatures            sign → receipt (public, rate limited;
//	                                           Idempotency-Key: <uuid> makes retries safe)
//	GET|POST /signatures/{id}/verify?petition=&signer=&token=
//	                                           validate: the link mailed to the signer
//	POST /admin/petitions/{id}/moderation      moderator
//	POST /admin/petitions/{id}/close           moderator
//	POST /admin/petitions/{id}/government-response   government
//	POST /admin/petitions/{id}/debate          committee (schedule)
//	POST /admin/petitions/{id}/debate-outcome  committee
//	POST /admin/petitions/{id}/other-business  committee
//	POST /admin/invalidations                  moderator
//	GET  /admin/petitions/{id}.json            auditor (any state, even hidden)
//	GET  /healthz, /readyz, /metrics
//	GET  /problems/{code}                      what an error code means
//
// # Consistency and caching
//
// Every response (errors included) names the $all position it reflects in
// X-Ledger-Position: a write's receipt position, a read's view position (or
// its as_of position), else the latest view's.
// Petition reads carry an ETag derived from the position of the petition's
// last change (so the tag changes exactly when the body can) and
// Cache-Control "no-cache": caches may store the body but must revalidate,
// and a revalidation with If-None-Match is a cheap 304. Reads with ?as_of=
// describe the past, which never changes, and are cacheable for a year.
// A client that wants to read its own write sends X-Ledger-Min-Position
// (the position of its receipt); the read waits (bounded) until the
// projections reflect it.
//
// # Live counts
//
// GET /petitions/{id}/live is a Server-Sent Events stream of count.json
// documents ("event: count", the petition's position as the event id). One
// broadcaster per petition renders at most one frame per
// Config.LiveInterval and wakes its subscribers by closing a channel; a
// subscriber holds no queue and always writes the newest frame, so slow
// clients skip to the latest count (see live.go).
//
// # Limits
//
// Public writes are rate limited per client address (IPv6 per /64), bodies
// are bounded (Config.MaxBodyBytes) and decoded strictly: unknown keys, wrong
// types and trailing data are refused with the field named.
//
// # Errors
//
// Every error is RFC 9457 application/problem+json with a stable "code"
// extension (the domain's codes, plus the HTTP layer's own: see problem.go),
// a type URI "/problems/{code}", and "field" naming the offending input
// field for validation errors.
//
// # Privacy
//
// Request bodies, client addresses and tokens are never logged. Public
// responses hold no personal data: creator_name is always null (the
// creator's name is sealed in the log and never leaves the write side).
package httpapi
