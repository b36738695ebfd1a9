//go:build !linux

package vpcd

import "net"

// setQuickAck does nothing where TCP_QUICKACK does not exist.
func setQuickAck(*net.TCPConn) error { return nil }
