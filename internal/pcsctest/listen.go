package pcsctest

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/mynacard/mynacard/reader/vpcd"
)

// tcpListen is the socket state "LISTEN" in /proc/net/tcp.
const tcpListen = "0A"

func vpcdPort(slot int) int { return vpcd.Port(slot) }

// vpcdListening reports whether vpcd's port for slot listens, from
// /proc/net/tcp{,6}. It must not connect: vpcd would take a connection
// for a card being inserted.
func vpcdListening(slot int) bool {
	port := strings.ToUpper(strconv.FormatInt(int64(vpcdPort(slot)), 16))
	for _, p := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if listeningIn(p, port) {
			return true
		}
	}
	return false
}

func listeningIn(path, hexPort string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		local, st := fields[1], fields[3]
		i := strings.LastIndexByte(local, ':')
		if i < 0 || st != tcpListen {
			continue
		}
		if strings.TrimLeft(local[i+1:], "0") == strings.TrimLeft(hexPort, "0") {
			return true
		}
	}
	return false
}
