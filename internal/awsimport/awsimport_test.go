package awsimport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/internal/config"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Saved CLI outputs (in the shapes AWS documents) become a config apigw-local accepts, with production's
// plans, keys (ids and names), stage and account limits; the user's other settings and comments stay.
func TestImport(t *testing.T) {
	existing := []byte(`# my local settings
specs: [openapi.yaml]
functions:
  GetPets: {command: [./bin/get-pets]}   # built by make
stages:
  dev: {variables: {backendUrl: "http://127.0.0.1:9000"}}
`)
	res, err := Import(Inputs{
		UsagePlans:    read(t, "usage-plans.json"),
		UsagePlanKeys: map[string][]byte{"a1b2c3": read(t, "usage-plan-keys-basic.json"), "d4e5f6": read(t, "usage-plan-keys-premium.json")},
		APIKeys:       read(t, "api-keys.json"),
		Stages:        [][]byte{read(t, "stage.json")},
		Account:       read(t, "account.json"),
	}, existing)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Config)
	for _, kept := range []string{"# my local settings", "# built by make", "GetPets", `http://127.0.0.1:9000`} {
		if !strings.Contains(out, kept) {
			t.Errorf("the merge lost %q:\n%s", kept, out)
		}
	}
	c, err := config.Parse("apigw-local.yaml", res.Config)
	if err != nil {
		t.Fatalf("the imported config does not validate: %v\n%s", err, out)
	}
	if len(c.APIKeys) != 2 || c.APIKeys[0].ID != "k1alice" || c.APIKeys[0].Value != "alice-0123456789abcdefghij" || !c.APIKeys[0].Enabled ||
		c.APIKeys[1].Name != "bob" || c.APIKeys[1].Enabled || c.APIKeys[1].Value != "imported-k2bob-placeholder-value" {
		t.Errorf("api keys %+v", c.APIKeys)
	}
	if len(c.UsagePlans) != 2 {
		t.Fatalf("usage plans %+v", c.UsagePlans)
	}
	basic, premium := c.UsagePlans[0], c.UsagePlans[1]
	if basic.ID != "a1b2c3" || basic.Name != "basic" || *basic.Throttle != (config.Throttle{RateLimit: 10, BurstLimit: 20}) ||
		basic.Quota.Limit != 1000 || basic.Quota.Period != "DAY" || len(basic.APIKeys) != 1 || basic.APIKeys[0] != "alice" ||
		len(basic.APIStages) != 1 || basic.APIStages[0].Stage != "prod" || basic.APIStages[0].Throttle["/pets/GET"] != (config.Throttle{RateLimit: 1, BurstLimit: 1}) {
		t.Errorf("plan basic %+v (quota %+v, stages %+v)", basic, basic.Quota, basic.APIStages)
	}
	if premium.Quota.Period != "MONTH" || premium.Quota.Offset != 1 || premium.APIKeys[0] != "bob" {
		t.Errorf("plan premium %+v", premium)
	}
	prod := c.Stages["prod"]
	if prod == nil || !prod.CacheClusterEnabled || prod.CacheClusterSize != 0.5 || prod.Variables["backendUrl"] != "http://127.0.0.1:8081" ||
		prod.AccessLogFormat != "$context.requestId $context.status" {
		t.Fatalf("stage prod %+v", prod)
	}
	all, pets := prod.MethodSettings["*/*"], prod.MethodSettings["/pets/{petId}/GET"]
	if *all.Throttling != (config.Throttle{RateLimit: 100, BurstLimit: 50}) || *all.CachingEnabled || *all.CacheTTLInSeconds != 300 ||
		all.UnauthorizedCacheControlHeaderStrategy != "SUCCEED_WITH_RESPONSE_HEADER" || !*all.RequireAuthorizationForCacheControl {
		t.Errorf("*/* %+v", all)
	}
	if pets.Throttling == nil || *pets.Throttling != (config.Throttle{RateLimit: 5, BurstLimit: 5}) || !*pets.CachingEnabled || *pets.CacheTTLInSeconds != 60 {
		t.Errorf("/pets/{petId}/GET %+v", pets)
	}
	if c.Stages["dev"] == nil {
		t.Error("the user's stage dev was dropped")
	}
	if c.Account.Throttle != (config.Throttle{RateLimit: 10000, BurstLimit: 5000}) {
		t.Errorf("account %+v", c.Account)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"api keys bob were saved without their values",
		"stage prod: tracingEnabled is not imported",
		"method setting prod */*: cacheDataEncrypted, dataTraceEnabled, loggingLevel, metricsEnabled not imported",
		"account: cloudwatchRoleArn is not imported",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

func TestMethodKey(t *testing.T) {
	for in, want := range map[string]string{"*/*": "*/*", "pets/GET": "/pets/GET", "pets~1{id}/DELETE": "/pets/{id}/DELETE", "~1/GET": "//GET", "/GET": "//GET", "/pets/*": "/pets/*"} {
		if got := methodKey(in); got != want {
			t.Errorf("methodKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the files hold, Import answers an error or a config it can read back; it never panics.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"items": [{"id": "a", "name": "n", "apiStages": [{"stage": "s", "throttle": {"/x/GET": {"burstLimit": 1, "rateLimit": 1}}}], "quota": {"limit": 1, "period": "DAY"}}]}`),
		[]byte(`{"stageName": "s", "methodSettings": {"x~1y/GET": {"throttlingRateLimit": 1}}}`), []byte(`{"throttleSettings": {"burstLimit": 1}}`))
	f.Fuzz(func(t *testing.T, plans, stage, account []byte) {
		res, err := Import(Inputs{UsagePlans: plans, Stages: [][]byte{stage}, Account: account, APIKeys: plans}, nil)
		if err != nil {
			return
		}
		var v any
		if yaml.Unmarshal(res.Config, &v) != nil {
			t.Fatalf("the output is not YAML:\n%s", res.Config)
		}
	})
}

// An HTTP API's stages (apigatewayv2 get-stages): the default route throttle, route settings by route key
// and stage variables.
func TestImportHTTPStages(t *testing.T) {
	res, err := Import(Inputs{HTTPStages: [][]byte{read(t, "http-stages.json")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("apigw-local.yaml", res.Config)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Config)
	}
	st := c.Stages["$default"]
	if st == nil || *st.Throttling != (config.Throttle{RateLimit: 100, BurstLimit: 50}) || st.Variables["env"] != "prod" ||
		*st.RouteSettings["GET /pets"].Throttling != (config.Throttle{RateLimit: 10, BurstLimit: 5}) {
		t.Errorf("stage $default %+v\n%s", st, res.Config)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "HTTP API stage $default: AccessLogSettings is not imported") {
		t.Errorf("notes:\n%s", notes)
	}
}
