// Package stagecache is a REST API stage's response cache (reference §k): answers kept by cache key for
// their time-to-live, within a memory bound, least recently used out first. The gateway decides what is
// cached and under which key; this package keeps the entries, counts hits and misses, and flushes.
package stagecache

import (
	"container/list"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxEntryBytes is the largest answer API Gateway caches: bigger ones are served and not kept.
const MaxEntryBytes = 1 << 20

// Entry is one cached answer, with what the gateway needs to write it as it wrote the original.
type Entry struct {
	Status        int
	Header        http.Header
	Body          []byte
	ContentType   string
	RemapReserved bool
	Traced        bool
}

func (e *Entry) size() int64 {
	n := int64(len(e.Body)) + 64
	for k, vs := range e.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v))
		}
	}
	return n
}

type item struct {
	key     string
	entry   *Entry
	expires time.Time
	bytes   int64
}

// Stats counts what the cache did since it was made (or last reset).
type Stats struct {
	Hits, Misses, Entries int
	Bytes                 int64
}

// Cache holds the entries of every stage; keys start with the API id and stage ("api/stage/..."), so
// that one stage can be flushed.
type Cache struct {
	mu      sync.Mutex
	now     func() time.Time
	items   map[string]*list.Element
	lru     *list.List // front: most recently used
	bytes   int64
	hits    int
	misses  int
	maxSize func(key string) int64 // the memory bound of the stage a key belongs to
}

// New returns an empty cache. maxBytes gives each stage's bound (its cacheClusterSize).
func New(now func() time.Time, maxBytes func(key string) int64) *Cache {
	return &Cache{now: now, items: map[string]*list.Element{}, lru: list.New(), maxSize: maxBytes}
}

// Get returns the live entry under key, counting a hit or a miss.
func (c *Cache) Get(key string) (*Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if ok && !c.now().Before(el.Value.(*item).expires) {
		c.remove(el)
		ok = false
	}
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*item).entry, true
}

// Put keeps e under key for ttl. An answer over MaxEntryBytes, or a ttl of 0, is not kept. Older
// entries of the same stage make room when the stage's bound would be passed.
func (c *Cache) Put(key string, e *Entry, ttl time.Duration) {
	if ttl <= 0 || len(e.Body) > MaxEntryBytes {
		return
	}
	it := &item{key: key, entry: e, expires: c.now().Add(ttl), bytes: e.size()}
	stage := stageOf(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	limit := c.maxSize(key)
	if it.bytes > limit {
		return
	}
	for used := c.stageBytes(stage); used+it.bytes > limit; used = c.stageBytes(stage) {
		oldest := c.oldestOf(stage)
		if oldest == nil {
			break
		}
		c.remove(oldest)
	}
	c.items[key] = c.lru.PushFront(it)
	c.bytes += it.bytes
}

// Flush drops the entries whose keys start with prefix ("" for all) and returns how many.
func (c *Cache) Flush(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for key, el := range c.items {
		if strings.HasPrefix(key, prefix) {
			c.remove(el)
			n++
		}
	}
	return n
}

// Stats returns the counts.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Hits: c.hits, Misses: c.misses, Entries: len(c.items), Bytes: c.bytes}
}

// Reset empties the cache and its counts.
func (c *Cache) Reset() {
	c.Flush("")
	c.mu.Lock()
	c.hits, c.misses = 0, 0
	c.mu.Unlock()
}

func (c *Cache) remove(el *list.Element) {
	it := el.Value.(*item)
	c.lru.Remove(el)
	delete(c.items, it.key)
	c.bytes -= it.bytes
}

// stageBytes and oldestOf walk the entries: a stage's share is computed when it is full, which is rare
// next to the gets and puts.
func (c *Cache) stageBytes(stage string) int64 {
	var n int64
	for el := c.lru.Front(); el != nil; el = el.Next() {
		if it := el.Value.(*item); stageOf(it.key) == stage {
			n += it.bytes
		}
	}
	return n
}

func (c *Cache) oldestOf(stage string) *list.Element {
	for el := c.lru.Back(); el != nil; el = el.Prev() {
		if stageOf(el.Value.(*item).key) == stage {
			return el
		}
	}
	return nil
}

// stageOf is the "api/stage/" prefix of a key.
func stageOf(key string) string {
	i := strings.IndexByte(key, '/')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '/')
	if j < 0 {
		return key
	}
	return key[:i+1+j+1]
}
