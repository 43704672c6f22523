package mockserver

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// guardControl decides whether a request may use the control API, so that neither a
// remote client nor a web page the developer happens to visit can drive it. It writes the
// refusal and reports false when the request is refused:
//
//   - a client that is not on a loopback address → 403, unless ControlAllowRemote;
//   - a Host that is not "localhost" or an IP literal of the listener (a DNS-rebinding
//     page names its own host) → 403, unless ControlAllowRemote;
//   - an Origin header (browsers send one with every cross-site request and every POST)
//     that is not the listener's own origin → 403;
//   - a POST whose Content-Type is not application/json (what an HTML form or a "simple"
//     cross-site fetch cannot send) → 415.
func (s *Server) guardControl(w http.ResponseWriter, r *http.Request) bool {
	if !s.cfg.ControlAllowRemote {
		if !isLoopback(r.RemoteAddr) {
			writeError(w, http.StatusForbidden, "access_denied",
				"the control API answers loopback clients only (apiops-mock --control-allow-remote)")
			return false
		}
		if !isOwnHost(r) {
			writeError(w, http.StatusForbidden, "access_denied",
				fmt.Sprintf("the control API answers requests for localhost or the listener's IP address only, not Host %q (a DNS-rebinding page names its own host; apiops-mock --control-allow-remote lifts this)", truncate(r.Host)))
			return false
		}
	}
	if origins := r.Header.Values("Origin"); len(origins) > 0 {
		if len(origins) > 1 || !isOwnOrigin(origins[0], r) {
			writeError(w, http.StatusForbidden, "access_denied",
				fmt.Sprintf("the control API refuses requests from another origin (%q): a web page may not drive it", truncate(strings.Join(origins, ", "))))
			return false
		}
	}
	if r.Method == http.MethodPost {
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mediaType != "application/json" {
			w.Header().Set("Accept", "application/json")
			writeError(w, http.StatusUnsupportedMediaType, "invalid_request",
				fmt.Sprintf("a control API POST must have Content-Type: application/json, not %q (curl: -H 'Content-Type: application/json')", truncate(r.Header.Get("Content-Type"))))
			return false
		}
	}
	return true
}

// isLoopback reports whether a RemoteAddr ("host:port") is a loopback address.
func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// isOwnHost reports whether r's Host names the listener: "localhost", or an IP literal
// equal to the address the connection arrived on (any loopback IP literal when the
// handler is called without a listener, as in unit tests). The port is not compared: a
// port forward may change it.
func isOwnHost(r *http.Request) bool {
	host := hostOnly(r.Host)
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || addr.Zone() != "" {
		return false
	}
	addr = addr.Unmap()
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return addr.IsLoopback()
	}
	ap, err := netip.ParseAddrPort(local.String())
	if err != nil {
		return false
	}
	return ap.Addr().Unmap() == addr
}

// hostOnly strips the port and IPv6 brackets from a Host header value.
func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// isOwnOrigin reports whether an Origin header value is the origin r was sent to: the
// same scheme (https when the connection is TLS) and the same host and port as r's Host.
func isOwnOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return false // also "null", which opaque origins send
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !strings.EqualFold(u.Scheme, scheme) {
		return false
	}
	return strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme))
}

// withPort adds the scheme's default port to a host without one.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), port)
}
