// Package httpx holds the HTTP helpers every handler shares: request
// metadata, access log, panic recovery, security headers, and the JSON
// request and error conventions of the API.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"gridgov/internal/actor"
)

// Options configure the middleware.
type Options struct {
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	// Empty: the header is ignored and the client is the TCP peer, so a
	// client cannot forge its address in the audit log.
	TrustedProxies []netip.Prefix
}

// ParsePrefixes parses a comma-separated list of CIDRs or bare addresses
// (a bare address is a /32 or /128 prefix).
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Meta stores the request id, client address and user agent in the request
// context (actor.Meta, for the audit log) and echoes X-Request-ID.
func Meta(opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		ua := r.UserAgent()
		if len(ua) > 256 {
			ua = ua[:256]
		}
		m := actor.Meta{IP: ClientIP(r, opts.TrustedProxies), RequestID: id, UserAgent: ua}
		next.ServeHTTP(w, r.WithContext(actor.WithMeta(r.Context(), m)))
	})
}

// RequestID returns the id of the request behind ctx ("" outside a request).
func RequestID(ctx context.Context) string { return actor.MetaFrom(ctx).RequestID }

// saneRequestID accepts a caller's id only when it is short and made of
// characters that are safe in logs and headers.
func saneRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClientIP returns the client's address: the TCP peer, or, when the peer is
// a trusted proxy, the rightmost X-Forwarded-For entry that is not itself a
// trusted proxy (entries further left are client-controlled).
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !inAny(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			break
		}
		client = a
		if !inAny(a, trusted) {
			break
		}
	}
	return client.String()
}

func parseAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
