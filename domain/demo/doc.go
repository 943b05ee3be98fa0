// Package demo generates the demo history of the petition ledger: a
// deterministic, seeded sequence of domain events for five petitions,
// played through the domain's own decisions (Rules.CreatePetition,
// Signer.Sign, Signer.Validate, Petition.Moderate, ... — the calls the
// ledger makes), so every event is one the rules allow.
//
//  1. "Hold a public inquiry into Russian interference in UK politics":
//     created 20 September 2021, published 5 October 2021, 44,150 counted
//     signatures (creator, 5 sponsors and 44,144 signers) spread over all
//     650 constituencies in roughly equal shares (weights 0.6–1.4, a stand-in
//     for electorates), 3.1% from 13 countries abroad, 0.4% with a well-formed
//     postcode the table lacks (geo.UnknownConstituency), 1% second signatures
//     from a household's shared email, 540 never confirmed; a surge after
//     24 February 2022; the Cabinet Office's response of 21 March 2022;
//     closed at its deadline (end of 5 April 2022, London time); the
//     Westminster Hall debate on foreign lobbying of 25 May 2022 recorded
//     as other parliamentary business.
//  2. An open petition, published 33 days before Options.Now.
//  3. A petition rejected as a duplicate after gathering its sponsors.
//  4. A petition closed below the debate threshold but debated (6 June 2022)
//     at the Petitions Committee's choice.
//  5. A petition hit by automated signing from one network: the repeat
//     attempts were over the rate limit (fraudulent) and an invalidation by
//     network removed all of them.
//
// Texts (backgrounds, the government response, business) were written for
// the demo and copy no official wording. Signers are invented: names from
// common UK names, emails on the reserved example domains, real postcodes
// picked from domain/geo, public-looking but invented IP addresses. Personal
// data only enters events as keyed hashes and sealed data, as in
// production.
//
// # Determinism
//
// The history is a pure function of Options: Seed, Now, the hashing secret
// (Rules.Hasher) and the sealing key (NewSealer). Random draws come from
// PCG streams per petition with the package's own helpers; event IDs are
// UUIDv5 (domain.DeterministicEventID) of the seed and a name, and follow
// the ledger's derivations where it has them (signature IDs, validations,
// creator confirmation, sponsors, closure, invalidations), so replaying a
// confirmation link against a loaded demo is idempotent. Sealing uses
// AES-256-GCM with a synthetic nonce (see NewSealer). History.Digest is the
// SHA-256 of the canonical encoding (History.WriteTo); a golden test pins
// it.
//
// # Loading
//
// The package is pure: it never touches a store. History.Records are in
// append order (by domain time) with the exact expected revision of each
// stream (NoStream for the first event); a loader outside domain/ encodes
// each Event with domain.EncodeEvent and appends it with its EventID. See
// /work/notes/demo.md and cmd/petitionledger.
package demo
