package main

import "github.com/mynacard/mynacard/jpki/revocation"

// crlCacheOff is the --crl-cache value that turns the index cache off.
const crlCacheOff = "off"

// crlCacheDir is the CRL index cache directory: --crl-cache, else the
// default under the user's cache directory; "" (no cache) for "off" or
// when there is no user cache directory. A cache that cannot be written
// only costs a parse (revocation.CRLSetOptions.CacheDir).
func (g *globals) crlCacheDir() string {
	switch g.CRLCache {
	case crlCacheOff:
		return ""
	case "":
		return revocation.DefaultCacheDir()
	}
	return g.CRLCache
}
