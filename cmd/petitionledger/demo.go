package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/httpapi"
)

func init() {
	register(command{name: "demo", summary: "run the server on a fresh temporary store loaded with the demo history (README's main command)", run: runDemo})
}

// demoListen is the demo's preferred address; when it is taken the demo
// listens on a free port instead (unless --listen was given).
const demoListen = "127.0.0.1:8080"

// runDemo starts serve on a fresh temporary directory (removed at exit;
// --store names another, which must be empty) loaded with the demo
// history, prints the URLs to open and the admin tokens, and runs until
// Ctrl-C. Confirmation mails are printed.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("demo", args, "", stderr)
	if err != nil {
		return err
	}
	if f.listen == "127.0.0.1:8080" && !addressFree(demoListen) {
		f.listen = "127.0.0.1:0"
	}
	if f.logLevel == "info" {
		f.logLevel = "warn" // the demo's output is for a person
	}
	dir, cleanup, err := demoDirectory(f.store)
	if err != nil {
		return err
	}
	defer cleanup()
	f.store = dir
	tokens := demoTokens()
	for _, spec := range tokens {
		f.tokens = append(f.tokens, spec)
	}
	cfg, err := f.nodeConfig(os.Getenv, stderr)
	if err != nil {
		return err
	}
	cfg.Mailer = &printMailer{w: stdout}
	cfg.derivePaths()
	var summaries []demo.Summary
	cfg.Seed = func(ctx context.Context, store eventstore.Store) error {
		s, err := seedDemo(ctx, store, cfg.SecretsFile, stdout)
		summaries = s
		return err
	}
	cfg.Started = func(addr, esdbAddr string) {
		printDemoWelcome(stdout, "http://"+addr, esdbAddr, dir, summaries, tokens)
	}
	defer f.gc.apply(cfg.Logger)()
	return runNode(ctx, cfg)
}

// demoDirectory returns a fresh data directory: a new temporary one
// (removed by cleanup) or the given one, which must not hold anything.
func demoDirectory(given string) (string, func(), error) {
	if given == "" {
		dir, err := os.MkdirTemp("", "petitionledger-demo-")
		if err != nil {
			return "", nil, fmt.Errorf("temporary directory: %w", err)
		}
		return dir, func() { _ = os.RemoveAll(dir) }, nil
	}
	ents, err := os.ReadDir(given)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", nil, fmt.Errorf("--store %s: %w", given, err)
	}
	if len(ents) > 0 {
		return "", nil, usageError{fmt.Sprintf("--store %s is not empty: the demo loads its history into a fresh directory", given)}
	}
	return given, func() {}, nil
}

// seedDemo generates the demo history with the deployment's secrets and
// appends it to the empty store.
func seedDemo(ctx context.Context, store eventstore.Store, secretsFile string, stdout io.Writer) ([]demo.Summary, error) {
	sec, err := loadOrCreateSecrets(secretsFile)
	if err != nil {
		return nil, err
	}
	rules, err := domainRules(sec)
	if err != nil {
		return nil, err
	}
	sealer, err := demo.NewSealer(sec.CurrentKey, sec.SealingKeys[sec.CurrentKey])
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stdout, "generating the demo history ...")
	start := time.Now()
	// Now is truncated to the day so a same-day run generates the same event IDs.
	h, err := demo.Generate(demo.Options{Seed: 1, Now: time.Now().UTC().Truncate(24 * time.Hour), Rules: rules, Sealer: sealer})
	if err != nil {
		return nil, fmt.Errorf("generate the demo history: %w", err)
	}
	n, err := loadDemoHistory(ctx, store, h)
	if err != nil {
		return nil, fmt.Errorf("load the demo history: %w", err)
	}
	fmt.Fprintf(stdout, "loaded %d events in %s\n", n, time.Since(start).Round(time.Millisecond))
	return h.Petitions, nil
}

// demoTokens makes one fresh admin token per role.
func demoTokens() []string {
	var specs []string
	for _, role := range httpapi.Roles {
		specs = append(specs, fmt.Sprintf("%s:demo-%s-%x", role, role, randomBytes(8)))
	}
	return specs
}

func addressFree(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func printDemoWelcome(w io.Writer, base, esdbAddr, dir string, petitions []demo.Summary, tokens []string) {
	fmt.Fprintf(w, "\nPetition Ledger demo on %s (data in %s, removed at exit unless --store was given)\n\n", base, dir)
	for _, p := range petitions {
		fmt.Fprintf(w, "  petition %d (%s, %d signatures counted): %s\n", p.ID, p.State, p.Counted, p.Action)
	}
	fmt.Fprintln(w, "\nOpen:")
	for _, path := range []string{"/petitions.json", "/petitions/1.json", "/petitions/1/count.json",
		"/petitions/1/audit.json", "/petitions/1/count.json?as_of=2022-03-01T00:00:00Z", "/petitions/2/live",
		"/constituencies.json", "/readyz", "/metrics"} {
		fmt.Fprintf(w, "  %s%s\n", base, path)
	}
	fmt.Fprintln(w, "\nSign the open petition (its confirmation link is printed here; open it to count the signature):")
	fmt.Fprintf(w, "  curl -s -X POST %s/petitions/2/signatures -H 'Content-Type: application/json' \\\n", base)
	fmt.Fprintln(w, `    -d '{"name":"Ada Lovelace","email":"ada@example.org","postcode":"SW1A 1AA","country":"GB"}'`)
	fmt.Fprintln(w, "\nAdmin tokens for this run (Authorization: Bearer <token>):")
	for _, t := range tokens {
		fmt.Fprintf(w, "  %s\n", t)
	}
	if esdbAddr != "" {
		fmt.Fprintf(w, "\nEventStoreDB clients: esdb://%s?tls=false\n", esdbAddr)
	}
	fmt.Fprintln(w, "\nCtrl-C to stop.")
}
