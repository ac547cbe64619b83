package lambdaproxy

import (
	"net/http"
	"testing"
	"time"
)

// benchRequest is a typical 1.2 KB method request: a browser-like client behind CloudFront, repeated
// headers and query keys, path parameters, stage variables and a Cognito authorizer's claims.
func benchRequest() *Request {
	h := http.Header{}
	h.Add("Accept", "application/json, text/plain, */*")
	h.Add("Accept-Encoding", "gzip, deflate, br")
	h.Add("Accept-Language", "en-GB,en;q=0.9,fr;q=0.8")
	h.Add("Authorization", "Bearer eyJraWQiOiJkZXYiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl")
	h.Add("Cache-Control", "no-cache")
	h.Add("Content-Type", "application/json; charset=utf-8")
	h.Add("Cookie", "session=abc123; theme=dark")
	h.Add("Origin", "https://app.example.com")
	h.Add("Referer", "https://app.example.com/orders?page=2")
	h.Add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	h.Add("X-Custom", "one")
	h.Add("X-Custom", "two")
	h.Add("X-Forwarded-For", "198.51.100.7")
	return &Request{
		Method:         "POST",
		Path:           "/dev/orders/1234/items",
		Stage:          "dev",
		Resource:       "/orders/{orderId}/{proxy+}",
		PathParameters: map[string]string{"orderId": "1234", "proxy": "items"},
		RawQuery:       "page=2&sort=desc&tag=a&tag=b&q=red+shoes%21",
		Header:         h,
		HeaderNames: []string{"accept", "accept-encoding", "accept-language", "authorization", "cache-control",
			"content-type", "cookie", "origin", "referer", "user-agent", "x-custom", "X-Forwarded-For"},
		Body:              []byte(`{"sku":"AB-12","quantity":3,"note":"leave at the door <back>"}`),
		StageVariables:    map[string]string{"backend": "orders-v2", "logLevel": "debug"},
		SourceIP:          "203.0.113.9",
		AccountID:         "123456789012",
		APIID:             "a1b2c3d4e5",
		DeploymentID:      "dep123",
		DomainName:        "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
		ExtendedRequestID: "Ab1CdEfGhIjKlM=",
		RequestID:         "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		ResourceID:        "r4nd0m",
		RequestTime:       time.Date(2020, 3, 4, 19, 15, 17, 135e6, time.UTC),
		TraceID:           "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
		Authorizer: map[string]any{"claims": map[string]string{
			"sub": "user-1", "email": "user@example.com", "cognito:username": "user1",
			"token_use": "id", "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
		}},
	}
}

// benchResponse is a typical function result: three headers, a multi-value header and a JSON body
// with escapes.
var benchResponse = []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json","X-Request-Id":"c6af9ac6-7b61-11e6","Cache-Control":"no-store"},"multiValueHeaders":{"Set-Cookie":["a=1; Path=/","b=2; Path=/"]},"body":"{\"orderId\":\"1234\",\"items\":[{\"sku\":\"AB-12\",\"quantity\":3,\"price\":19.99,\"note\":\"leave at the door \\u003cback\\u003e\"},{\"sku\":\"CD-34\",\"quantity\":1,\"price\":5.5}],\"total\":65.47,\"currency\":\"EUR\",\"message\":\"Thank you!\\nYour order is on its way.\"}","isBase64Encoded":false}`)

func BenchmarkEventV1(b *testing.B) {
	r := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EventV1(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventV2(b *testing.B) {
	r := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EventV2(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponseV1(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ResponseV1(benchResponse, "application/json", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponseV2(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ResponseV2(benchResponse, nil); err != nil {
			b.Fatal(err)
		}
	}
}
