package vpcd

import (
	"net"
	"syscall"
)

// setQuickAck sets TCP_QUICKACK on c. Linux clears the flag again on its
// own, so it must be set after every read to keep ACKs immediate.
func setQuickAck(c *net.TCPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
