package fixturebin

import (
	"os"
	"testing"
)

func TestBuildsOnceAndReuses(t *testing.T) {
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"echo", "env", "exit", "fail", "large", "malformed", "panic", "sleep"} {
		st, err := os.Stat(Path(t, name))
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s: %v (mode %v), want an executable", name, err, st)
		}
	}
	// A second build in this process, or in another process of the run, finds the finished directory.
	again, err := build()
	if err != nil || again != d {
		t.Errorf("second build: %q %v, want the same directory %q", again, err, d)
	}
}
