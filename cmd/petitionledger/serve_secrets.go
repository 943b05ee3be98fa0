package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// secrets are the deployment's keys. They must survive restarts (signer
// keys and confirmation links depend on them) and be the same on every node
// sharing a store. The file is created with fresh random keys on first
// start, mode 0600, written atomically.
type secrets struct {
	Version     int               `json:"version"`
	HasherKey   []byte            `json:"hasher_key"`   // keyed hashes of personal data
	TokenSecret []byte            `json:"token_secret"` // confirmation links
	CurrentKey  string            `json:"current_key"`  // sealing key in use
	SealingKeys map[string][]byte `json:"sealing_keys"` // AES-256 keys by id
}

// loadOrCreateSecrets reads path, or creates it when absent.
func loadOrCreateSecrets(path string) (*secrets, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createSecrets(path)
	}
	if err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	var s secrets
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("secrets file %s: not valid JSON: %w", path, err)
	}
	if s.Version != 1 || len(s.HasherKey) < 32 || len(s.TokenSecret) < 32 || len(s.SealingKeys[s.CurrentKey]) != 32 {
		return nil, fmt.Errorf("secrets file %s: want version 1, 32-byte keys and a current sealing key", path)
	}
	return &s, nil
}

func createSecrets(path string) (*secrets, error) {
	s := &secrets{Version: 1, HasherKey: randomBytes(32), TokenSecret: randomBytes(32), CurrentKey: "k1",
		SealingKeys: map[string][]byte{"k1": randomBytes(32)}}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return s, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("petitionledger: no randomness: " + err.Error())
	}
	return b
}
