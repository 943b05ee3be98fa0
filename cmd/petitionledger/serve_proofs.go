package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"golang.org/x/mod/sumdb/note"
)

// The verifiable ledger in serve is configured by environment (serve's
// flags belong to another file):
//
//	PETITIONLEDGER_CHECKPOINT_KEY    private key file from `keys generate`
//	                                 (default <state-dir>/merkle/checkpoint.key,
//	                                 created with its .pub on first start)
//	PETITIONLEDGER_LEDGER_ORIGIN     checkpoint origin (default petitionledger.local/ledger)
//	PETITIONLEDGER_CHECKPOINT_EVERY  checkpoint interval (default 10s)
//
// The tree and the checkpoint history live in <state-dir>/merkle, where
// `verify ledger --store DIR` finds them.
const (
	envCheckpointKey   = "PETITIONLEDGER_CHECKPOINT_KEY"
	envLedgerOrigin    = "PETITIONLEDGER_LEDGER_ORIGIN"
	envCheckpointEvery = "PETITIONLEDGER_CHECKPOINT_EVERY"
)

func init() { ledgerProofsHook = startLedgerProofs }

// startLedgerProofs opens the tree and history, loads (or creates) the key,
// and runs the follower and the checkpoint publisher until stop.
func startLedgerProofs(ctx context.Context, cfg nodeConfig, store eventstore.Store) (*httpapi.LedgerProofs, func() error, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	stateDir := cfg.StateDir
	if stateDir == "" {
		stateDir = filepath.Join(cfg.Store, "projections")
	}
	dir := filepath.Join(stateDir, "merkle")
	every, err := checkpointEvery()
	if err != nil {
		return nil, nil, err
	}
	signer, vkey, err := loadOrCreateCheckpointKey(dir, log)
	if err != nil {
		return nil, nil, err
	}
	tree, err := merkle.OpenTree(dir)
	if err != nil {
		return nil, nil, err
	}
	hist, err := merkle.OpenHistory(filepath.Join(dir, "checkpoints"))
	if err != nil {
		tree.Close()
		return nil, nil, err
	}
	origin := envOr(envLedgerOrigin, "petitionledger.local/ledger")
	l, err := merkle.NewLog(tree, hist, merkle.LogConfig{Origin: origin, Signer: signer, VerifierKey: vkey, Logger: log})
	if err != nil {
		tree.Close()
		hist.Close()
		return nil, nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	follower := merkle.NewFollower(store, tree, merkle.FollowerConfig{Logger: log})
	followDone, publishDone := make(chan error, 1), make(chan error, 1)
	go func() { followDone <- follower.Run(runCtx) }()
	go func() {
		select {
		case <-follower.CaughtUp():
			publishDone <- l.Run(runCtx, every)
		case <-runCtx.Done(): // stopped before the tree caught up: nothing to sign yet
			publishDone <- nil
		}
	}()
	go func() {
		select {
		case err := <-followDone:
			if err != nil {
				log.Error("verifiable ledger: the tree stopped following the log", slog.Any("error", err))
			}
			followDone <- err
		case <-runCtx.Done():
		}
	}()
	log.Info("verifiable ledger", slog.String("dir", dir), slog.String("origin", origin), slog.String("key", vkey))
	stop := func() error {
		cancel()
		ferr := <-followDone
		var perr error
		select {
		case perr = <-publishDone:
		case <-time.After(5 * time.Second):
			perr = errors.New("checkpoint publisher did not stop")
		}
		return errors.Join(ferr, perr, tree.Close(), hist.Close())
	}
	return &httpapi.LedgerProofs{Log: l, Store: store, Logger: log}, stop, nil
}

func checkpointEvery() (time.Duration, error) {
	s := os.Getenv(envCheckpointEvery)
	if s == "" {
		return 10 * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageError{fmt.Sprintf("%s=%q: want a positive duration such as 10s", envCheckpointEvery, s)}
	}
	return d, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// loadOrCreateCheckpointKey loads PETITIONLEDGER_CHECKPOINT_KEY, or the
// default key file, creating it (0600, and its .pub) on first start.
func loadOrCreateCheckpointKey(dir string, log *slog.Logger) (note.Signer, string, error) {
	file := os.Getenv(envCheckpointKey)
	if file == "" {
		file = filepath.Join(dir, "checkpoint.key")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, "", err
			}
			vkey, err := merkle.GenerateKey("petitionledger", file, file+".pub")
			if err != nil {
				return nil, "", err
			}
			log.Info("verifiable ledger: created checkpoint key", slog.String("file", file), slog.String("public_key", vkey))
		}
	}
	s, vkey, err := merkle.LoadSigner(file)
	if err != nil {
		return nil, "", err
	}
	return s, vkey, nil
}
