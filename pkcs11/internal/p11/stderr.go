package p11

import "os"

var stderr = os.Stderr
