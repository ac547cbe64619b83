package vtl

import (
	"strings"
	"testing"
)

// benchUtil is a tiny host object standing in for $util.
type benchUtil struct{}

func (benchUtil) Property(string) (any, bool) { return nil, false }
func (benchUtil) Call(name string, args []any) (any, error) {
	switch name {
	case "escapeJavaScript":
		return strings.ReplaceAll(ToString(args[0]), `"`, `\"`), nil
	case "upper":
		return strings.ToUpper(ToString(args[0])), nil
	}
	return nil, ErrNoMethod
}

const bench40 = `#set($items = $body.items)
#set($count = 0)
{
  "requestId": "$ctx.requestId",
  "stage": "$ctx.stage",
  "user": "$util.escapeJavaScript($body.user.name)",
  "region": "$util.upper($body.region)",
  "items": [
#foreach($it in $items)
    {
      "id": "$it.id",
      "name": "$it.name.trim().toLowerCase()",
      "short": "$it.name.substring(0, 3)",
      "tags": "$it.tags",
      #if($it.price > 100)
      "tier": "premium",
      #elseif($it.price > 10)
      "tier": "standard",
      #else
      "tier": "budget",
      #end
      "sku": "$it.sku.replace('-', '')",
      "hasDash": $it.sku.contains('-'),
      "index": $foreach.index,
      "price": $it.price
    }#if($foreach.hasNext),#end
#set($count = $count + 1)
#end
  ],
  "count": $count,
  "first": "$items[0].name",
  "last": "$items[-1].name",
  "keys": "$body.keySet()",
  "size": $items.size(),
  #if($body.flag)
  "flag": true,
  #end
  "note": "$!body.missing",
  "end": "done"
}
`

func benchVars(b *testing.B) *Vars {
	var sb strings.Builder
	sb.WriteString(`{"user":{"name":"Ann \"A\""},"region":"eu-west-1","flag":true,"items":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"id":` + itoa(i) + `,"name":"  Widget ` + itoa(i) + `  ","sku":"AB-` + itoa(i) + `","price":` + itoa(i*11) + `,"tags":["a","b"]}`)
	}
	sb.WriteString(`]}`)
	body, err := FromJSON([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := NewMap()
	ctx.Put("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
	ctx.Put("stage", "prod")
	v := NewVars()
	v.Set("body", body)
	v.Set("ctx", ctx)
	v.Set("util", benchUtil{})
	return v
}

func itoa(i int) string { return ToString(int32(i)) }

func BenchmarkRender40Lines(b *testing.B) {
	if n := strings.Count(bench40, "\n"); n != 40 {
		b.Fatalf("template has %d lines, want 40", n)
	}
	tmpl, err := Parse("bench", bench40, Options{Mode: APIGateway})
	if err != nil {
		b.Fatal(err)
	}
	vars := benchVars(b)
	out, err := tmpl.Execute(vars)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(out, `"tier": "premium"`) || !strings.Contains(out, `"count": 20`) || !strings.Contains(out, `"user": "Ann \"A\""`) {
		b.Fatalf("unexpected output:\n%s", out)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tmpl.Execute(vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse40Lines(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("bench", bench40, Options{Mode: APIGateway}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRegex is a typical template using Java regexes: cleaning, validating, reformatting and
// splitting fields of 20 items (each literal pattern is compiled once, at Parse).
const benchRegex = `#foreach($it in $body.items)
{"sku": "$it.sku.replaceAll('[^A-Za-z0-9]', '')",
 "valid": $it.email.matches('[\w.+-]+@[\w-]+\.[\w.]+'),
 "name": "$it.name.trim().replaceAll('\s+', ' ')",
 "phone": "$it.phone.replaceFirst('^\+?1[ -]?', '')",
 "tags": $it.tags.split('\s*,\s*').size(),
 "date": "$it.date.replaceAll('(\d{4})-(\d{2})-(\d{2})', '$3/$2/$1')"}#if($foreach.hasNext),#end
#end
`

func BenchmarkRenderRegex(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		n := itoa(i)
		sb.WriteString(`{"sku":"AB-` + n + `/x_` + n + `","email":"user.` + n + `@example-mail.com","name":"  Widget   number ` + n + ` ",` +
			`"phone":"+1 555-010-` + n + `","tags":"a, b ,c,d` + n + `","date":"2024-03-` + itoa(10+i) + `"}`)
	}
	sb.WriteString(`]}`)
	body, err := FromJSON([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	vars := NewVars()
	vars.Set("body", body)
	tmpl, err := Parse("bench", benchRegex, Options{Mode: APIGateway})
	if err != nil {
		b.Fatal(err)
	}
	out, err := tmpl.Execute(vars)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(out, `{"sku": "AB7x7",
 "valid": true,
 "name": "Widget number 7",
 "phone": "555-010-7",
 "tags": 4,
 "date": "17/03/2024"}`) {
		b.Fatalf("unexpected output:\n%s", out)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tmpl.Execute(vars); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPatterns are typical patterns of mapping templates, compiled without the cache.
var benchPatterns = []string{`[^A-Za-z0-9]`, `[\w.+-]+@[\w-]+\.[\w.]+`, `\s+`, `^\+?1[ -]?`, `\s*,\s*`,
	`(\d{4})-(\d{2})-(\d{2})`, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$`, `\\'`, `(?i)^(true|yes|1)$`}

func BenchmarkRegexCompile(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, p := range benchPatterns {
			if c := newCompiledRegex(p); c.err != nil {
				b.Fatal(c.err)
			}
		}
	}
}
