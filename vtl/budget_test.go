package vtl

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The attacks of issue 10, point 1: each one must stop with the budget's error, not take the
// process down.
func TestBudgetAttacks(t *testing.T) {
	big := strings.Repeat("a", 100*1024)
	tests := []struct {
		name, src, want string
		vars            map[string]any
	}{
		{"concat doubling", `#set($s = $x)#foreach($i in [1..40])#set($s = $s.concat($s))#end$s.length()`, "allocation budget", map[string]any{"x": "abcdefgh"}},
		{"plus doubling", `#set($s = $x)#foreach($i in [1..40])#set($s = "$s$s")#end$s.length()`, "exceeds", map[string]any{"x": "abcdefgh"}},
		{"addAll doubling", `#set($l = [1])#foreach($i in [1..25])#set($d = $l.addAll($l))#end$l.size()`, "allocation budget", nil},
		{"replace empty", `$body.replace("", $body).length()`, "allocation budget", map[string]any{"body": big}},
		{"nested foreach", `#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end`, "step budget", nil},
		{"replaceAll empty", `$body.replaceAll("", $body).length()`, "allocation budget", map[string]any{"body": big}},
		{"replaceAll group references", `#set($r = "$0$0$0$0$0$0$0$0")#set($r = "$r$r$r$r$r$r$r$r")#set($r = "$r$r$r$r$r$r$r$r")$body.replaceAll(".+", $r).length()`, "allocation budget", map[string]any{"body": big}},
		{"replaceFirst doubling", `#set($s = $x)#foreach($i in [1..40])#set($s = $s.replaceFirst("^(.*)$", "$1$1"))#end$s.length()`, "allocation budget", map[string]any{"x": "abcdefgh"}},
		{"split into characters", `#set($l = [])#foreach($i in [1..1000])#set($d = $l.addAll($body.split("")))#end$l.size()`, "allocation budget", map[string]any{"body": big}},
		{"map of many keys", `#set($m = {})#foreach($i in [1..100])#foreach($j in [1..100])#set($d = $m.put("${body}${i}_${j}", 1))#end#end$m.size()`, "allocation budget", map[string]any{"body": strings.Repeat("k", 4096)}},
		{"map entries by #set", `#set($m = {})#foreach($i in [1..100])#foreach($j in [1..100])#set($m["${body}${i}_${j}"] = 1)#end#end$m.size()`, "allocation budget", map[string]any{"body": strings.Repeat("k", 4096)}},
		{"putAll", `#set($m = {})#foreach($i in [1..100])#foreach($j in [1..100])#set($n = {})#set($n["${body}${i}_${j}"] = 1)#set($d = $m.putAll($n))#end#end$m.size()`, "allocation budget", map[string]any{"body": strings.Repeat("k", 4096)}},
		{"regex scans of a large body", `#foreach($i in [1..1000])#set($d = $body.matches("b"))#end`, "step budget", map[string]any{"body": strings.Repeat("a", 2<<20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := Parse(tc.name, tc.src, Options{Mode: APIGateway})
			if err != nil {
				t.Fatal(err)
			}
			vars := NewVars()
			for k, v := range tc.vars {
				vars.Set(k, v)
			}
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err = tmpl.Execute(vars)
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming the %s", err, tc.want)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("stopped after %v, %d MB allocated, heap in use %d MB: %v", took, allocated>>20, after.HeapInuse>>20, err)
			if allocated > 256<<20 {
				t.Errorf("render allocated %d MB, want < 256 MB", allocated>>20)
			}
		})
	}
}

func TestBudgetCancelledContext(t *testing.T) {
	tmpl, err := Parse("loop", `#foreach($a in [1..1000])#foreach($b in [1..1000])x#end#end`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tmpl.ExecuteContext(ctx, nil); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v, want render cancelled", err)
	}
	// cancelled during the render: a deadline far shorter than the render
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	tmpl, _ = Parse("loop3", `#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end`, Options{})
	<-ctx.Done()
	if _, err := tmpl.ExecuteContext(ctx, nil); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v, want render cancelled", err)
	}
}
