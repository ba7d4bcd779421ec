// Package seal protects personal identifiers: SM4-GCM sealing bound to the
// field, keyed HMAC-SM3 blind indexes for exact lookup, masks for lists, and
// ID-card and phone parsing. The registry and the citizen intake use it; the
// key file and the ciphertexts are those the registry wrote before the split.
package seal

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// KeyEnv is the environment variable holding the registry master key: 64
// hex digits (32 bytes). Without it the key is read from (or, on first use,
// created in) the file KeyFile of the data directory. The key is never
// stored in the database: a copy of the database alone reveals no ID-card
// number or phone.
const (
	KeyEnv  = "GRIDGOV_REGISTRY_KEY"
	KeyFile = "registry.key"
)

// sealVersion prefixes every new ciphertext, so that a later key rotation
// can tell old from new. Version 2 binds a ciphertext to its field (the
// GCM additional data holds the field's name): an ID-card ciphertext
// copied into the phone column does not open. Version-1 values, sealed
// before the binding, still open wherever they are found.
const (
	sealVersion   = 2
	sealVersionV1 = 1
)

// Sealer encrypts personal identifiers with SM4-GCM and computes their
// keyed blind index with HMAC-SM3, each with its own key derived from the
// master key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	bidx []byte
}

// NewSealer derives the encryption and index keys from a 32-byte master key.
func NewSealer(master []byte) (*Sealer, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("registry key: want 32 bytes, got %d", len(master))
	}
	encKey := derive(master, "gridgov registry sm4 v1")[:16]
	block, err := sm4.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, bidx: derive(master, "gridgov registry blind index v1")}, nil
}

// derive is HMAC-SM3(master, label).
func derive(master []byte, label string) []byte {
	m := hmac.New(sm3.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plain as a value of field (IdxID, IdxPhone: the kinds of
// the blind index); an empty value seals to nil (stored as NULL).
func (s *Sealer) Seal(field, plain string) ([]byte, error) {
	if plain == "" {
		return nil, nil
	}
	if field == "" {
		return nil, errors.New("registry: seal needs the field of the value")
	}
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+n]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:1+n], []byte(plain), sealAD(sealVersion, field)), nil
}

// sealAD is the GCM additional data of a version: the version byte, and
// from version 2 on the field's name.
func sealAD(version byte, field string) []byte {
	if version == sealVersionV1 {
		return []byte{sealVersionV1}
	}
	return append([]byte{version, 0}, field...)
}

// Open decrypts a value made by Seal for the same field; nil opens to "".
// A version-2 value sealed for another field does not open.
func (s *Sealer) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || (sealed[0] != sealVersion && sealed[0] != sealVersionV1) {
		return "", errors.New("registry: sealed value is malformed or of an unknown version")
	}
	p, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealAD(sealed[0], field))
	if err != nil {
		return "", errors.New("registry: sealed value does not open with this key for this field")
	}
	return string(p), nil
}

// IndexLen is the length of a blind index in bytes: the first 128 bits of
// the HMAC. A collision among a city's people (about 2^-80 at 10^8 values)
// is out of reach, and the half-size keys keep the indexes small, which is
// what bulk imports pay for.
const IndexLen = 16

// Index is the blind index of a normalised value: HMAC-SM3 with the index
// key, truncated to IndexLen, so equal values match without the value
// being stored. kind keeps the indexes of different fields apart. An empty
// value indexes to nil.
func (s *Sealer) Index(kind, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sm3.New, s.bidx)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:IndexLen]
}

// LoadKey returns the master key from KeyEnv, or from dataDir/KeyFile,
// creating that file (mode 0600) with a random key when neither exists.
func LoadKey(dataDir string) ([]byte, error) {
	if v, ok := os.LookupEnv(KeyEnv); ok {
		return parseKey(v, KeyEnv)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return parseKey(string(b), path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("registry key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("registry key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process created it meanwhile: use theirs.
		return LoadKey(dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("registry key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("registry key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("registry key: %w", err)
	}
	return key, f.Close()
}

func parseKey(v, where string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("registry key in %s: want 64 hex digits (32 bytes)", where)
	}
	return b, nil
}
