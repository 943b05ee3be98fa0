// Package projections turns the event log into what readers need: petition
// state (everything the UK petitions service's JSON exposes), signature
// counts per constituency, region and country, and a per-petition audit
// trail, each a pure, deterministic fold over $all.
//
// # Reading
//
//	r, _ := projections.NewRunner(projections.Config{Store: s, Dir: dir, Places: places})
//	go r.Run(ctx)                       // reads $all in pages, then subscribes; a View per batch
//	v := r.View()                       // immutable, never torn; v.Position() says what it reflects
//	st, ok := v.Petition(id)            // PetitionState: state, counts, thresholds, response, debate
//	st.SignaturesByConstituency()       // sorted by ONS code, with name and MP
//	st.SignaturesByRegion(), st.SignaturesByCountry()
//	page, _ := v.Petitions(projections.FacetOpen, 1, 50)
//	audit, _ := v.Audit(ctx, id, 1, 100) // paged, log order, no personal data
//	old, ok, _ := v.AsOfPosition(ctx, id, pos) // or AsOfTime(ctx, id, t)
//	v, _ = r.WaitFor(ctx, appendResult.Position) // a writer waits until its append is visible
//	remove := r.OnChange(func(c projections.Change) { ... c.Petitions ... }) // SSE hook
//
// A View is published through an atomic.Pointer after each applied batch;
// only the 256-petition chunks a batch touched are copied, so a reader sees
// every count, threshold and audit length as of exactly one position.
//
// # Counting
//
// The Ledger follows domain.Counts: a validated signature counts while the
// petition is open, and after the close only if it was signed no later than
// the close and validated no later than close + grace (24 h). A removal
// (invalidated, fraudulent) subtracts only a signature that counted. The
// events carry location, from → to states and times, so per-petition memory
// is fixed-size arrays indexed by constituency and country slot (Places),
// never per signature. SignatureSigned (always "" → pending) is not even
// decoded; the three counting signature events go through a hand-written
// decoder (fastdecode.go) that falls back to domain.DecodeEvent on anything
// unusual. The response and debate thresholds follow the UK service:
// reaching one stamps the domain time of the event that crossed it; falling
// back below clears it. The moderation threshold counts sponsors, exactly as
// domain.Petition folds it: PetitionSponsorSupported to sponsored stamps it,
// PetitionSponsorWithdrawn back to validated clears it. Every type in
// domain.EventTypes is either folded (foldKindOf) or listed with a reason
// in notFoldedEventTypes; a test fails when domain adds one that is neither.
//
// # On disk (Config.Dir)
//
//	projections.ckpt    checkpoint: magic, version, position, payload, CRC-32C
//	                    (checkpoint.go); written atomically (temp, fsync,
//	                    rename, fsync dir) every CheckpointEvery events and
//	                    when Run returns. Corrupt or other version → rebuild
//	                    from zero, logged with slog.
//	audit/<id>.audit    fixed 32-byte audit records (audit.go): position,
//	                    domain time, event type, actor role, count delta,
//	                    place slots. Entry i is at offset 32·i, so a page is
//	                    one read; the files are fsynced before a checkpoint
//	                    and cut back to the checkpoint's lengths on restart.
//
// Each audit entry shows its event's hash: SHA-256 of a canonical,
// length-prefixed encoding of the recorded event (package eventhash, which
// documents the encoding), computed when the page is read from the event
// the store holds at that position. It is separate from the verifiable
// log's Merkle leaf encoding. Actor roles are inferred from the event type
// (events carry no actor yet).
//
// Config.StoreFilter asks the store for only the event types the fold
// reads, with a checkpoint after each skipped event; use it with the
// embedded store (petitionledger rebuild does), not with EventStoreDB,
// whose filtered subscriptions send checkpoints only every 32·n events.
//
// As-of replays (AsOfPosition, AsOfTime) refold one petition from its audit
// trail: count records directly (the delta and place slots were decided by
// the counting rule when folded), lifecycle records re-read from the store
// by position and decoded. A petition with 1M counted signatures has a
// 32 MB trail, read in pages, so no periodic snapshots are needed.
//
// # Determinism
//
// The checkpoint payload is canonical (petitions in creation order, fixed
// field order, sorted non-zero count slots), the fold uses only domain
// times, and audit files are written in petition order: the same log gives
// byte-identical files. Tests compare a rebuild, a live incremental run and
// a checkpoint + catch-up byte for byte.
package projections
