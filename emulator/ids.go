package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The ids need to be unique, not secret: a ChaCha8 source per call site would be overkill, the global
// math/rand/v2 generator is fast and safe for concurrent use.

// newRequestID returns a UUID version 4, the shape of x-amzn-RequestId.
func newRequestID() string {
	var b [16]byte
	putRandom(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

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
