//go:build !unix

package main

// killChildren cannot find this process's children without /proc and process groups: on such systems a
// forced exit (a second signal, or a stop that overran) may leave a Lambda process behind.
func killChildren() {}
