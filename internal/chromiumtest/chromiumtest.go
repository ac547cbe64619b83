// Package chromiumtest opens pages in headless Chromium for tests: the DOM a page's scripts leave and a
// screenshot. Tests that need it skip without a browser, unless APIGW_REQUIRE_CHROMIUM=1 (set by .ci/run,
// which installs Chromium) makes that a failure.
package chromiumtest

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary finds a headless Chromium, or skips the test; APIGW_REQUIRE_CHROMIUM=1 (set by .ci/run, which
// installs it) makes a missing one a failure.
func Binary(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("APIGW_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no Chromium on PATH (apt-get install -y chromium), and APIGW_REQUIRE_CHROMIUM=1")
	}
	t.Skip("no Chromium on PATH: install it (apt-get install -y chromium) to check the HTML reports; APIGW_REQUIRE_CHROMIUM=1 makes this a failure")
	return ""
}

// Open loads a page (a file path, or an http:// URL) in headless Chromium, with its scripts run, and
// returns the DOM as the page left it and a screenshot.
func Open(t testing.TB, page string) (string, image.Image) {
	t.Helper()
	bin := Binary(t)
	url := page
	if !strings.HasPrefix(page, "http://") {
		url = "file://" + page
	}
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	// The deadline only keeps a wedged browser from hanging the run; nothing is measured against it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := func(extra ...string) []string {
		return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1000,1400", "--virtual-time-budget=5000"},
			append(extra, url)...)
	}
	dom, err := exec.CommandContext(ctx, bin, args("--dump-dom")...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	if out, err := exec.CommandContext(ctx, bin, args("--screenshot="+shot)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot: %v", err)
	}
	return string(dom), img
}

// Reddish and Greenish count the screenshot's pixels where red (green) clearly dominates: lines are
// anti-aliased, so few pixels carry a series' exact colour.
func Reddish(img image.Image) int {
	return countPixels(img, func(r, g, b int) bool { return r-g > 60 && r-b > 60 })
}

func Greenish(img image.Image) int {
	return countPixels(img, func(r, g, b int) bool { return g-r > 50 && g-b > 50 })
}

func countPixels(img image.Image, match func(r, g, b int) bool) int {
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if match(int(r>>8), int(g>>8), int(b>>8)) {
				n++
			}
		}
	}
	return n
}
