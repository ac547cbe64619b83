//go:build !unix

package lambdarun

import "net"

// peekAlive cannot look without reading here: a parked connection is taken as alive, and a dead one
// shows when the invocation is written to it.
func peekAlive(net.Conn) bool { return true }
