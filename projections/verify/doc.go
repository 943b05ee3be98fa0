// Package verify checks a Petition Ledger independently of its projections:
// Ledger reads the first N events of $all (N from a signed checkpoint),
// recomputes the RFC 6962 root with transparency-dev/merkle's compact
// ranges over projections/merkle's leaf encoding, checks it against the
// checkpoint, checks every earlier checkpoint of the history is a prefix of
// the same log (a fork or a rewritten past fails), names the first leaf
// that differs from the server's own tree when that is given, and recounts
// every petition from the raw events.
//
// # Recount
//
// The recount shares no code with package projections. It keeps the last
// known facts of every signature (location, state, signing and validation
// times) and each petition's close time, then judges each signature with
// domain.Counts. Petition events are decoded with domain.DecodeEventWithID;
// signature events, nearly all of the log, are read by a hand-written
// scanner of just the fields counting needs (sigdecode.go; JSON names pinned
// by domain's golden files; anything it does not handle, such as escapes or
// nulls, goes to encoding/json, and FuzzDecodeSigFields checks the two read
// the same), and 1 in 256 of them (by leaf index) is decoded again by
// domain.DecodeEventWithID to catch a schema drift. The per-signature
// state is compact and pointer-free (interned locations and states, times
// as seconds and nanoseconds), so at 10 million events the garbage
// collector has little of it to scan.
//
// # One pass on every core
//
// A reader pages through $all; Options.Workers goroutines (GOMAXPROCS by
// default) prepare each page on their own: leaf hashes
// (merkle.HashEvent), the server's leaf hashes for the same leaves (read as
// one run with TreeHashes), and every event read for the recount. One
// consumer then takes the pages in log order: it compares leaf hashes with
// the server's, appends them to the compact range, checks each earlier
// checkpoint as the range reaches its size, and folds the events. So the
// report, and the first problem reported (the lowest leaf; at one leaf a
// hash problem before a recount problem), are those of the sequential pass
// (Workers: 1), which TestLedgerPipelineMatchesSequential and
// TestLedgerTamper compare word for word. `petitionledger bench verify`
// measures it on a real 10-million-event ledger (docs/benchmarks.md).
//
// # Shares and determinism
//
// Every share is Share(count, total): the exact quotient rounded half-even
// to 6 decimal places with integer arithmetic, printed with exactly 6
// places (shopspring/decimal). Per petition the report gives each
// constituency's, region's and country's share of the counted total, the
// share from abroad (country not GB) and the invalidation rate
// (invalidated / all signatures). The report (JSON, keys in sorted order)
// and the count certificates hold no time of the run and no file path, so
// two verifiers of the same ledger and checkpoint produce the same bytes
// (golden files testdata/demo-report.sha256 and testdata/petition-1.cert).
//
// # Count certificate
//
// CertificateText is the certificate of a closed petition, bound to the
// checkpoint (origin, tree size, root); SignCertificate makes it a signed
// note (golang.org/x/mod/sumdb/note, Ed25519).
package verify
