package demo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/petitionledger/petitionledger/domain"
)

// Sealer seals personal data for one record, as domain.Keyring does.
type Sealer interface {
	SealPersonal(p domain.PersonalData, aad []byte) (domain.Sealed, error)
}

// ErrBadKey is returned by NewSealer for a key that is not 32 bytes.
var ErrBadKey = errors.New("demo: sealing key must be 32 bytes with a non-empty id")

// deterministicSealer is AES-256-GCM with a synthetic nonce: the first 96
// bits of HMAC-SHA-256(nonceKey, aad ‖ 0x00 ‖ plaintext), nonceKey being
// derived from the sealing key. Two seals share a nonce only if they seal
// the same plaintext for the same record, so nonce reuse reveals nothing
// beyond equality; domain.Keyring opens the result with the same key.
type deterministicSealer struct {
	keyID    string
	aead     cipher.AEAD
	nonceKey []byte
}

// NewSealer returns a Sealer whose output depends only on its inputs, for a
// reproducible demo history. keyID and key must be a key of the server's
// domain.Keyring (its current sealing key), so the server can open what the
// demo sealed.
func NewSealer(keyID string, key []byte) (Sealer, error) {
	if keyID == "" || len(key) != 32 {
		return nil, ErrBadKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("petitionledger/demo/nonce-key"))
	return &deterministicSealer{keyID: keyID, aead: aead, nonceKey: m.Sum(nil)}, nil
}

func (s *deterministicSealer) SealPersonal(p domain.PersonalData, aad []byte) (domain.Sealed, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return domain.Sealed{}, fmt.Errorf("demo: %w", err)
	}
	m := hmac.New(sha256.New, s.nonceKey)
	m.Write(aad)
	m.Write([]byte{0})
	m.Write(plain)
	nonce := m.Sum(nil)[:s.aead.NonceSize()]
	return domain.Sealed{KeyID: s.keyID, Nonce: nonce, Ciphertext: s.aead.Seal(nil, nonce, plain, aad)}, nil
}
