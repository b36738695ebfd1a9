package agent

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

// web holds the example kiosk page: index.html (a template that receives the
// session token), app.js and style.css, and the JavaScript client of the API
// (mynacard-client.js, ClientPath). No build step: the files are served as
// they are.
//
//go:embed web
var web embed.FS

// pageCSP is the page's Content-Security-Policy: its own scripts, styles and
// API only, never framed.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// ClientPath is where the agent serves its JavaScript client, an ES module
// with no dependencies (agent/web/mynacard-client.js in the repository).
// Unlike the page, it holds no token: allowed origins may load it too.
const ClientPath = "/mynacard-client.js"

var indexTemplate = template.Must(template.ParseFS(web, "web/index.html"))

// pageHandler serves the kiosk page with the token embedded, and its static
// files.
func (s *Server) pageHandler() http.Handler {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	static := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, newAPIError(http.StatusMethodNotAllowed, CodeMethod, "the page is GET only"))
			return
		}
		w.Header().Set("Content-Security-Policy", pageCSP)
		switch r.URL.Path {
		case "/", "/index.html":
			var b bytes.Buffer
			if err := indexTemplate.Execute(&b, struct{ Token, Header string }{s.Token(), HeaderToken}); err != nil {
				writeError(w, newAPIError(http.StatusInternalServerError, CodeInternal, "rendering page"))
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(b.Bytes())
		case "/app.js", "/style.css", ClientPath:
			static.ServeHTTP(w, r)
		default:
			writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, "not found"))
		}
	})
}
