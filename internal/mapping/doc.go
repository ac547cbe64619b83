// Package mapping is API Gateway's mapping phase for non-proxy integrations (MOCK, HTTP, AWS): the
// variables templates see ($input, $util, $context, $stageVariables), request templates chosen by
// Content-Type with the passthrough behaviour, integration responses chosen by selection pattern, response
// parameters and templates, and the request/response overrides templates can set.
//
// Templates are compiled with the vtl package in API Gateway mode when the snapshot is built; a compiled
// Integration is immutable and safe for concurrent use. JSONPath ($input.path, $input.json, mapping
// expressions like integration.response.body.JSONPath) is evaluated by github.com/ohler55/ojg/jp, run
// directly over vtl's insertion-ordered maps and lists so that results keep the key order of the payload,
// as API Gateway's do.
package mapping
