package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// classify decides whether api is a REST API or an HTTP API, and records why, from what its definition
// carries. An export says which it is only through the features each kind has: HTTP-API-only features
// (x-amazon-apigateway-cors, payload format 2.0, JWT authorizers, integrationSubtype, the $default route,
// $request identity sources, Lambda authorizers' payload format) make it an HTTP API. REST-only features
// (mapping templates, integration responses, MOCK and non-proxy HTTP or AWS integrations, gateway responses,
// request validators, API key sources, binary media types, Cognito user pool authorizers, method.request
// identity sources) make it a REST API when no HTTP-only feature is there; a definition that carries both
// is an HTTP API with REST-only parts, reported by the build. Two marks occur in both kinds' definitions
// (x-amazon-apigateway-importexport-version, which AWS's REST samples carry too, and payloadFormatVersion
// 1.0, which REST imports ignore): they make an HTTP API only when nothing REST-only is there. The config's
// apiType overrides all this (Options.Type).
func classify(api *API, forced APIType) {
	if forced != "" {
		api.Type, api.TypeReason = forced, "apiType in the config says so"
		return
	}
	var httpOnly, restOnly, weak string
	note := func(dst *string, what string, p Position) {
		if *dst == "" {
			*dst = "it has " + what + at(p)
		}
	}
	if api.CORS != nil {
		note(&httpOnly, "x-amazon-apigateway-cors", Position{})
	}
	if api.ImportExportVersion != "" {
		note(&weak, "x-amazon-apigateway-importexport-version", Position{})
	}
	if len(api.GatewayResponses) > 0 {
		note(&restOnly, "x-amazon-apigateway-gateway-responses", Position{})
	}
	if len(api.RequestValidators) > 0 {
		note(&restOnly, "x-amazon-apigateway-request-validators", Position{})
	}
	if api.APIKeySource != "" {
		note(&restOnly, "x-amazon-apigateway-api-key-source", Position{})
	}
	if len(api.BinaryMediaTypes) > 0 {
		note(&restOnly, "x-amazon-apigateway-binary-media-types", Position{})
	}
	for _, name := range slices.Sorted(maps.Keys(api.Authorizers)) {
		a := api.Authorizers[name]
		switch {
		case a.Type == "jwt":
			note(&httpOnly, fmt.Sprintf("the JWT authorizer %s", name), a.Position)
		case a.AuthorizerPayloadFormatVersion != "":
			note(&httpOnly, fmt.Sprintf("authorizerPayloadFormatVersion of the authorizer %s", name), a.Position)
		case a.Type == "cognito_user_pools":
			note(&restOnly, fmt.Sprintf("the Cognito user pool authorizer %s", name), a.Position)
		}
		for _, src := range strings.Split(a.IdentitySource, ",") {
			switch src = strings.TrimSpace(src); {
			case strings.HasPrefix(src, "$request.") || strings.HasPrefix(src, "$context.") || strings.HasPrefix(src, "$stageVariables."):
				note(&httpOnly, fmt.Sprintf("the identity source %s of the authorizer %s", src, name), a.Position)
			case strings.HasPrefix(src, "method.request."):
				note(&restOnly, fmt.Sprintf("the identity source %s of the authorizer %s", src, name), a.Position)
			}
		}
	}
	for _, r := range api.Resources {
		for _, m := range r.Methods {
			if r.Path == "/$default" {
				note(&httpOnly, "the $default route", m.Position)
			}
			in := m.Integration
			if in == nil {
				continue
			}
			switch {
			case in.PayloadFormatVersion == "2.0":
				note(&httpOnly, "payloadFormatVersion 2.0", in.Position)
			case in.PayloadFormatVersion != "":
				note(&weak, "payloadFormatVersion "+in.PayloadFormatVersion, in.Position)
			}
			if in.IntegrationSubtype != "" {
				note(&httpOnly, "integrationSubtype "+in.IntegrationSubtype, in.Position)
			}
			switch in.Type {
			case IntegrationMock, IntegrationHTTP, IntegrationAWS:
				note(&restOnly, "a "+in.Type+" integration", in.Position)
			}
			if len(in.RequestTemplates) > 0 {
				note(&restOnly, "requestTemplates", in.Position)
			}
			if len(in.Responses) > 0 {
				note(&restOnly, "integration responses", in.Position)
			}
		}
	}
	switch {
	case httpOnly != "":
		api.Type, api.TypeReason, api.RESTOnly = HTTP, httpOnly, restOnly
	case restOnly != "":
		api.Type, api.TypeReason = REST, restOnly
	case weak != "":
		api.Type, api.TypeReason = HTTP, weak
	default:
		api.Type, api.TypeReason = REST, "it has nothing only HTTP APIs have"
	}
}

func at(p Position) string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", p.Line)
}
