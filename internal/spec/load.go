package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// Options change how a spec is imported.
type Options struct {
	// BasePathMode is API Gateway's import parameter `basepath`; empty means BasePathIgnore, AWS's default.
	BasePathMode BasePathMode
	// MaxSize is the largest spec file Load reads, in bytes; 0 means MaxSize.
	MaxSize int64
	// RefsOutside lets $refs read files outside the spec's directory tree (--allow-ref-outside).
	RefsOutside bool
	// RefURLs lets $refs fetch http(s) URLs (--allow-ref-urls).
	RefURLs bool
	// Type forces the kind of API (the config's apiType); empty lets the definition decide (classify).
	Type APIType
}

// MaxSize is the default largest spec file: API Gateway imports definitions of up to 6 MB (reference §h).
const MaxSize = 6 << 20

// Load reads and parses the spec at path. It returns the API (nil when the file cannot be read as an API
// definition at all) and every finding; the API is servable only when the findings hold no error.
func Load(path string, opts Options) (*API, Findings) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = MaxSize
	}
	data, err := findings.ReadFile(path, limit)
	var tl *findings.TooLargeError
	var naf *findings.NotAFileError
	switch {
	case errors.As(err, &tl):
		return nil, Findings{{Severity: Error, File: path, Message: fmt.Sprintf("the spec is larger than %s; API Gateway imports definitions of up to 6 MB: split the API, or raise the limit with --max-spec-size", findings.Size(limit))}}
	case errors.As(err, &naf):
		return nil, Findings{{Severity: Error, File: path, Message: "cannot read the spec: " + naf.Error()}}
	case err != nil:
		return nil, Findings{{Severity: Error, File: path, Message: fmt.Sprintf("cannot read the spec: %v", errors.Unwrap(err))}}
	}
	return Parse(path, data, opts)
}

// Parse parses a spec held in memory; file names it in findings.
func Parse(file string, data []byte, opts Options) (*API, Findings) {
	d := &decoder{file: file, intrinsics: map[*yaml.Node]bool{}, sigv4: map[string]bool{}}
	api := d.parse(data, opts)
	if api != nil {
		api.RefFiles = d.refList
	}
	d.findings.Sort()
	return api, d.findings
}

func (d *decoder) parse(data []byte, opts Options) *API {
	if len(bytes.TrimSpace(data)) == 0 {
		d.add(Error, nil, "", "the file is empty; expected an OpenAPI 3.0 or Swagger 2.0 document exported from API Gateway")
		return nil
	}
	file, err := findings.Read(d.file, data)
	if err != nil {
		d.syntaxError(err)
		return nil
	}
	if file.Root == nil {
		d.add(Error, nil, "", "the file holds no document; expected an OpenAPI 3.0 or Swagger 2.0 document")
		return nil
	}
	d.findings = append(d.findings, file.Duplicates...)
	before := d.findings.Count(Error)
	d.inlineRefs(file.Root, opts)
	if d.findings.Count(Error) > before {
		return nil // a reference that cannot be followed: the document is not whole
	}
	if !d.checkAliases(file.Root) {
		return nil
	}
	if doc := deref(file.Root); doc.Kind != yaml.MappingNode {
		d.add(Error, doc, "", "the document is %s, not an API definition: expected an object with `swagger: \"2.0\"` or `openapi: 3.0.x` at the top (an OpenAPI 3.0 or Swagger 2.0 document exported from API Gateway)", kindName(doc))
		return nil
	}
	top, _ := d.asObject(file.Root, "", "the document")
	d.findIntrinsics(top.n, nil)
	if d.isCloudFormation(top) {
		return nil
	}
	api := &API{File: d.file, BasePathMode: opts.BasePathMode, Authorizers: map[string]*Authorizer{},
		APIKeySchemes: map[string]bool{}, GatewayResponses: map[string]*GatewayResponse{},
		RequestValidators: map[string]*RequestValidator{}}
	if api.BasePathMode == "" {
		api.BasePathMode = BasePathIgnore
	}
	switch {
	case top.has("swagger"):
		api.OpenAPI = top.str("swagger")
		if api.OpenAPI != "2.0" {
			d.add(Error, top.get("swagger"), "swagger", "unsupported Swagger version %q; API Gateway imports Swagger 2.0 and OpenAPI 3.0.x: write swagger: \"2.0\" (or openapi: 3.0.1 for an OpenAPI 3 document)", api.OpenAPI)
			return nil
		}
	case top.has("openapi"):
		api.OpenAPI = top.str("openapi")
		if !strings.HasPrefix(api.OpenAPI, "3.0") {
			d.add(Error, top.get("openapi"), "openapi", "unsupported OpenAPI version %q; API Gateway imports OpenAPI 3.0.x (and Swagger 2.0): change the version or export the API again", api.OpenAPI)
			return nil
		}
	default:
		d.add(Error, top.n, "", "not an OpenAPI document: it has neither `swagger: \"2.0\"` nor `openapi: 3.0.x` at the top; export the API from API Gateway (aws apigateway get-export --export-type oas30 --parameters extensions=apigateway)")
		return nil
	}
	if !d.checkStructure(top, api.OpenAPI == "2.0") {
		return nil
	}
	doc, err := d.loadOpenAPI(top, api.OpenAPI == "2.0")
	if err != nil {
		d.kinError(top, err)
		return nil
	}
	d.readInfo(top, api)
	d.readBasePath(top, api)
	d.readRootExtensions(top, api)
	integrations := d.readComponentIntegrations(top)
	d.readSecuritySchemes(top, doc, api)
	d.readPaths(top, doc, api, integrations)
	classify(api, opts.Type)
	return api
}

// maxAliasExpansion bounds how many values YAML aliases may add to a document when they are expanded.
const maxAliasExpansion = 200000

// checkAliases rejects YAML aliases that cannot be expanded into plain data, as reading the spec does: an
// alias inside the node it names (a cycle), and aliases of aliases that multiply a small file into millions
// of values (a "billion laughs" document).
func (d *decoder) checkAliases(doc *yaml.Node) bool {
	raw := 0
	var count func(n *yaml.Node)
	count = func(n *yaml.Node) {
		raw++
		for _, c := range n.Content {
			count(c)
		}
	}
	count(doc)
	limit := raw + maxAliasExpansion
	size := map[*yaml.Node]int{}    // expanded size of each node seen, at most limit+1
	depth := map[*yaml.Node]int{}   // expanded depth of each node seen: aliases can nest what the file does not
	active := map[*yaml.Node]bool{} // nodes being expanded: an alias to one of them is a cycle
	var cycle *yaml.Node            // the alias that closes a cycle
	var expand func(n *yaml.Node) (int, int)
	expand = func(n *yaml.Node) (int, int) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if active[n.Alias] {
				cycle = n
				return 0, 0
			}
			return expand(n.Alias)
		}
		if s, ok := size[n]; ok {
			return s, depth[n]
		}
		active[n] = true
		total, deepest := 1, 0
		for _, c := range n.Content {
			s, d := expand(c)
			total, deepest = min(total+s, limit+1), max(deepest, d)
			if cycle != nil {
				return 0, 0
			}
		}
		active[n] = false
		size[n], depth[n] = total, min(deepest+1, findings.MaxDepth+1)
		return total, depth[n]
	}
	total, deepest := expand(doc)
	switch {
	case cycle != nil:
		d.add(Error, cycle, "", "YAML alias *%s is inside the value it names, so it never ends; replace the alias with the values it stands for", cycle.Value)
		return false
	case total > limit:
		d.add(Error, doc, "", "YAML aliases expand this document by more than %d values (aliases of aliases); write the repeated parts out, or use fewer nested aliases", maxAliasExpansion)
		return false
	case deepest > findings.MaxDepth:
		d.add(Error, doc, "", "YAML aliases nest this document more than %d levels deep once expanded (aliases inside aliased values); write the repeated parts out, or use fewer nested aliases", findings.MaxDepth)
		return false
	}
	return true
}

// syntaxError reports a file that is neither YAML nor JSON at the offending text.
func (d *decoder) syntaxError(err error) {
	var se *findings.SyntaxError
	if !errors.As(err, &se) {
		d.add(Error, nil, "", "neither YAML nor JSON: %v", err)
		return
	}
	what := "neither YAML nor JSON"
	if se.JSON {
		what = "not valid JSON"
	}
	f := se.Finding(what)
	if se.Hint == "" {
		f.Message += "; fix the syntax (an exported API definition is a JSON or YAML document)"
	}
	d.findings = append(d.findings, f)
}

// isIntrinsicKey tells the CloudFormation functions that occur in specs written for AWS::Include, SAM's
// DefinitionBody or a RestApi Body. CloudFormation resolves them at deploy time; an export never has them.
func isIntrinsicKey(k string) bool { return strings.HasPrefix(k, "Fn::") || k == "Ref" }

// findIntrinsics reports every CloudFormation intrinsic (Fn::Sub maps and !Sub tags) once, where it is.
func (d *decoder) findIntrinsics(n *yaml.Node, path *findings.Path) {
	if n == nil {
		return
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		d.add(Error, n, path.String(), "CloudFormation intrinsic %s cannot be served: it is resolved only when CloudFormation deploys the template; deploy the API and export it (aws apigateway get-export --parameters extensions=apigateway), or replace it with the literal value", n.Tag)
		d.intrinsics[n] = true
		n.Tag = "" // decode the node as plain data from here on
	}
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 2 && isIntrinsicKey(n.Content[0].Value) {
			d.add(Error, n.Content[0], path.String(), "CloudFormation intrinsic %s cannot be served: it is resolved only when CloudFormation deploys the template; deploy the API and export it (aws apigateway get-export --parameters extensions=apigateway), or replace it with the literal value", n.Content[0].Value)
			d.intrinsics[n] = true
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.findIntrinsics(n.Content[i+1], path.Key(n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.findIntrinsics(c, path.Index(i))
		}
	}
}

// isCloudFormation reports a CloudFormation or SAM template given instead of a spec, naming the resources
// whose Body/DefinitionBody hold the API definition.
func (d *decoder) isCloudFormation(top object) bool {
	if top.has("swagger") || top.has("openapi") {
		return false
	}
	if !top.has("AWSTemplateFormatVersion") && !top.has("Resources") && !top.has("Transform") {
		return false
	}
	d.findings = slicesDeleteIntrinsics(d.findings) // the template as a whole is the problem, not each intrinsic
	var bodies []string
	if res, ok := d.asObject(top.get("Resources"), "Resources", "Resources"); ok {
		for _, e := range res.entries() {
			props := object{d: d, n: deref(e.Value), path: child("Resources", e.Key)}
			if props.n.Kind != yaml.MappingNode {
				continue
			}
			p := object{d: d, n: props.get("Properties"), path: child(props.path, "Properties")}
			if p.n == nil || p.n.Kind != yaml.MappingNode {
				continue
			}
			for _, k := range []string{"DefinitionBody", "Body"} {
				if b := p.get(k); b != nil {
					bodies = append(bodies, fmt.Sprintf("%s (line %d)", child(p.path, k), b.Line))
				}
			}
		}
	}
	hint := "deploy it and export the API (aws apigateway get-export --parameters extensions=apigateway), then serve the export"
	if len(bodies) > 0 {
		hint += "; the API definition is embedded at " + strings.Join(bodies, ", ")
	}
	d.add(Error, top.n, "", "this is a CloudFormation/SAM template, not an API definition: %s", hint)
	return true
}

func slicesDeleteIntrinsics(fs Findings) Findings {
	out := fs[:0]
	for _, f := range fs {
		if !strings.HasPrefix(f.Message, "CloudFormation intrinsic") {
			out = append(out, f)
		}
	}
	return out
}

// Where toJSON is in a document: info.version is read differently.
const (
	jsonValue = iota
	jsonTop
	jsonInfo
	jsonInfoVersion
)

// toJSON converts the node tree to plain JSON values for kin-openapi. Keys are always strings (YAML allows
// `200:` as an integer key), and info.version is kept as text even when written as a number, as API
// Gateway's importer does. at is jsonTop for the document, jsonValue for a value anywhere else.
func toJSON(n *yaml.Node, at int) any {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i]).Value
			next := jsonValue
			switch {
			case at == jsonTop && k == "info":
				next = jsonInfo
			case at == jsonInfo && k == "version":
				next = jsonInfoVersion
			}
			m[k] = toJSON(n.Content[i+1], next)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = toJSON(c, jsonValue)
		}
		return l
	case yaml.ScalarNode:
		if at == jsonInfoVersion {
			return n.Value
		}
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				return json.Number(n.Value)
			}
			if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
				return f
			}
		}
		return n.Value
	}
	return nil
}

// document is the kin-openapi view of the spec: Swagger 2.0 is converted to OpenAPI 3 so that one code
// path reads operations, parameters and security.
type document struct {
	v3 *openapi3.T
	v2 *openapi2.T
	// models are a Swagger document's definitions read as OpenAPI 3 schemas: kin-openapi's Swagger 2 schema
	// drops oneOf and anyOf, which API Gateway's models (JSON Schema draft 4) keep.
	models openapi3.Schemas
}

// swaggerModels reads the definitions of a Swagger document (as JSON) as OpenAPI 3 component schemas, their
// references resolved; nil when they cannot be read that way (the converted schemas are used then).
func swaggerModels(doc []byte) openapi3.Schemas {
	var top struct {
		Definitions json.RawMessage `json:"definitions"`
	}
	if json.Unmarshal(doc, &top) != nil || len(top.Definitions) == 0 {
		return nil
	}
	defs := bytes.ReplaceAll(top.Definitions, []byte(`"#/definitions/`), []byte(`"#/components/schemas/`))
	wrapped := append(append([]byte(`{"openapi":"3.0.1","info":{"title":"models","version":"1"},"paths":{},"components":{"schemas":`), defs...), `}}`...)
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	v3, err := loader.LoadFromData(wrapped)
	if err != nil || v3.Components == nil {
		return nil
	}
	return v3.Components.Schemas
}

// checkStructure reports, where they are, the values that must be objects (path items, operations, parameters,
// responses, named components) but are not: kin-openapi would reject them without saying where, or fail on a
// null one. It returns false when it reported an error.
func (d *decoder) checkStructure(top object, swagger bool) bool {
	before := d.findings.Count(Error)
	named := func(parent object, key, what string) { // parent.key must be an object of objects
		if o, ok := d.asObject(parent.get(key), parent.at(key), key); ok {
			for _, e := range o.entries() {
				if !strings.HasPrefix(e.Key, "x-") {
					d.asObject(e.Value, o.at(e.Key), what)
				}
			}
		}
	}
	parameters := func(parent object) {
		n := parent.get("parameters")
		if n == nil || d.intrinsics[n] {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.add(Error, n, parent.at("parameters"), "parameters must be a list, got %s", kindName(n))
			return
		}
		for i, p := range n.Content {
			d.asObject(p, index(parent.at("parameters"), i), "a parameter")
		}
	}
	if swagger {
		named(top, "parameters", "a parameter")
		named(top, "responses", "a response")
		named(top, "definitions", "a schema")
		named(top, "securityDefinitions", "a security scheme")
	} else if comps, ok := d.asObject(top.get("components"), "components", "components"); ok {
		for _, k := range []string{"schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks"} {
			named(comps, k, "an entry of components."+k)
		}
	}
	if paths, ok := d.asObject(top.get("paths"), "paths", "paths"); ok {
		for _, e := range paths.entries() {
			if strings.HasPrefix(e.Key, "x-") {
				continue
			}
			item, ok := d.asObject(e.Value, paths.at(e.Key), "a path item")
			if !ok {
				continue
			}
			parameters(item)
			for _, me := range item.entries() {
				if me.Key != anyMethodKey && httpMethods[strings.ToLower(me.Key)] == "" {
					continue
				}
				op, ok := d.asObject(me.Value, item.at(me.Key), "an operation")
				if !ok {
					continue
				}
				parameters(op)
				named(op, "responses", "a response")
			}
		}
	}
	return d.findings.Count(Error) == before
}

func (d *decoder) loadOpenAPI(top object, swagger bool) (doc *document, err error) {
	defer func() { // kin-openapi has panicked on shapes checkStructure does not know of; report, do not crash
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("reading it failed (%v); look for a null or empty value where OpenAPI expects an object", r)
		}
	}()
	data, err := json.Marshal(toJSON(top.n, jsonTop))
	if err != nil {
		return nil, err
	}
	if swagger {
		var v2 openapi2.T
		if err := json.Unmarshal(data, &v2); err != nil {
			return nil, err
		}
		v3, err := openapi2conv.ToV3(&v2)
		if err != nil {
			return nil, err
		}
		return &document{v3: v3, v2: &v2, models: swaggerModels(data)}, nil
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	v3, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	return &document{v3: v3}, nil
}

// kinTypeError matches encoding/json's type errors as kin-openapi passes them on: the JSON kind found, the Go
// struct field (Struct.field, when there is one) and the Go type expected.
var kinTypeError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`cannot unmarshal (\w+) into (?:(?:Go struct )?field ([A-Za-z0-9_.]+)|(?:Go )?value) of type ([^\s,]+)`)
})

// kinError reports a document kin-openapi could not read. For a value of the wrong type it finds the value in
// the document (the first entry with the field's name holding that kind of value), so that the finding says
// where it is and what it must be, instead of naming Go types.
func (d *decoder) kinError(top object, err error) {
	msg := err.Error()
	if d.refError(top, msg) {
		return
	}
	m := kinTypeError().FindStringSubmatch(msg)
	if m == nil {
		d.add(Error, top.n, "", "not a valid OpenAPI document: %s; fix the document (API Gateway's import rejects it too)", msg)
		return
	}
	found, goType := m[1], strings.TrimLeft(m[3], "*")
	want := "of another type"
	switch {
	case strings.HasPrefix(goType, "[]") || kinListTypes[goType]:
		want = "a list"
	case goType == "string":
		want = "a string"
	case goType == "bool":
		want = "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint") || strings.HasPrefix(goType, "float"):
		want = "a number"
	case strings.HasPrefix(goType, "map[") || strings.HasPrefix(goType, "openapi3.") || strings.HasPrefix(goType, "openapi2."):
		want = "an object"
	}
	var n *yaml.Node
	var path, what string
	if m[2] != "" { // Struct.field: the value is under that field
		key := m[2][strings.LastIndex(m[2], ".")+1:]
		n, path = findKind(top.n, nil, key, found)
		what = key
	} else { // a whole value, named by its type: openapi3.Info is info, a PathItem is an entry of paths
		switch typ := goType[strings.LastIndex(goType, ".")+1:]; typ {
		case "PathItem":
			what = "a path item"
			if paths, ok := d.asObject(top.get("paths"), "paths", "paths"); ok {
				for _, e := range paths.entries() {
					if jsonKind(e.Value) == found {
						n, path = e.Value, paths.at(e.Key)
						break
					}
				}
			}
		default:
			what = strings.ToLower(typ[:1]) + typ[1:]
			if v := top.get(what); v != nil && jsonKind(v) == found {
				n, path = v, what
			}
		}
	}
	if n != nil {
		d.add(Error, n, path, "not a valid OpenAPI document: %s must be %s, got %s; fix the value (API Gateway's import rejects it too)", what, want, kindName(n))
		return
	}
	d.add(Error, top.n, "", "not a valid OpenAPI document: %s must be %s, got %s %s; fix the value (API Gateway's import rejects it too)", what, want, article(found), found)
}

func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an"
	}
	return "a"
}

// refError reports kin-openapi's error about a $ref at the $ref, when the error quotes a reference that the
// document has: a reference to nothing, to another file, without "#/", or to the wrong kind of object.
func (d *decoder) refError(top object, msg string) bool {
	var refs []string
	for _, m := range quotedInError().FindAllStringSubmatch(msg, -1) {
		// Swagger's #/definitions/X, #/parameters/X and #/responses/X reach kin-openapi converted to OpenAPI 3.
		refs = append(refs, m[1], swaggerRef.Replace(m[1]))
	}
	if len(refs) == 0 {
		return false
	}
	n, path := findRef(top.n, nil, refs...)
	if n == nil {
		return false
	}
	switch {
	case kinRefError().MatchString(msg):
		d.add(Error, n, path, "$ref %q does not resolve: define what it names in the document, or fix the reference", n.Value)
	case strings.Contains(msg, "external reference"):
		d.add(Error, n, path, "$ref %q points outside this document, and API Gateway imports one self-contained document: copy what it names into this file (under components, or definitions for Swagger) and refer to it with \"#/...\"", n.Value)
	case strings.Contains(msg, "expected fragment prefix"):
		d.add(Error, n, path, "$ref %q is not a reference into this document: a reference starts with \"#/\", e.g. \"#/components/schemas/Pet\"", n.Value)
	case kinWrongKind().MatchString(msg):
		d.add(Error, n, path, "$ref %q does not name a %s: point it at one (API Gateway's import rejects it too)", n.Value, kinWrongKind().FindStringSubmatch(msg)[1])
	default:
		d.add(Error, n, path, "not a valid OpenAPI document: %s; fix the reference (API Gateway's import rejects it too)", msg)
	}
	return true
}

var (
	// kinRefError matches kin-openapi's error for a $ref it cannot resolve.
	kinRefError = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`failed to resolve .* in URI: "#[^"]*"`) })
	// kinWrongKind matches kin-openapi's error for a $ref to the wrong kind of object, with the kind expected.
	kinWrongKind = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(expecting ref to ([a-z ]+) object\)`) })
	// quotedInError matches the quoted values of an error message.
	quotedInError = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"([^"]*)"`) })
	swaggerRef    = strings.NewReplacer("#/components/schemas/", "#/definitions/", "#/components/", "#/")
)

// findRef returns the first $ref value, in document order, that is one of refs, with its path.
func findRef(n *yaml.Node, path *findings.Path, refs ...string) (*yaml.Node, string) {
	n = deref(n)
	if n == nil {
		return nil, ""
	}
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]).Value, deref(n.Content[i+1])
		if k == "$ref" && v.Kind == yaml.ScalarNode {
			for _, r := range refs {
				if v.Value == r {
					return v, path.Key(k).String()
				}
			}
		}
		if found, p := findRef(v, path.Key(k), refs...); found != nil {
			return found, p
		}
	}
	for i, c := range n.Content {
		if n.Kind == yaml.SequenceNode {
			if found, p := findRef(c, path.Index(i), refs...); found != nil {
				return found, p
			}
		}
	}
	return nil, ""
}

// kinListTypes are kin-openapi's named slice types.
var kinListTypes = map[string]bool{"openapi3.Servers": true, "openapi3.Parameters": true, "openapi2.Parameters": true,
	"openapi3.SecurityRequirements": true, "openapi2.SecurityRequirements": true, "openapi3.Tags": true,
	"openapi3.SchemaRefs": true, "openapi2.SchemaRefs": true, "openapi3.Types": true}

// findKind returns the first value, in document order, stored under key (ignoring case, as encoding/json does)
// whose kind is the JSON kind named by encoding/json (object, array, string, number, bool), with its path.
func findKind(n *yaml.Node, path *findings.Path, key, kind string) (*yaml.Node, string) {
	n = deref(n)
	if n == nil {
		return nil, ""
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := deref(n.Content[i]).Value, deref(n.Content[i+1])
			if strings.EqualFold(k, key) && jsonKind(v) == kind {
				return v, path.Key(k).String()
			}
			if found, p := findKind(v, path.Key(k), key, kind); found != nil {
				return found, p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if found, p := findKind(c, path.Index(i), key, kind); found != nil {
				return found, p
			}
		}
	}
	return nil, ""
}

// jsonKind names a node's kind as encoding/json does in its errors.
func jsonKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "array"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "number"
	case "!!bool":
		return "bool"
	case "!!null":
		return "null"
	}
	return "string"
}

func (d *decoder) readInfo(top object, api *API) {
	if info, ok := d.asObject(top.get("info"), "info", "info"); ok {
		api.Title = info.str("title")
		api.Version = info.str("version")
	}
}

// readBasePath applies reference §i: Swagger's basePath; for OpenAPI 3 a lone basePath server variable wins
// even when the url does not use it, else the path of the first server url.
func (d *decoder) readBasePath(top object, api *API) {
	if api.OpenAPI == "2.0" {
		api.DeclaredBase = top.str("basePath")
	} else if servers := top.get("servers"); servers != nil && servers.Kind == yaml.SequenceNode && len(servers.Content) > 0 {
		if s, ok := d.asObject(servers.Content[0], "servers[0]", "a server"); ok {
			base := ""
			if vars, ok := d.asObject(s.get("variables"), s.at("variables"), "variables"); ok {
				if bp, ok := d.asObject(vars.get("basePath"), vars.at("basePath"), "basePath"); ok {
					base = "/" + strings.TrimPrefix(bp.str("default"), "/")
				}
			}
			if base == "" {
				base = serverURLPath(s.str("url"))
			}
			api.DeclaredBase = base
		}
	}
	segs := splitPath(api.DeclaredBase)
	if len(segs) > 0 && isStageName(segs[0]) {
		api.DefaultStage = segs[0]
	}
}

// isStageName is ^[A-Za-z0-9_-]{1,128}$ without a regexp to compile at start.
func isStageName(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// serverURLPath returns the path part of a server url, which may be a template
// ("https://{host}/{basePath}") or relative ("/v1").
func serverURLPath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.Index(u, "/"); j >= 0 {
			u = u[j:]
		} else {
			u = ""
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// resourcePath applies the base path import mode to a path as written in the spec.
func (api *API) resourcePath(p string) string {
	var prefix []string
	switch api.BasePathMode {
	case BasePathPrepend:
		prefix = splitPath(api.DeclaredBase)
	case BasePathSplit:
		if segs := splitPath(api.DeclaredBase); len(segs) > 1 {
			prefix = segs[1:]
		}
	}
	if len(prefix) == 0 {
		return p
	}
	base := "/" + strings.Join(prefix, "/")
	if p == "/" {
		return base
	}
	return base + p
}

var httpMethods = map[string]string{"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
	"options": "OPTIONS", "head": "HEAD", "patch": "PATCH"}

const anyMethodKey = "x-amazon-apigateway-any-method"

// readPaths builds the resources and methods in document order.
func (d *decoder) readPaths(top object, doc *document, api *API, integrations map[string]*Integration) {
	paths, ok := d.asObject(top.get("paths"), "paths", "paths")
	if !ok {
		if top.get("paths") == nil {
			d.add(Warning, top.n, "paths", "the API has no paths: every request will get 403 Missing Authentication Token")
		}
		return
	}
	byPath := map[string]*Resource{}
	for _, e := range paths.entries() {
		if strings.HasPrefix(e.Key, "x-") {
			continue
		}
		item, ok := d.asObject(e.Value, paths.at(e.Key), "a path item")
		if !ok {
			continue
		}
		if !strings.HasPrefix(e.Key, "/") {
			d.add(Error, e.KeyN, item.path, "path %q must start with \"/\"", e.Key)
			continue
		}
		rp := api.resourcePath(e.Key)
		res := byPath[rp]
		if res == nil {
			res = &Resource{Path: rp}
			byPath[rp] = res
			api.Resources = append(api.Resources, res)
		}
		var pathItem3 *openapi3.PathItem
		if doc.v3.Paths != nil {
			pathItem3 = doc.v3.Paths.Value(e.Key)
		}
		keys := map[string]bool{} // the keys of this path item: a repeated one is a duplicate key, reported as such
		for _, me := range item.entries() {
			key := me.Key
			repeated := keys[key]
			keys[key] = true
			var verb string
			switch {
			case key == anyMethodKey:
				verb = "ANY"
			case httpMethods[strings.ToLower(key)] != "":
				verb = httpMethods[strings.ToLower(key)]
			case key == "trace":
				d.add(Warning, me.KeyN, item.at(key), "API Gateway has no TRACE method; this operation is not imported")
				continue
			case key == "parameters" || key == "summary" || key == "description" || key == "servers" || key == "$ref":
				continue
			case strings.HasPrefix(key, "x-amazon-apigateway-"):
				d.add(Warning, me.KeyN, item.at(key), "extension %s is not defined on a path item; API Gateway ignores it here", key)
				continue
			default:
				continue
			}
			op, ok := d.asObject(me.Value, item.at(key), "an operation")
			if !ok {
				continue
			}
			var op3 *openapi3.Operation
			if verb == "ANY" {
				op3 = d.anyMethodOperation(me.Value, doc, e.Key)
			} else if pathItem3 != nil {
				op3 = pathItem3.GetOperation(verb)
			}
			m := d.readMethod(op, verb, op3, pathItem3, doc, api, integrations)
			m.Position = pos(me.KeyN, op.path) // the method is where its key is, like resources and responses
			for _, prev := range res.Methods {
				if prev.HTTPMethod == m.HTTPMethod && !repeated {
					d.add(Error, me.KeyN, op.path, "method %s is defined twice for resource %s (after the base path is applied); remove one", verb, rp)
				}
			}
			res.Methods = append(res.Methods, m)
		}
	}
	sort.SliceStable(api.Resources, func(i, j int) bool { return api.Resources[i].Path < api.Resources[j].Path })
}

// anyMethodOperation reads x-amazon-apigateway-any-method through kin-openapi as well, so that its
// parameters are resolved like those of the standard operations.
func (d *decoder) anyMethodOperation(n *yaml.Node, doc *document, path string) (op3 *openapi3.Operation) {
	defer func() { // as in loadOpenAPI; the method then has no parameters
		if recover() != nil {
			op3 = nil
		}
	}()
	data, err := json.Marshal(toJSON(n, jsonValue))
	if err != nil {
		return nil
	}
	if doc.v2 != nil {
		var op2 openapi2.Operation
		if json.Unmarshal(data, &op2) != nil {
			return nil
		}
		item2 := doc.v2.Paths[path]
		op3, err = openapi2conv.ToV3Operation(doc.v2, doc.v3.Components, item2, &op2, doc.v2.Consumes)
		if err != nil {
			return nil
		}
	} else {
		op3 = new(openapi3.Operation)
		if json.Unmarshal(data, op3) != nil {
			return nil
		}
	}
	for _, p := range op3.Parameters {
		if p != nil && p.Value == nil && p.Ref != "" && doc.v3.Components != nil {
			name := p.Ref[strings.LastIndex(p.Ref, "/")+1:]
			if def := doc.v3.Components.Parameters[name]; def != nil {
				p.Value = def.Value
			}
		}
	}
	return op3
}
