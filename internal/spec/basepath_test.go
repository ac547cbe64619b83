package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// vectorFile is the AWS vector file of imports and stages, in internal/testcorpus.
const vectorFile = "openapi-stages.json"

// stageVector is the part of an openapi-stages.json vector these tests read.
type stageVector struct {
	ID    string `json:"id"`
	Input struct {
		Spec       string `json:"spec"`
		Basepath   string `json:"basepath"`
		PutRestAPI struct {
			Parameters struct {
				Basepath string `json:"basepath"`
			} `json:"parameters"`
		} `json:"put_rest_api"`
	} `json:"input"`
	Expected struct {
		ResourcePaths []string `json:"resource_paths"`
	} `json:"expected"`
}

// resourceTree lists every resource API Gateway creates for the API: the root "/", each path, and each
// path's ancestors (importing /base/test creates /base too), sorted.
func resourceTree(a *API) []string {
	set := map[string]bool{"/": true}
	for _, r := range a.Resources {
		segs := splitPath(r.Path)
		for i := 1; i <= len(segs); i++ {
			set["/"+strings.Join(segs[:i], "/")] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

var indexRow = regexp.MustCompile("(?m)^\\| `([^`]+)` \\|[^|]*`([^`]+)` \\|")

// vectorSpec finds the file a vector was recorded with: a copy in testdata/ under the same base name (a
// spec the corpus does not hold), else the corpus file whose INDEX.md source is the vector's spec path,
// the test being skipped when the spec corpus is absent.
func vectorSpec(t *testing.T, spec string) (string, bool) {
	t.Helper()
	src, _, _ := strings.Cut(spec, " ") // "tests/aws/files/swagger.json (swagger 2.0, ...)"
	p := filepath.Join("testdata", filepath.Base(src))
	if _, err := os.Stat(p); err == nil {
		return p, true
	}
	corpusDir := testcorpus.Specs(t)
	index, err := os.ReadFile(filepath.Join(corpusDir, "INDEX.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range indexRow.FindAllStringSubmatch(string(index), -1) {
		if m[2] == src {
			return filepath.Join(corpusDir, m[1]), true
		}
	}
	return "", false
}

// TestImportBasePathVectors replays the recorded PutRestApi basepath=ignore|prepend|split imports.
func TestImportBasePathVectors(t *testing.T) {
	data := testcorpus.Vectors(vectorFile)
	var file struct {
		Vectors []stageVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range file.Vectors {
		if strings.HasPrefix(v.ID, "import-swagger-basepath-") || strings.HasPrefix(v.ID, "import-oas30-basepath-") {
			n++
		}
	}
	if n != 9 { // 3 modes x (Swagger basePath, OAS3 server url, OAS3 lone basePath variable)
		t.Errorf("%s has %d import basepath vectors, want 9", vectorFile, n)
	}
	for _, v := range file.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			switch {
			case strings.HasPrefix(v.ID, "export-"):
				t.Skip("an export vector (GetExport output): the spec package imports, it does not export")
			case v.ID == "stage-variables-in-http-proxy-uri":
				t.Skip("a data-plane vector (what the backend receives): nothing for the importer to check")
			case v.ID == "import-authorizer-apikey-source":
				t.Skip("its input is LocalStack's petstore-authorizer.swagger.json modified by the test (api-key-source AUTHORIZER, a REQUEST authorizer); the corpus holds the unmodified file (a TOKEN authorizer, no api-key-source)")
			case !strings.HasPrefix(v.ID, "import-swagger-basepath-") && !strings.HasPrefix(v.ID, "import-oas30-basepath-"):
				t.Fatalf("vector %s is new to this test: decide whether it applies", v.ID)
			}
			mode := v.Input.PutRestAPI.Parameters.Basepath
			if mode == "" {
				mode = v.Input.Basepath
			}
			if mode == "" || len(v.Expected.ResourcePaths) == 0 {
				t.Fatalf("vector %s has no basepath mode or no expected resource_paths", v.ID)
			}
			path, ok := vectorSpec(t, v.Input.Spec)
			if !ok {
				t.Fatalf("the spec of %s (%s) is neither in the corpus nor in testdata/", v.ID, v.Input.Spec)
			}
			api, fs := Load(path, Options{BasePathMode: BasePathMode(mode)})
			if fs.HasErrors() || api == nil {
				t.Fatalf("%s does not load:\n%v", path, fs)
			}
			if got := resourceTree(api); !reflect.DeepEqual(got, v.Expected.ResourcePaths) {
				t.Errorf("basepath=%s: resources %q, want %q", mode, got, v.Expected.ResourcePaths)
			}
		})
	}
}

func TestBasePathModes(t *testing.T) {
	for _, tc := range []struct {
		name  string       // the spec and the mode
		src   string       // the spec
		mode  BasePathMode // the import mode; "" is the default
		base  string       // DeclaredBase
		paths []string     // the resource paths, as Resources lists them
	}{{
		name: "default is ignore",
		src:  "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /v1/api\npaths:\n  /: {get: {x-amazon-apigateway-integration: {type: mock}}}\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		base: "/v1/api", paths: []string{"/", "/x"},
	}, {
		name: "prepend puts the whole base path in front, the root becomes the base path",
		src:  "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /v1/api\npaths:\n  /: {get: {x-amazon-apigateway-integration: {type: mock}}}\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathPrepend,
		base: "/v1/api", paths: []string{"/v1/api", "/v1/api/x"},
	}, {
		name: "split drops the first segment and prepends the rest",
		src:  "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /v1/api\npaths:\n  /: {get: {x-amazon-apigateway-integration: {type: mock}}}\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathSplit,
		base: "/v1/api", paths: []string{"/api", "/api/x"},
	}, {
		name: "prepend without a base path changes nothing",
		src:  "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths:\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathPrepend,
		base: "", paths: []string{"/x"},
	}, {
		name: "oas3: a templated server url uses the basePath variable's default (no leading slash)",
		src:  "openapi: 3.0.1\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://abc.execute-api.us-east-1.amazonaws.com/{basePath}\n    variables: {basePath: {default: v1}}\npaths:\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathPrepend,
		base: "/v1", paths: []string{"/v1/x"},
	}, {
		name: "oas3: a relative server url",
		src:  "openapi: 3.0.1\ninfo: {title: T, version: '1'}\nservers:\n  - url: /stage/v2\npaths:\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathSplit,
		base: "/stage/v2", paths: []string{"/v2/x"},
	}, {
		name: "oas3: only the first server counts",
		src:  "openapi: 3.0.1\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://a.example.com/one\n  - url: https://b.example.com/two\npaths:\n  /x: {get: {x-amazon-apigateway-integration: {type: mock}}}\n",
		mode: BasePathPrepend,
		base: "/one", paths: []string{"/one/x"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			api, fs := Parse("base.yaml", []byte(tc.src), Options{BasePathMode: tc.mode})
			if len(fs) > 0 || api == nil {
				t.Fatalf("unexpected findings:\n%v", fs)
			}
			var paths []string
			for _, r := range api.Resources {
				paths = append(paths, r.Path)
			}
			want := tc.mode
			if want == "" {
				want = BasePathIgnore
			}
			if api.DeclaredBase != tc.base || !reflect.DeepEqual(paths, tc.paths) || api.BasePathMode != want {
				t.Errorf("DeclaredBase %q, paths %q, mode %q; want %q, %q, %q", api.DeclaredBase, paths, api.BasePathMode, tc.base, tc.paths, want)
			}
		})
	}
}

func TestDefaultStage(t *testing.T) {
	for _, tc := range []struct {
		name   string // where the base path comes from
		file   string // a spec in testdata/, or "" for src or corpus
		corpus string // a spec in the spec corpus
		src    string // an inline spec
		stage  string // DefaultStage
	}{{
		name:  "swagger basePath /prod",
		src:   "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /prod\npaths: {}\n",
		stage: "prod",
	}, {
		name:  "oas3 servers variables basePath default v1",
		src:   "openapi: 3.0.1\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://abc.execute-api.us-east-1.amazonaws.com/{basePath}\n    variables:\n      basePath:\n        default: v1\npaths: {}\n",
		stage: "v1",
	}, {
		name:  "no base path",
		src:   "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths: {}\n",
		stage: "",
	}, {
		name:  "swagger basePath /",
		src:   "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /\npaths: {}\n",
		stage: "",
	}, {
		name:  "the first segment of a longer base path",
		src:   "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /dev/api\npaths: {}\n",
		stage: "dev",
	}, {
		name:  "a segment that is no valid stage name (a Terraform placeholder)",
		src:   "swagger: '2.0'\ninfo: {title: T, version: '1'}\nbasePath: /${environment}\npaths: {}\n",
		stage: "",
	}, {
		name:  "oas3 server url path",
		file:  filepath.Join("testdata", "openapi-basepath-url.yaml"),
		stage: "base-url",
	}, {
		name:   "oas3 lone basePath variable not used in the url",
		corpus: "localstack__localstack__basepath-server-variable.yaml",
		stage:  "base-var",
	}, {
		name:   "a genuine REST API export (oas30 with {basePath})",
		corpus: "in28minutes__go-serverless__hello-world-rest-oas30.yaml",
		stage:  "dev",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var api *API
			var fs Findings
			if tc.corpus != "" {
				tc.file = filepath.Join(testcorpus.Specs(t), tc.corpus)
			}
			if tc.file != "" {
				api, fs = Load(tc.file, Options{})
			} else {
				api, fs = Parse("stage.yaml", []byte(tc.src), Options{})
			}
			if api == nil || fs.HasErrors() {
				t.Fatalf("does not load:\n%v", fs)
			}
			if api.DefaultStage != tc.stage {
				t.Errorf("DefaultStage %q (base %q), want %q", api.DefaultStage, api.DeclaredBase, tc.stage)
			}
		})
	}
}
