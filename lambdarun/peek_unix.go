//go:build unix

package lambdarun

import (
	"net"
	"syscall"
)

// peekAlive reports whether nc's peer has neither closed nor reset the connection, without blocking and
// without consuming anything.
func peekAlive(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := true
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK:
		case rerr != nil || n == 0: // reset, or an orderly close
			alive = false
		}
		return true // never wait
	})
	return alive && err == nil
}
