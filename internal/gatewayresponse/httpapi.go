package gatewayresponse

import "net/http"

// LambdaRequestTooLarge is not one of REST's gateway response types either: a Lambda proxy event over
// Lambda's 6 MB synchronous limit. AWS answers 413 {"message": "Request Too Long"} (spaced) with
// x-amzn-ErrorType BadRequestException, and a customised REQUEST_TOO_LARGE does not apply (reference §q).
const LambdaRequestTooLarge Type = "LAMBDA_REQUEST_TOO_LARGE"

// LambdaRequestTooLargeBody is that answer's body.
const LambdaRequestTooLargeBody = `{"message": "Request Too Long"}`

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
		// AWS documents the limit, not the answer: 431, the status HTTP has for it, is assumed.
		status = http.StatusRequestHeaderFieldsTooLarge
	default:
		status = http.StatusInternalServerError
	}
	return status, `{"message":"` + http.StatusText(status) + `"}`
}
