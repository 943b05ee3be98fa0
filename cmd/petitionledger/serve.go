package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/petitionledger/petitionledger/httpapi"
)

func init() {
	register(command{name: "serve", summary: "run the HTTP API (UK petitions JSON, writes, live counts) over a store", run: runServe})
}

// envPrefix prefixes every environment variable serve reads: each flag
// --some-name may be given as PETITIONLEDGER_SOME_NAME instead.
const envPrefix = "PETITIONLEDGER_"

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// tokenList collects repeated --token role:token flags.
type tokenList []string

func (t *tokenList) String() string     { return fmt.Sprintf("%d tokens", len(*t)) }
func (t *tokenList) Set(v string) error { *t = append(*t, v); return nil }

// serveFlags are serve's flags; demo reuses them.
type serveFlags struct {
	listen, store, stateDir, secretsFile, publicURL, esdbListen, tokensFile, logLevel, outboxFile, pprofListen string
	tokens                                                                                                     tokenList
	rate                                                                                                       float64
	burst                                                                                                      int
	trustProxy                                                                                                 bool
	maxBody                                                                                                    int64
	shutdownTimeout                                                                                            time.Duration
	esdbSecurity                                                                                               esdbSecurityFlags
	gc                                                                                                         gcFlags
}

func (f *serveFlags) register(fs *flag.FlagSet, defaultStore string) {
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "HTTP address to listen on")
	fs.StringVar(&f.store, "store", defaultStore, "embedded store directory, or an EventStoreDB connection string (esdb://host:2113?tls=false)")
	fs.StringVar(&f.stateDir, "state-dir", "", "projection checkpoint and audit trails (default: <store>/projections, or ./state/projections with esdb://)")
	fs.StringVar(&f.secretsFile, "secrets-file", "", "keys for hashing, sealing and confirmation links, created on first start (default: <store>/secrets.json, or ./state/secrets.json); every node of a cluster needs the same file")
	fs.StringVar(&f.publicURL, "public-url", "", "scheme and host used in links, e.g. https://petitions.example (default: http://<listen address>)")
	fs.StringVar(&f.esdbListen, "esdb-listen", "", "also serve the EventStoreDB gRPC protocol over the same store on this address (e.g. 127.0.0.1:2113)")
	f.esdbSecurity.register(fs)
	f.gc.register(fs)
	fs.Var(&f.tokens, "token", "admin token as role:token (roles: moderator, government, committee, auditor); repeatable")
	fs.StringVar(&f.tokensFile, "tokens-file", "", "file of admin tokens, one role:token per line")
	fs.Float64Var(&f.rate, "rate-limit", 5, "public writes allowed per second per client address (0: no limit)")
	fs.IntVar(&f.burst, "rate-burst", 20, "burst of public writes allowed per client address")
	fs.BoolVar(&f.trustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (only behind a proxy you run)")
	fs.Int64Var(&f.maxBody, "max-body", 64<<10, "largest request body, in bytes")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a shutdown waits for requests in flight")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.pprofListen, "pprof-listen", "", "serve Go's net/http/pprof profiles on this address (loopback only; for diagnosis)")
	fs.StringVar(&f.outboxFile, "outbox-file", "", "append confirmation mails (kind, petition, signature, link; never the address) to this file as JSON lines, for running without a mail transport")
}

// applyEnv sets every flag not given on the command line from its
// PETITIONLEDGER_* variable (PETITIONLEDGER_TOKENS holds a comma-separated
// list of role:token).
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil || f.Name == "token" {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError{fmt.Sprintf("%s=%q: %v", envName(f.Name), v, serr)}
			}
		}
	})
	return err
}

// tokens gathers the admin tokens from flags, the environment and the file.
func (f *serveFlags) adminTokens(getenv func(string) string) (*httpapi.Tokens, error) {
	toks := &httpapi.Tokens{}
	for _, spec := range f.tokens {
		if err := toks.AddSpec(spec); err != nil {
			return nil, usageError{"--token: " + err.Error()}
		}
	}
	if err := toks.AddList(getenv(envPrefix + "TOKENS")); err != nil {
		return nil, usageError{envPrefix + "TOKENS: " + err.Error()}
	}
	if f.tokensFile != "" {
		file, err := os.Open(f.tokensFile)
		if err != nil {
			return nil, fmt.Errorf("--tokens-file: %w", err)
		}
		defer file.Close()
		if err := toks.AddFile(file); err != nil {
			return nil, fmt.Errorf("--tokens-file %s: %w", f.tokensFile, err)
		}
	}
	return toks, nil
}

// nodeConfig turns the flags into a node configuration.
func (f *serveFlags) nodeConfig(getenv func(string) string, stderr io.Writer) (nodeConfig, error) {
	log, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return nodeConfig{}, err
	}
	toks, err := f.adminTokens(getenv)
	if err != nil {
		return nodeConfig{}, err
	}
	switch {
	case f.store == "":
		return nodeConfig{}, usageError{"--store: give a directory or an esdb:// connection string"}
	case f.rate < 0 || f.burst < 1:
		return nodeConfig{}, usageError{"--rate-limit must be ≥ 0 and --rate-burst ≥ 1"}
	case f.maxBody < 1024:
		return nodeConfig{}, usageError{"--max-body must be at least 1024 bytes"}
	case f.shutdownTimeout <= 0:
		return nodeConfig{}, usageError{"--shutdown-timeout must be positive"}
	}
	esdbSecurity, err := f.esdbSecurity.security(f.esdbListen)
	if err != nil {
		return nodeConfig{}, err
	}
	return nodeConfig{Listen: f.listen, Store: f.store, StateDir: f.stateDir, SecretsFile: f.secretsFile,
		PublicURL: f.publicURL, ESDBListen: f.esdbListen, ESDBSecurity: esdbSecurity, Tokens: toks,
		PublicWrites: httpapi.RateLimit{Rate: f.rate, Burst: f.burst}, TrustProxy: f.trustProxy,
		MaxBodyBytes: f.maxBody, ShutdownTimeout: f.shutdownTimeout, Logger: log, OutboxFile: f.outboxFile, PprofListen: f.pprofListen}, nil
}

// parseServeFlags parses args (then the environment) into flags.
func parseServeFlags(name string, args []string, defaultStore string, stderr io.Writer) (*serveFlags, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	f.register(fs, defaultStore)
	if err := fs.Parse(args); err != nil {
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if err := applyEnv(fs, os.Getenv); err != nil {
		return nil, err
	}
	return &f, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("serve", args, "./data", stderr)
	if err != nil {
		return err
	}
	cfg, err := f.nodeConfig(os.Getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.Tokens.Len() == 0 {
		cfg.Logger.Warn("no admin tokens configured: admin routes answer 401 (see --token)")
	}
	cfg.Started = func(httpAddr, esdbAddr string) {
		fmt.Fprintf(stdout, "listening on http://%s\n", httpAddr)
		if esdbAddr != "" {
			fmt.Fprintf(stdout, "EventStoreDB protocol on esdb://%s?tls=%t\n", esdbAddr, cfg.ESDBSecurity.TLS != nil)
		}
	}
	defer f.gc.apply(cfg.Logger)()
	return runNode(ctx, cfg)
}
