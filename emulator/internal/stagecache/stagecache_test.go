package stagecache

import (
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestCache(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cache := New(c.now, func(key string) int64 {
		if strings.HasPrefix(key, "api/small/") {
			return 3 * (100 + 64)
		}
		return 1 << 30
	})
	e := func(body string) *Entry { return &Entry{Status: 200, Body: []byte(body)} }
	cache.Put("api/dev/a", e("A"), 10*time.Second)
	if got, ok := cache.Get("api/dev/a"); !ok || string(got.Body) != "A" {
		t.Fatalf("a fresh entry: %v %v", got, ok)
	}
	c.t = c.t.Add(10 * time.Second)
	if _, ok := cache.Get("api/dev/a"); ok {
		t.Error("an entry is served at the end of its TTL")
	}
	cache.Put("api/dev/zero", e("Z"), 0)
	cache.Put("api/dev/big", e(strings.Repeat("x", MaxEntryBytes+1)), time.Minute)
	if _, ok := cache.Get("api/dev/zero"); ok {
		t.Error("a TTL of 0 cached")
	}
	if _, ok := cache.Get("api/dev/big"); ok {
		t.Error("an answer over 1 MB cached")
	}
	// The small stage holds three entries of 100 bytes: the least recently used goes first.
	for _, k := range []string{"1", "2", "3"} {
		cache.Put("api/small/"+k, e(strings.Repeat(k, 100)), time.Minute)
	}
	cache.Get("api/small/1")
	cache.Put("api/small/4", e(strings.Repeat("4", 100)), time.Minute)
	for k, want := range map[string]bool{"1": true, "2": false, "3": true, "4": true} {
		if _, ok := cache.Get("api/small/" + k); ok != want {
			t.Errorf("small stage, entry %s kept: %v, want %v", k, ok, want)
		}
	}
	cache.Put("api/dev/b", e("B"), time.Minute)
	if n := cache.Flush("api/small/"); n != 3 {
		t.Errorf("Flush of the small stage dropped %d, want 3", n)
	}
	if _, ok := cache.Get("api/dev/b"); !ok {
		t.Error("a flush of another stage dropped api/dev/b")
	}
	st := cache.Stats()
	if st.Entries != 1 || st.Hits != 6 || st.Misses != 4 {
		t.Errorf("stats %+v, want 1 entry, 6 hits, 4 misses", st)
	}
	cache.Reset()
	if st := cache.Stats(); st != (Stats{}) {
		t.Errorf("after Reset: %+v", st)
	}
}
