package gatewayresponse

import "net/http"

// LambdaRequestTooLarge is not one of REST's gateway response types either: a Lambda proxy event over
// Lambda's 6 MB synchronous limit. AWS answers 413 {"message": "Request Too Long"} (spaced) with
// x-amzn-ErrorType BadRequestException, and a customised REQUEST_TOO_LARGE does not apply (reference §q).
const LambdaRequestTooLarge Type = "LAMBDA_REQUEST_TOO_LARGE"

// LambdaRequestTooLargeBody is that answer's body.
const LambdaRequestTooLargeBody = `{"message": "Request Too Long"}`

// URITooLong is not a gateway response type: a URL over 10,240 characters, or (REST) a method ARN over
// 1,600 bytes on a method with authorization, which AWS answers 414 "Request URI too long" (reference §h).
const URITooLong Type = "URI_TOO_LONG"

// FixedAnswer is the answer of the types no gateway response customises (REST and HTTP APIs alike):
// ok is false for the others.
func FixedAnswer(t Type) (status int, body string, ok bool) {
	switch t {
	case URITooLong:
		return http.StatusRequestURITooLong, `{"message":"Request URI too long"}`, true
	case RequestHeaderTooLarge:
		// AWS documents the limit, not the answer: 431, the status HTTP has for it, is assumed.
		return http.StatusRequestHeaderFieldsTooLarge, `{"message":"Request Header Fields Too Large"}`, true
	case LambdaRequestTooLarge:
		return http.StatusRequestEntityTooLarge, LambdaRequestTooLargeBody, true
	}
	return 0, "", false
}

// RequestHeaderTooLarge is not one of REST's gateway response types: an HTTP API's request line and
// headers over 10,240 bytes (HTTP APIs have no gateway responses to customise).
const RequestHeaderTooLarge Type = "REQUEST_HEADER_TOO_LARGE"

// HTTPAPIAnswer is how an HTTP API (API Gateway v2) answers e. HTTP APIs have no gateway responses to
// customise and send no x-amzn-ErrorType: every error is a fixed {"message":"..."} named after its status
// (reference §j): 404 Not Found where REST answers 403 Missing Authentication Token, 401 Unauthorized, 403
// Forbidden for any denial (JWT scopes, Lambda authorizers, API keys do not exist), 429 Too Many Requests,
// 503 Service Unavailable for an integration time-out (REST: 504), and 500 Internal Server Error for every
// other failure, a Lambda function's included (REST: 502). A SigV4 complaint keeps its own message (IAM
// authorization of HTTP APIs; assumed, as the status).
func HTTPAPIAnswer(e *Error) (status int, body string) {
	switch e.Type {
	case ResourceNotFound, MissingAuthenticationToken:
		status = http.StatusNotFound
	case Unauthorized:
		status = http.StatusUnauthorized
	case AccessDenied, InvalidAPIKey, WAFFiltered:
		status = http.StatusForbidden
	case InvalidSignature, ExpiredToken:
		d := defaults[e.Type]
		msg := d.Message
		if e.Message != "" {
			msg = e.Message
		}
		return d.Status, `{"message":` + quoteJSON(msg) + `}`
	case Throttled, QuotaExceeded:
		status = http.StatusTooManyRequests
	case IntegrationTimeout:
		status = http.StatusServiceUnavailable
	case BadRequestBody, BadRequestParameters:
		status = http.StatusBadRequest
	case UnsupportedMediaType:
		status = http.StatusUnsupportedMediaType
	case RequestTooLarge, LambdaRequestTooLarge:
		status = http.StatusRequestEntityTooLarge
	case RequestHeaderTooLarge:
		status = http.StatusRequestHeaderFieldsTooLarge
	case URITooLong:
		status = http.StatusRequestURITooLong
	default:
		status = http.StatusInternalServerError
	}
	return status, `{"message":"` + http.StatusText(status) + `"}`
}
