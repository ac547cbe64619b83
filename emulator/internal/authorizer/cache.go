package authorizer

import (
	"sync"
	"time"
)

// MaxCacheEntries bounds the cache: identity values come from clients, so a client sending a new token on
// every request must not grow it without end. When full, expired entries are dropped, then the cache is
// cleared (an entry lost is one more call to the authorizer, never a request let through).
const MaxCacheEntries = 100_000

// Cache holds authorizers' answers across requests and reloads, until their TTL passes.
type Cache struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]cacheEntry
}

type cacheEntry struct {
	answer  *Answer
	expires time.Time
}

// NewCache returns an empty cache reading the time from now (the gateway's clock).
func NewCache(now func() time.Time) *Cache {
	return &Cache{now: now, entries: map[string]cacheEntry{}}
}

func (c *Cache) get(key string) *Answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		return nil
	}
	return e.answer
}

func (c *Cache) put(key string, a *Answer, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= MaxCacheEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= MaxCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[key] = cacheEntry{answer: a, expires: now.Add(ttl)}
}

// Reset forgets every answer (POST /_apigw/reset).
func (c *Cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// Len is the number of entries, expired ones included until they are looked up.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
