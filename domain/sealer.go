package domain

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Sealing errors.
var (
	ErrUnknownKey = errors.New("domain: sealing key unknown or shredded")
	ErrOpenFailed = errors.New("domain: sealed data does not authenticate")
	ErrBadKey     = errors.New("domain: sealing key must be 32 bytes")
)

// Keyring seals personal data with AES-256-GCM. Each key has an id; new data
// is sealed under the current key, and old keys stay to open old data until
// they are shredded (crypto-shredding: deleting a key makes everything sealed
// with it unreadable, which is how personal data is erased from an
// append-only log). See docs/privacy.md for where keys live and rotation.
type Keyring struct {
	mu      sync.RWMutex
	current string
	keys    map[string]cipher.AEAD // guarded by mu
}

// NewKeyring returns a keyring whose current key is currentID. keys maps key
// ids to 32-byte keys and must include currentID.
func NewKeyring(currentID string, keys map[string][]byte) (*Keyring, error) {
	k := &Keyring{current: currentID, keys: map[string]cipher.AEAD{}}
	for id, key := range keys {
		if err := k.Add(id, key); err != nil {
			return nil, err
		}
	}
	if _, ok := k.keys[currentID]; !ok {
		return nil, fmt.Errorf("%w: current key %q", ErrUnknownKey, currentID)
	}
	return k, nil
}

// Add registers a key (e.g. an old one needed to open old records).
func (k *Keyring) Add(id string, key []byte) error {
	if len(key) != 32 || id == "" {
		return fmt.Errorf("%w (key id %q)", ErrBadKey, id)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[id] = aead
	return nil
}

// Rotate makes id (already added) the key new data is sealed with.
func (k *Keyring) Rotate(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.keys[id]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	k.current = id
	return nil
}

// Shred forgets a key: data sealed with it can never be opened again. The
// current key cannot be shredded; rotate first.
func (k *Keyring) Shred(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if id == k.current {
		return fmt.Errorf("domain: cannot shred the current key %q; rotate first", id)
	}
	delete(k.keys, id)
	return nil
}

// Seal encrypts plaintext under the current key with a random 96-bit nonce;
// aad (associated data) is authenticated but not stored: the same aad is
// needed to open it, which binds the ciphertext to its record.
func (k *Keyring) Seal(plaintext, aad []byte) (Sealed, error) {
	k.mu.RLock()
	id, aead := k.current, k.keys[k.current]
	k.mu.RUnlock()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("domain: nonce: %w", err)
	}
	return Sealed{KeyID: id, Nonce: nonce, Ciphertext: aead.Seal(nil, nonce, plaintext, aad)}, nil
}

// Open decrypts s with the associated data it was sealed with.
func (k *Keyring) Open(s Sealed, aad []byte) ([]byte, error) {
	k.mu.RLock()
	aead, ok := k.keys[s.KeyID]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, s.KeyID)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, ErrOpenFailed
	}
	out, err := aead.Open(nil, s.Nonce, s.Ciphertext, aad)
	if err != nil {
		return nil, ErrOpenFailed
	}
	return out, nil
}

// PersonalData is what must be kept about a signer or creator, sealed: the
// name (public for a creator once open) and the email (for notifications).
type PersonalData struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// SignatureAAD is the associated data binding sealed personal data to one
// signature.
func SignatureAAD(petitionID int64, signatureID fmt.Stringer) []byte {
	return fmt.Appendf(nil, "petitionledger/signature/%d/%s", petitionID, signatureID)
}

// SealPersonal seals p for the record identified by aad.
func (k *Keyring) SealPersonal(p PersonalData, aad []byte) (Sealed, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return Sealed{}, err
	}
	return k.Seal(plain, aad)
}

// OpenPersonal opens data sealed by SealPersonal.
func (k *Keyring) OpenPersonal(s Sealed, aad []byte) (PersonalData, error) {
	plain, err := k.Open(s, aad)
	if err != nil {
		return PersonalData{}, err
	}
	var p PersonalData
	if err := json.Unmarshal(plain, &p); err != nil {
		return PersonalData{}, fmt.Errorf("%w: %v", ErrOpenFailed, err)
	}
	return p, nil
}
