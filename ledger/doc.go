// Package ledger is the application service of the petition ledger: it runs
// domain commands against an eventstore.Store.
//
// Every command follows the same loop: read the stream, fold it into the
// aggregate, let the domain decide, append the decided events with the
// expected revision the fold saw, and on a wrong expected revision read
// again and redecide, a bounded number of times (Options.MaxRetries). Every
// invariant that spans concurrent writers is therefore enforced by the
// store, not by memory: with many API nodes on one EventStoreDB cluster,
// "at most two signatures per canonical email" holds because all of one
// email's signatures on a petition live in one stream,
// "signer-{petitionID}-{signerKey}", appended with an exact revision.
//
// Event IDs are chosen so retries are safe: a Sign retried with the same
// event ID finds its event already in the signer stream and returns the
// original receipt; follow-up facts (the creator's confirmation, a sponsor's
// support, a close at the deadline, an invalidation's removals) have
// deterministic IDs, so nodes racing to write them write them once.
//
// Errors returned to callers are *domain.Error (rules) or wrapped store
// errors (domain.ErrorCode reports them as "internal").
package ledger
