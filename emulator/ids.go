package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The ids need to be unique, not secret: a ChaCha8 source per call site would be overkill, the global
// math/rand/v2 generator is fast and safe for concurrent use.

// newRequestID returns a random UUID version 4, the form of x-amzn-RequestId.
func newRequestID() string { return uuid.NewString() }

// newAPIGWID returns an id shaped like x-amz-apigw-id (e.g. "OkTz-Fm25PgFdlg="): 11 bytes, URL-safe base64.
func newAPIGWID() string {
	var b [11]byte
	putRandom(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

func putRandom(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

// traceID keeps a client's X-Amzn-Trace-Id, appends a Parent segment to a Root-only one, and makes a new
// one otherwise (reference §a.2).
func traceID(client string, now time.Time) string {
	if client == "" {
		var b [12]byte
		putRandom(b[:])
		return "Root=1-" + strconv.FormatInt(now.Unix(), 16) + "-" + hex.EncodeToString(b[:])
	}
	if strings.Contains(client, "Parent=") || !strings.HasPrefix(client, "Root=") {
		return client
	}
	var p [8]byte
	putRandom(p[:])
	root, rest, _ := strings.Cut(client, ";")
	out := root + ";Parent=" + hex.EncodeToString(p[:])
	if rest != "" {
		out += ";" + rest
	}
	return out
}

// newID derives a stable API Gateway-shaped id (lower-case letters and digits, n of them) from a kind
// and a name: API key and usage plan ids stay the same across restarts, so $context.identity.apiKeyId
// and /_apigw/usage do too.
func newID(kind, name string, n int) string {
	h := fnv.New64a()
	h.Write([]byte(kind + "\x00" + name))
	id := strconv.FormatUint(h.Sum64(), 36)
	for len(id) < n {
		id = "0" + id
	}
	return id[:n]
}
