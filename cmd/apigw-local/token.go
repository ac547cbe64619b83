package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/spf13/cobra"
)

// DevClientID is the app client id development tokens name (aud of ID tokens, client_id of access tokens).
const DevClientID = "apigwlocaldevclient"

type tokenOptions struct {
	pool, issuer, sub, use string
	claims, scopes         []string
	ttl                    time.Duration
	now                    func() time.Time
}

func newTokenCommand() *cobra.Command {
	o := &tokenOptions{now: time.Now}
	cmd := &cobra.Command{
		Use:   "token --pool ARN | --issuer URL",
		Short: "Print a JWT signed by the local development key (trusted for pools configured with jwks: dev)",
		Long: `token prints a Cognito-style JWT signed with the local development key, which serve trusts for every
user pool configured with jwks: dev. Real Cognito tokens cannot be had offline; these can:

  cognitoUserPools: {"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc": {jwks: dev}}
  TOKEN=$(apigw-local token --pool arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc)
  curl -H "Authorization: $TOKEN" http://127.0.0.1:3000/dev/...

For an HTTP API's JWT authorizer, trust the key for its issuer; the token's aud is apigwlocaldevclient,
so list it in jwtConfiguration.audience or give the audience the authorizer expects with --claim aud=...:

  jwtIssuers: {"https://issuer.example.com": {jwks: dev}}
  TOKEN=$(apigw-local token --issuer https://issuer.example.com --claim aud=my-client-id)

The key is made on first use and kept in the user's config directory, so tokens survive restarts.
A repeated --claim key makes a list (cognito:groups=admin --claim cognito:groups=staff).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runToken(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.pool, "pool", "", "user pool ARN (its issuer goes into iss)")
	f.StringVar(&o.issuer, "issuer", "", "issuer URL, for JWT authorizers (instead of --pool)")
	f.StringVar(&o.sub, "sub", "dev-user", "the subject (sub, and cognito:username)")
	f.StringArrayVar(&o.claims, "claim", nil, "another claim, key=value (repeatable; a repeated key makes a list)")
	f.StringArrayVar(&o.scopes, "scope", nil, "a scope of an access token (repeatable)")
	f.DurationVar(&o.ttl, "ttl", time.Hour, "how long the token is valid")
	f.StringVar(&o.use, "use", "id", "token_use: id or access")
	return cmd
}

func runToken(out, errOut io.Writer, o *tokenOptions) error {
	iss := o.issuer
	switch {
	case o.pool != "" && o.issuer != "":
		return errors.New("give --pool or --issuer, not both")
	case o.pool != "":
		var err error
		if iss, err = devkey.IssuerOf(o.pool); err != nil {
			return errors.New(err.Error())
		}
	case o.issuer == "":
		return errors.New("give --pool ARN (a Cognito user pool) or --issuer URL")
	}
	if o.use != "id" && o.use != "access" {
		return errors.New(fmt.Sprintf("--use is id or access, got %q", o.use))
	}
	if len(o.scopes) > 0 && o.use != "access" {
		return errors.New("only access tokens carry scopes: add --use access")
	}
	if o.ttl <= 0 {
		return errors.New("--ttl must be positive")
	}
	now := o.now().Truncate(time.Second)
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := map[string]any{"iss": iss, "sub": o.sub, "token_use": o.use, "iat": now.Unix(), "auth_time": now.Unix(),
		"exp": now.Add(o.ttl).Unix(), "jti": hex.EncodeToString(jti)}
	if o.use == "id" {
		claims["aud"], claims["cognito:username"] = DevClientID, o.sub
	} else {
		claims["client_id"], claims["username"] = DevClientID, o.sub
		if len(o.scopes) > 0 {
			claims["scope"] = strings.Join(o.scopes, " ")
		}
	}
	seen := map[string]bool{}
	for _, kv := range o.claims {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return errors.New(fmt.Sprintf("--claim %q: write key=value", kv))
		}
		switch prev := claims[k].(type) {
		case string:
			if seen[k] {
				claims[k] = []string{prev, v}
				continue
			}
		case []string:
			claims[k] = append(prev, v)
			continue
		}
		claims[k], seen[k] = v, true
	}
	if _, created, err := devkey.Key(); err != nil {
		return err
	} else if created {
		dir, _ := devkey.Dir()
		fmt.Fprintf(errOut, "apigw-local: made the development signing key in %s (serve trusts it for pools with jwks: dev)\n", dir)
	}
	tok, err := devkey.Sign(claims)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, tok)
	return nil
}
