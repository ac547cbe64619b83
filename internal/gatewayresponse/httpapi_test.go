package gatewayresponse

import "testing"

// HTTP APIs answer every error with a fixed body named after its status (reference §j): their
// differences from REST's gateway responses are the point of the table.
func TestHTTPAPIAnswer(t *testing.T) {
	for _, c := range []struct {
		err    *Error
		status int
		body   string
	}{
		{&Error{Type: ResourceNotFound}, 404, `{"message":"Not Found"}`},
		{&Error{Type: MissingAuthenticationToken}, 404, `{"message":"Not Found"}`},
		{&Error{Type: Unauthorized, Message: "Unauthorized"}, 401, `{"message":"Unauthorized"}`},
		{&Error{Type: AccessDenied, Message: "User is not authorized to access this resource"}, 403, `{"message":"Forbidden"}`},
		{&Error{Type: Throttled}, 429, `{"message":"Too Many Requests"}`},
		{&Error{Type: IntegrationTimeout}, 503, `{"message":"Service Unavailable"}`},
		{&Error{Type: IntegrationFailure, Status: 502}, 500, `{"message":"Internal Server Error"}`},
		{&Error{Type: APIConfigurationError}, 500, `{"message":"Internal Server Error"}`},
		{&Error{Type: AuthorizerFailure}, 500, `{"message":"Internal Server Error"}`},
		{&Error{Type: BadRequestBody}, 400, `{"message":"Bad Request"}`},
		{&Error{Type: RequestHeaderTooLarge}, 431, `{"message":"Request Header Fields Too Large"}`},
		{&Error{Type: InvalidSignature, Message: `a "quoted" complaint`}, 403, `{"message":"a \"quoted\" complaint"}`},
	} {
		status, body := HTTPAPIAnswer(c.err)
		if status != c.status || body != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.err.Type, status, body, c.status, c.body)
		}
	}
}
