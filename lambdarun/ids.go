package lambdarun

import (
	"encoding/binary"
	"encoding/hex"
	"github.com/google/uuid"
	"math/rand/v2"
	"strconv"
	"time"
)

// random fills b from math/rand/v2's generator (ChaCha8, seeded by the system): ids must be unique and
// unguessable enough to not collide, not secret, and this costs no system call.
func random(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, rand.Uint64())
		b = b[8:]
	}
	if len(b) > 0 {
		var last [8]byte
		binary.LittleEndian.PutUint64(last[:], rand.Uint64())
		copy(b, last[:])
	}
}

// newRequestID returns a random UUID version 4, the form of Lambda's request ids.
func newRequestID() string { return uuid.NewString() }

// newTraceID returns an X-Ray trace header for an invocation that came without one. Lambda always sends
// Lambda-Runtime-Trace-Id, and aws-lambda-go copies it to _X_AMZN_TRACE_ID, where X-Ray SDKs expect a
// well-formed value: Root=1-{8 hex digits of epoch seconds}-{24 hex};Parent={16 hex};Sampled=0.
func newTraceID(now time.Time) string {
	var b [20]byte
	random(b[:])
	return "Root=1-" + strconv.FormatInt(now.Unix(), 16) + "-" + hex.EncodeToString(b[:12]) +
		";Parent=" + hex.EncodeToString(b[12:]) + ";Sampled=0"
}

// newLogStreamName returns a log stream name in Lambda's form, "2024/05/01/[$LATEST]" and 32 hex digits:
// one per process, as Lambda has one per execution environment.
func newLogStreamName(now time.Time) string {
	var b [16]byte
	random(b[:])
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b[:])
}
