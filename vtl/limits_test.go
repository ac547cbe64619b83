package vtl

import (
	"errors"
	"strings"
	"testing"
)

func TestMaxSize(t *testing.T) {
	src := strings.Repeat("x", DefaultMaxSize)
	if _, err := Parse("big", src, Options{Mode: APIGateway}); err != nil {
		t.Fatalf("a template of exactly 300 KB must load: %v", err)
	}
	_, err := Parse("big", src+"x", Options{Mode: APIGateway})
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || !strings.Contains(e.Msg, "300 KB") {
		t.Fatalf("want a size error at 1:1, got %v", err)
	}
	if _, err := Parse("small", "abcdef", Options{MaxSize: 5}); err == nil {
		t.Fatal("MaxSize 5 must reject 6 bytes")
	}
}

// Deep nesting must be a clean error, not a Go stack overflow, however deep the input.
func TestDeepNesting(t *testing.T) {
	for name, src := range map[string]string{
		"parens":  "#set($a = " + strings.Repeat("(", 200000) + "1" + strings.Repeat(")", 200000) + ")",
		"if":      strings.Repeat("#if(true)", 100000) + strings.Repeat("#end", 100000),
		"not":     "#if(" + strings.Repeat("!", 200000) + "true)#end",
		"lists":   "#set($a = " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + ")",
		"strings": strings.Repeat(`#set($a = "`, 1) + strings.Repeat(`$b.c("`, 10) + "x",
		"index":   "$a" + strings.Repeat("[$a", 100000),
	} {
		_, err := Parse(name, src, Options{Mode: APIGateway, MaxSize: 1 << 22})
		var e *Error
		if !errors.As(err, &e) || e.Line < 1 {
			t.Errorf("%s: want a positioned error, got %v", name, err)
		}
	}
	// Exactly at the limit is fine.
	src := strings.Repeat("#if(true)", 99) + "x" + strings.Repeat("#end", 99)
	tmpl, err := Parse("ok", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := tmpl.Execute(nil); err != nil || out != "x" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestForeachLimitDefault(t *testing.T) {
	tmpl, err := Parse("loop", "#foreach($i in [1..1000])#end ok\n#foreach($i in [1..1001])$i#end", Options{Mode: APIGateway})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Execute(nil)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 1 || !strings.Contains(e.Msg, "1000") {
		t.Fatalf("want the 1000-iteration error at 2:1, got %v", err)
	}
}

// Execute on one Template from many goroutines (run with -race).
func TestConcurrentExecute(t *testing.T) {
	tmpl, err := Parse("c", `#set($m = {})#foreach($i in $l)#set($x = $m.put("k$i", $i))#end$m.size() $l.size()`, Options{Mode: APIGateway})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for g := 0; g < 8; g++ {
		go func() {
			v := NewVars()
			l, _ := FromJSON([]byte(`[1,2,3,4,5]`))
			v.Set("l", l)
			out, err := tmpl.Execute(v)
			if err != nil {
				out = err.Error()
			}
			done <- out
		}()
	}
	for g := 0; g < 8; g++ {
		if out := <-done; out != "5 5" {
			t.Errorf("got %q", out)
		}
	}
}

// Host objects: properties, calls, ErrNoMethod, #set through PropertySetter, bracket access.
type fakeHost struct{ props map[string]any }

func (h *fakeHost) Property(name string) (any, bool) { v, ok := h.props[name]; return v, ok }
func (h *fakeHost) Call(name string, args []any) (any, error) {
	switch name {
	case "echo":
		return ToString(args[0]) + "!", nil
	case "fail":
		return nil, errors.New("boom")
	}
	return nil, ErrNoMethod
}
func (h *fakeHost) SetProperty(name string, v any) error { h.props[name] = v; return nil }

func TestHostObject(t *testing.T) {
	h := &fakeHost{props: map[string]any{"body": "B"}}
	tmpl, err := Parse("h", `$h.body|$h.echo('x')|$h.nosuch()|$h["body"]|#set($h.k = 5)$h.k|$h`, Options{Mode: APIGateway})
	if err != nil {
		t.Fatal(err)
	}
	v := NewVars()
	v.Set("h", h)
	out, err := tmpl.Execute(v)
	if err != nil || out != "B|x!||B|5|" {
		t.Fatalf("got %q, %v", out, err)
	}
	tmpl, _ = Parse("h", "\n  $h.fail()", Options{Mode: APIGateway})
	_, err = tmpl.Execute(v)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 6 || !strings.Contains(e.Msg, "boom") {
		t.Fatalf("got %v", err)
	}
}

// Values the template writes are visible to the caller through shared maps.
func TestVarsReadBack(t *testing.T) {
	ctx := NewMap()
	ro := NewOpaqueMap()
	ctx.Put("requestOverride", ro)
	tmpl, err := Parse("v", `#set($context.requestOverride.status = 444)#set($out = "done")[$context.requestOverride]`, Options{Mode: APIGateway})
	if err != nil {
		t.Fatal(err)
	}
	v := NewVars()
	v.Set("context", ctx)
	got, err := tmpl.Execute(v)
	if err != nil || got != "[]" {
		t.Fatalf("got %q, %v (an opaque map prints as nothing)", got, err)
	}
	if s, _ := ro.Get("status"); s != int32(444) {
		t.Fatalf("status = %#v", s)
	}
	if o, _ := v.Get("out"); o != "done" {
		t.Fatalf("out = %#v", o)
	}
}

func TestToStringAndJSON(t *testing.T) {
	v, err := FromJSON([]byte(`{"a":[1,2.5,"x\"/\u00e9",null,true,{"b":{}}],"n":12345678901,"big":123456789012345678901234567890,"f":1e300}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ToString(v), `{a=[1,2.5,"x\"\/é",null,true,{"b":{}}], n=12345678901, big=123456789012345678901234567890, f=1.0E300}`; got != want {
		t.Errorf("ToString = %s\nwant      %s", got, want)
	}
	if got, want := ToJSON(v), `{"a":[1,2.5,"x\"\/é",null,true,{"b":{}}],"n":12345678901,"big":123456789012345678901234567890,"f":1.0E300}`; got != want {
		t.Errorf("ToJSON = %s\nwant     %s", got, want)
	}
	m := v.(*Map)
	if x, _ := m.Get("n"); x != int64(12345678901) {
		t.Errorf("n is %T", x)
	}
	l := NewList(int32(1), "a", nil, 1.0)
	if got := ToString(l); got != "[1, a, null, 1.0]" {
		t.Errorf("ToString(list) = %s", got)
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a" 1}`, `01`, `"\x"`, `nul`, `1 2`, `"a`} {
		if _, err := FromJSON([]byte(bad)); err == nil {
			t.Errorf("FromJSON(%q) should fail", bad)
		}
	}
	self := NewMap()
	self.Put("me", self)
	if got := ToString(self); got != "{me=(this Map)}" {
		t.Errorf("self map = %s", got)
	}
}
