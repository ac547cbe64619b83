// Package archtest holds the test that keeps the package layering of ARCHITECTURE.md true: every import
// points down the layers, and a new package must be placed in them before it can be imported.
package archtest
