package sigv4

// Gateway response types (API Gateway's GatewayResponse responseType) that Verify's errors map to.
const (
	ResponseMissingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN"
	ResponseInvalidSignature           = "INVALID_SIGNATURE"
)

// x-amzn-ErrorType values of Verify's errors.
const (
	ErrorTypeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	ErrorTypeIncompleteSignature        = "IncompleteSignatureException"
	ErrorTypeInvalidSignature           = "InvalidSignatureException"
	ErrorTypeUnrecognizedClient         = "UnrecognizedClientException"
)

// StatusCode is the HTTP status of every Verify error: API Gateway answers 403 to all of them.
const StatusCode = 403

// Error is a rejected request: the gateway response type that renders it, the x-amzn-ErrorType header
// and the message of the body {"message": Message}. The status is always StatusCode (403).
type Error struct {
	// ResponseType is the gateway response type, e.g. "INVALID_SIGNATURE".
	ResponseType string
	// ErrorType is the x-amzn-ErrorType header value, e.g. "InvalidSignatureException".
	ErrorType string
	// Message is AWS's message, the body's "message".
	Message string
}

// Error returns "ErrorType: Message".
func (e *Error) Error() string { return e.ErrorType + ": " + e.Message }

// errMissingToken is the answer to a request without any signature. Recorded (our reference; also
// zenn.dev/hiroga "api-gateway-cross-account-trouble-shooting").
var errMissingToken = &Error{ResponseMissingAuthenticationToken, ErrorTypeMissingAuthenticationToken, "Missing Authentication Token"}

func incomplete(msg string) *Error {
	return &Error{ResponseInvalidSignature, ErrorTypeIncompleteSignature, msg}
}

func invalid(msg string) *Error {
	return &Error{ResponseInvalidSignature, ErrorTypeInvalidSignature, msg}
}

// unrecognized answers an unknown access key id or a wrong session token. Recorded text (zenn.dev/hiroga,
// kndt84/aws-api-gateway-client#31). The gateway response type is our choice: API Gateway's documented
// types have none for unknown credentials; MISSING_AUTHENTICATION_TOKEN is for requests with no signature
// at all (and unknown routes), EXPIRED_TOKEN for expired session tokens, so the signature-checking type
// INVALID_SIGNATURE is the closest: the credentials of the signature are what fails. Assumed, not observed.
func unrecognized() *Error {
	return &Error{ResponseInvalidSignature, ErrorTypeUnrecognizedClient, "The security token included in the request is invalid."}
}
