// Package devkey is the local development signing key: real Cognito tokens cannot be had offline, so
// `apigw-local token` signs tokens with this key and `serve` trusts it for every user pool configured with
// `jwks: dev`. The key is made once and kept in the user's config directory, so that tokens survive
// restarts; it is an RSA key because API Gateway's Cognito authorizers verify RS256 signatures only.
package devkey

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var poolARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/([A-Za-z0-9_-]+)$`)
})

// IssuerOf is the iss claim of a Cognito user pool's tokens, https://cognito-idp.{region}.amazonaws.com/{poolId},
// for the pool's ARN: what an authorizer checks and what a development token carries.
func IssuerOf(arn string) (string, error) {
	m := poolARN().FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("%q is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)", arn)
	}
	return "https://cognito-idp." + m[1] + ".amazonaws.com/" + m[2], nil
}

// FileName is the key's file in Dir: a JWK with its private part, readable by its owner only.
const FileName = "dev-signing-key.json"

// DirEnv overrides the directory the key is kept in (tests; several users of one machine account).
const DirEnv = "APIGW_LOCAL_CONFIG_DIR"

// Dir is where the key is kept: $APIGW_LOCAL_CONFIG_DIR, else the user's config directory/apigw-local.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory to keep the development key in (set %s): %w", DirEnv, err)
	}
	return filepath.Join(base, "apigw-local"), nil
}

// Key returns the development key, making it on first use; created tells that it was just made.
// Concurrent first uses (two commands at once) end with one key: the file is created exclusively and a
// loser reads the winner's.
func Key() (key *jose.JSONWebKey, created bool, err error) {
	dir, err := Dir()
	if err != nil {
		return nil, false, err
	}
	path := filepath.Join(dir, FileName)
	if k, err := read(path); err == nil {
		return k, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("making %s for the development key: %w", dir, err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, false, err
	}
	k := &jose.JSONWebKey{Key: priv, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, false, err
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(dir, FileName+".*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	// Link, not rename: it fails when another process made the key meanwhile, and then its key wins.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := read(path)
			return k, false, err
		}
		return nil, false, err
	}
	return k, true, nil
}

func read(path string) (*jose.JSONWebKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("%s is not a JSON Web Key (%v); delete it and a new development key is made", path, err)
	}
	if _, ok := k.Key.(*rsa.PrivateKey); !ok {
		return nil, fmt.Errorf("%s holds no RSA private key; delete it and a new development key is made", path)
	}
	return &k, nil
}

// KeySet is the public half of the development key, as a pool's JWKS.
func KeySet() (*jose.JSONWebKeySet, error) {
	k, _, err := Key()
	if err != nil {
		return nil, err
	}
	pub := k.Public()
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}, nil
}

// Sign signs claims as an RS256 JWT with the development key.
func Sign(claims map[string]any) (string, error) {
	k, _, err := Key()
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}
