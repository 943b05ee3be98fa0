package merkle

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// GenerateKey creates an Ed25519 signed-note key pair named name and writes
// the private key to skeyFile (mode 0600, refusing to overwrite) and the
// public verifier key to vkeyFile (mode 0644, when not empty). It returns the
// verifier key.
func GenerateKey(name, skeyFile, vkeyFile string) (string, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("%w: generate %q: %v", ErrKey, name, err)
	}
	if err := writeNew(skeyFile, skey+"\n", 0o600); err != nil {
		return "", err
	}
	if vkeyFile != "" {
		if err := writeNew(vkeyFile, vkey+"\n", 0o644); err != nil {
			return "", err
		}
	}
	return vkey, nil
}

func writeNew(name, content string, mode os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %s already exists; not overwriting a key", ErrKey, name)
		}
		return fmt.Errorf("merkle: write key: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("merkle: write key %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("merkle: sync key %s: %w", name, err)
	}
	return f.Close()
}

// LoadSigner reads a private key file written by GenerateKey. The file must
// not be readable by group or others. It also returns the verifier key.
func LoadSigner(file string) (note.Signer, string, error) {
	s, err := loadSigner(file)
	if err != nil {
		return nil, "", err
	}
	b, _ := os.ReadFile(file)
	vkey, err := verifierKeyOf(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrKey, file, err)
	}
	return s, vkey, nil
}

// verifierKeyOf derives "name+hash+base64(0x01 ‖ public key)" from a
// signed-note private key "PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)".
func verifierKeyOf(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("not a signed-note private key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 signed-note private key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

func loadSigner(file string) (note.Signer, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v; a private key must be 0600", ErrKey, file, st.Mode().Perm())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKey, file, err)
	}
	return s, nil
}

// ParseVerifier parses a verifier key "name+hash+base64", or reads it from
// a file when key names one.
func ParseVerifier(key string) (note.Verifier, error) {
	if b, err := os.ReadFile(key); err == nil {
		key = string(b)
	}
	v, err := note.NewVerifier(strings.TrimSpace(key))
	if err != nil {
		return nil, fmt.Errorf("%w: verifier key: %v", ErrKey, err)
	}
	return v, nil
}
