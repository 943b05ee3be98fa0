package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

// CheckpointKeyPath is the well-known URL of the public key that verifies
// the ledger's signed checkpoints.
const CheckpointKeyPath = "/.well-known/petitionledger/checkpoint-key"

// LedgerProofs serves the verifiable ledger (issue 8): the checkpoint key,
// signed checkpoints, signer receipts (inclusion proofs) and consistency
// proofs. It is independent of Server: mount it with Register on the same
// mux or in front of Server.Handler.
//
//	GET  /.well-known/petitionledger/checkpoint-key   the verifier key (text)
//	GET  /ledger/checkpoint                           newest signed checkpoint (text)
//	POST /ledger/checkpoint                           sign one now if the log grew
//	GET  /ledger/receipt?position=P&event_id=E[&signature_id=S][&petition_id=N]
//	                                                  completed receipt (JSON)
//	GET  /ledger/consistency?from=M&to=N              consistency proof (JSON)
type LedgerProofs struct {
	Log    *merkle.Log
	Store  eventstore.Store
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (p *LedgerProofs) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+CheckpointKeyPath, p.handleKey)
	mux.HandleFunc("GET /ledger/checkpoint", p.handleCheckpoint)
	mux.HandleFunc("POST /ledger/checkpoint", p.handlePublish)
	mux.HandleFunc("GET /ledger/receipt", p.handleReceipt)
	mux.HandleFunc("GET /ledger/consistency", p.handleConsistency)
}

// ConsistencyResponse is the body of GET /ledger/consistency.
type ConsistencyResponse struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof [][]byte `json:"proof"`
}

func (p *LedgerProofs) handleKey(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, p.Log.VerifierKey()+"\n", "public, max-age=3600")
}

func (p *LedgerProofs) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	_, signed := p.Log.Latest()
	if signed == nil {
		var err error
		if _, signed, err = p.Log.Publish(); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	writeText(w, http.StatusOK, string(signed), "no-cache")
}

func (p *LedgerProofs) handlePublish(w http.ResponseWriter, r *http.Request) {
	_, signed, err := p.Log.Publish()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeText(w, http.StatusOK, string(signed), "no-store")
}

func (p *LedgerProofs) handleReceipt(w http.ResponseWriter, r *http.Request) {
	req, perr := parseReceiptQuery(r)
	if perr != nil {
		writeProblemBody(w, perr)
		return
	}
	rec, err := p.Log.Receipt(r.Context(), p.Store, req)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeProofJSON(w, rec)
}

func (p *LedgerProofs) handleConsistency(w http.ResponseWriter, r *http.Request) {
	from, perr := proofQuerySize(r, "from")
	if perr != nil {
		writeProblemBody(w, perr)
		return
	}
	to, perr := proofQuerySize(r, "to")
	if perr != nil {
		writeProblemBody(w, perr)
		return
	}
	proof, err := p.Log.Tree().ConsistencyProof(from, to)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeProofJSON(w, ConsistencyResponse{From: from, To: to, Proof: merkle.Bytes(proof)})
}

func parseReceiptQuery(r *http.Request) (merkle.ReceiptRequest, *Problem) {
	q := r.URL.Query()
	var req merkle.ReceiptRequest
	pos, err := ParsePosition(q.Get("position"))
	if err != nil {
		return req, newProblem(CodeInvalidParameter, "position", "position must be N or C:N/P:M, as X-Ledger-Position gives it.")
	}
	req.Position = pos
	if req.EventID, err = uuid.Parse(q.Get("event_id")); err != nil {
		return req, newProblem(CodeInvalidParameter, "event_id", "event_id must be the UUID of the event the write returned.")
	}
	if s := q.Get("signature_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return req, newProblem(CodeInvalidParameter, "signature_id", "signature_id must be a UUID.")
		}
		req.SignatureID = &id
	}
	if s := q.Get("petition_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return req, newProblem(CodeInvalidParameter, "petition_id", "petition_id must be a positive integer.")
		}
		req.PetitionID = n
	}
	return req, nil
}

func proofQuerySize(r *http.Request, name string) (int64, *Problem) {
	n, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0, newProblem(CodeInvalidParameter, name, name+" must be a tree size (a non-negative integer).")
	}
	return n, nil
}

func (p *LedgerProofs) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, merkle.ErrNotFound):
		writeProblemBody(w, newProblem(CodeNotFound, "", "No such event in the ledger's tree (yet): "+err.Error()))
	case errors.Is(err, merkle.ErrRange):
		writeProblemBody(w, newProblem(CodeInvalidParameter, "", err.Error()))
	default:
		log := p.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Error("httpapi: ledger proof failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		writeProblemBody(w, newProblem(CodeInternal, "", "Internal error."))
	}
}

func writeText(w http.ResponseWriter, status int, body, cache string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", cache)
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeProofJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblemBody(w, newProblem(CodeInternal, "", "Internal error."))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}
