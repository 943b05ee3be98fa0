package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"github.com/petitionledger/petitionledger/projections/verify"
)

func init() {
	register(command{
		name:    "verify",
		summary: "check the ledger: verify receipt --receipt F --checkpoint F --key K | verify ledger --store DIR_OR_ESDB --checkpoint F [--key K]",
		run:     runVerify,
	})
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"verify: usage: verify receipt|ledger [flags]"}
	}
	switch args[0] {
	case "receipt":
		return runVerifyReceipt(args[1:], stdout, stderr)
	case "ledger":
		return runVerifyLedger(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("verify: unknown subcommand %q (want receipt or ledger)", args[0])}
}

func runVerifyReceipt(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("verify receipt", flag.ContinueOnError)
	fset.SetOutput(stderr)
	recFile := fset.String("receipt", "", "completed receipt JSON (from GET /ledger/receipt) (required)")
	cpFile := fset.String("checkpoint", "", "signed checkpoint to verify against (required)")
	key := fset.String("key", "", "checkpoint verifier key, or a file holding it (required)")
	origin := fset.String("origin", "", "expected checkpoint origin (optional)")
	if err := fset.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *recFile == "" || *cpFile == "" || *key == "" {
		return usageError{"verify receipt: --receipt, --checkpoint and --key are required"}
	}
	v, err := merkle.ParseVerifier(*key)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*recFile)
	if err != nil {
		return err
	}
	rec, err := merkle.ParseReceipt(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *recFile, err)
	}
	cp, err := os.ReadFile(*cpFile)
	if err != nil {
		return err
	}
	c, leaf, err := merkle.VerifyReceipt(rec, cp, v, *origin)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK: event %s (%s, stream %s revision %d) is leaf %d of %s at size %d, root %x, signed by %s\n",
		leaf.ID, leaf.Type, leaf.Stream, leaf.Revision, rec.LeafIndex, c.Origin, c.Size, c.Root, v.Name())
	return nil
}

type verifyLedgerFlags struct {
	store, checkpoint, key, history, tree, against, jsonOut, certDir, signKey, cpuProfile string
}

func runVerifyLedger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("verify ledger", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var f verifyLedgerFlags
	fset.StringVar(&f.store, "store", "", "embedded store directory or esdb:// connection string (required)")
	fset.StringVar(&f.checkpoint, "checkpoint", "", "signed checkpoint to verify (required)")
	fset.StringVar(&f.key, "key", "", "checkpoint verifier key or file (without it the signature is not checked)")
	fset.StringVar(&f.history, "history", "", "checkpoint history file (default: <store>/projections/merkle/checkpoints when present)")
	fset.StringVar(&f.tree, "tree", "", "the server's tree directory, to name the first bad leaf (default: <store>/projections/merkle when present)")
	fset.StringVar(&f.against, "against", "", "server base URL: compare the recount with /petitions/{id}.json")
	fset.StringVar(&f.jsonOut, "json", "", "write the JSON report to this file")
	fset.StringVar(&f.certDir, "certificates", "", "write a count certificate per closed petition into this directory")
	fset.StringVar(&f.signKey, "sign-key", "", "private key to sign the certificates (with --certificates)")
	fset.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the verification to this file")
	if err := fset.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fset.NArg() > 0 {
		return usageError{fmt.Sprintf("verify ledger: unexpected argument %q", fset.Arg(0))}
	}
	if f.store == "" || f.checkpoint == "" {
		return usageError{"verify ledger: --store and --checkpoint are required"}
	}
	if f.signKey != "" && f.certDir == "" {
		return usageError{"verify ledger: --sign-key needs --certificates DIR"}
	}
	opts, closeAll, err := verifyOptions(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	if os.Getenv("GOGC") == "" {
		// A long verification allocates every page afresh (the store
		// copies each event out) while the store's index and the recount
		// stay live: collecting less often saves most of the marking.
		defer debug.SetGCPercent(debug.SetGCPercent(verifyGCPercent))
	}
	stopProfile := func() {}
	if f.cpuProfile != "" {
		if stopProfile, err = startCPUProfile(f.cpuProfile); err != nil {
			return err
		}
	}
	rep, verr := verify.Ledger(ctx, opts)
	stopProfile()
	fmt.Fprintln(stderr)
	if rep != nil {
		printReport(stdout, rep)
		if err := writeReportFiles(f, rep); err != nil {
			return errors.Join(verr, err)
		}
	}
	return verr
}

// verifyOptions opens the store, reads the checkpoint, key, history and
// tree, and returns the options with a function closing what it opened.
func verifyOptions(ctx context.Context, f verifyLedgerFlags, stderr io.Writer) (verify.Options, func(), error) {
	var o verify.Options
	var closers []func() error
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			_ = closers[i]()
		}
	}
	cp, err := os.ReadFile(f.checkpoint)
	if err != nil {
		return o, closeAll, err
	}
	o.Checkpoint = cp
	if f.key != "" {
		if o.Verifier, err = merkle.ParseVerifier(f.key); err != nil {
			return o, closeAll, err
		}
	}
	local := !isESDB(f.store)
	if local {
		if st, err := os.Stat(f.store); err != nil || !st.IsDir() {
			return o, closeAll, fmt.Errorf("store directory %q does not exist", f.store)
		}
		if f.history == "" && fileExists(filepath.Join(f.store, "projections", "merkle", "checkpoints")) {
			f.history = filepath.Join(f.store, "projections", "merkle", "checkpoints")
		}
		if f.tree == "" && fileExists(filepath.Join(f.store, "projections", "merkle", merkle.HashesFile)) {
			f.tree = filepath.Join(f.store, "projections", "merkle")
		}
	}
	if f.history != "" {
		fh, err := os.Open(f.history)
		if err != nil {
			return o, closeAll, err
		}
		o.History, _, err = merkle.ReadHistory(fh)
		fh.Close()
		if err != nil {
			return o, closeAll, fmt.Errorf("%s: %w", f.history, err)
		}
	}
	if f.tree != "" {
		r, err := verify.OpenTreeHashes(f.tree)
		if err != nil {
			return o, closeAll, err
		}
		closers = append(closers, r.Close)
		o.LeafHash, o.LeafHashes = r.LeafHash, r.LeafHashes
	}
	if f.against != "" {
		o.Published = verify.HTTPPublished(f.against, nil)
	}
	store, err := openVerifyStore(ctx, f.store, stderr)
	if err != nil {
		return o, closeAll, err
	}
	closers = append(closers, store.Close)
	o.Store = store
	o.Progress = verifyProgressBar(stderr)
	return o, closeAll, nil
}

func openVerifyStore(ctx context.Context, store string, stderr io.Writer) (eventstore.Store, error) {
	if isESDB(store) {
		s, err := esdb.Open(ctx, store)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", redactConn(store), err)
		}
		return s, nil
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := embedded.Open(store, embedded.WithLogger(logger), embedded.WithSnapshotEvery(-1))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", store, err)
	}
	return s, nil
}

// verifyGCPercent is the GOGC of `verify ledger` unless GOGC is set: the
// heap may grow to about 3× what stays live (about 1.5 GB at 10 million
// events: the store's stream index and the recount). At 10M events, 400
// cost twice the system time of 200 (page faults of a 7 GB heap) for no
// less user time.
const verifyGCPercent = 200

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// progressBar draws "[####      ]  40% 400/1000 events" on w.
func verifyProgressBar(w io.Writer) func(done, total int64) {
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		const width = 30
		k := int(done * width / total)
		fmt.Fprintf(w, "\r[%s%s] %3d%% %d/%d events", strings.Repeat("#", k), strings.Repeat(" ", width-k), done*100/total, done, total)
	}
}

func printReport(w io.Writer, rep *verify.Report) {
	sig := "signature checked"
	if !rep.SignatureChecked {
		sig = "SIGNATURE NOT CHECKED (no --key)"
	}
	fmt.Fprintf(w, "checkpoint: %s size %d root %s (%s)\n", rep.Origin, rep.TreeSize, rep.Root, sig)
	if rep.FirstProblem != "" {
		fmt.Fprintf(w, "MISMATCH: %s\n", rep.FirstProblem)
		return
	}
	fmt.Fprintf(w, "root recomputed from %d events: matches; %d checkpoint(s) consistent\n", rep.TreeSize, rep.CheckpointsChecked)
	for _, p := range rep.Petitions {
		server := ""
		if p.ServerMatches != nil && *p.ServerMatches {
			server = ", server agrees"
		}
		fmt.Fprintf(w, "petition %d: %d counted of %d signatures (abroad %s, invalidated %s)%s\n",
			p.ID, p.Total, p.Signatures, p.AbroadShare, p.InvalidationRate, server)
	}
	fmt.Fprintln(w, "OK")
}

func writeReportFiles(f verifyLedgerFlags, rep *verify.Report) error {
	if f.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if f.certDir == "" || rep.FirstProblem != "" {
		return nil
	}
	return writeCertificates(f, rep)
}

func writeCertificates(f verifyLedgerFlags, rep *verify.Report) error {
	if err := os.MkdirAll(f.certDir, 0o755); err != nil {
		return err
	}
	var sign func(string) ([]byte, error)
	if f.signKey != "" {
		s, _, err := merkle.LoadSigner(f.signKey)
		if err != nil {
			return err
		}
		sign = func(t string) ([]byte, error) { return verify.SignCertificate(t, s) }
	}
	for _, p := range rep.Petitions {
		if p.ClosedAt == "" {
			continue
		}
		text, err := verify.CertificateText(rep, p)
		if err != nil {
			return err
		}
		out := []byte(text)
		if sign != nil {
			if out, err = sign(text); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(f.certDir, fmt.Sprintf("petition-%d.cert", p.ID)), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}
