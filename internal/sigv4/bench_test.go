package sigv4

import (
	"testing"
)

// BenchmarkVerify measures one header-form verification of a signed POST with a small body: parse,
// checks, one signature computation by the SDK signer (its derived-key cache warm, as in a server).
func BenchmarkVerify(b *testing.B) {
	v := testVerifier()
	body := []byte(`{"name":"rex","type":"dog"}`)
	r := newReq(b, "POST", base+"/prod/pets?x=1", body)
	r.Header.Set("Content-Type", "application/json")
	sign(b, r, body, signOpts{})
	// Make it look like a server-side request: Host set, path and query as received.
	r.Host = r.URL.Host
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPresigned measures a presigned GET.
func BenchmarkVerifyPresigned(b *testing.B) {
	v := testVerifier()
	r := presign(b, newReq(b, "GET", base+"/prod/pets?type=dog", nil), hashOf(nil), 900, signOpts{})
	r.Host = r.URL.Host
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, nil, signTime); err != nil {
			b.Fatal(err)
		}
	}
}
