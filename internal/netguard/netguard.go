// Package netguard keeps the connections the engine opens on its users' behalf (webhook
// deliveries) off the vendor's own networks: loopback, private, link-local (the cloud metadata
// service at 169.254.169.254 among them), unspecified, multicast, shared (CGNAT) and reserved
// addresses are refused when a target is registered, and again at dial time on the address DNS
// actually returned, so a name that later resolves inward (DNS rebinding) is caught too.
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Error is a refused target: Host as given, Addr the address it is or resolved to.
type Error struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *Error) Error() string {
	if e.Addr.IsValid() {
		return fmt.Sprintf("%s is %s (%s): not a public address", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("%s is %s: not a public address", e.Host, e.Reason)
}

var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (\"this network\")"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved (IETF protocol assignments)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved (benchmarking)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (incl. broadcast)"},
	{netip.MustParsePrefix("::/96"), "reserved (IPv4-compatible)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "reserved (local NAT64)"},
	{netip.MustParsePrefix("100::/64"), "reserved (discard)"},
	{netip.MustParsePrefix("2001::/32"), "reserved (Teredo)"},
	{netip.MustParsePrefix("fec0::/10"), "reserved (site-local)"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Reason says why a is not a public unicast address, "" when it is one. IPv4 addresses
// written in IPv6 (::ffff:a.b.c.d, NAT64, 6to4) are judged by the IPv4 address they carry.
func Reason(a netip.Addr) string {
	if !a.IsValid() {
		return "not an address"
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return Reason(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(a):
			return Reason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, b := range blocked {
		if b.prefix.Contains(a) {
			return b.reason
		}
	}
	return ""
}

// ParseHost reads a URL's host (brackets removed, as url.URL.Hostname gives it) as an IP
// address in any spelling a resolver or browser accepts: dotted with 1–4 parts, each decimal,
// octal (leading 0) or hexadecimal (0x), as inet_aton reads them ("127.1", "2130706433",
// "0x7f000001", "017700000001", "0177.0.0.1"), or IPv6 ("::ffff:127.0.0.1", "::1"). ok is false
// for a name. numeric is true when the host's last label looks like a number, which makes the
// whole host an IPv4 address or invalid (WHATWG URL): a caller refuses numeric hosts that did
// not parse.
func ParseHost(host string) (a netip.Addr, ok, numeric bool) {
	h := strings.TrimSuffix(host, ".")
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		return a, err == nil, true
	}
	parts := strings.Split(h, ".")
	last := parts[len(parts)-1]
	if !looksNumeric(last) {
		return netip.Addr{}, false, false
	}
	if len(parts) > 4 {
		return netip.Addr{}, false, true
	}
	var v uint64
	for i, p := range parts {
		n, ok := number(p)
		if !ok {
			return netip.Addr{}, false, true
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false, true
			}
			v = v<<8 | n
			continue
		}
		rest := uint(8 * (5 - len(parts))) // bits the last part fills
		if n >= 1<<rest {
			return netip.Addr{}, false, true
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, true
}

// looksNumeric reports whether a label is a number to a URL parser (WHATWG "ends in a number"):
// decimal digits, or 0x and hexadecimal digits.
func looksNumeric(s string) bool {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		return strings.Trim(h, "0123456789abcdef") == ""
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// number reads one inet_aton part: 0x hex, leading-0 octal, or decimal.
func number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base, digits := 10, s
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, digits = 16, s[2:]
		if digits == "" {
			return 0, true // "0x" is 0 to inet_aton
		}
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil || n > 1<<32 {
		return 0, false
	}
	return n, true
}

// localNames are names that mean this machine whatever DNS says (RFC 6761).
func localName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "localhost.localdomain"
}

// CheckHost refuses a target host that is, or names, a non-public address: an IP literal in any
// spelling (ParseHost), localhost, or a name whose current DNS answer holds such an address
// (resolved with r, nil meaning net.DefaultResolver, within 3 s). A name that does not resolve
// now is let through: the dial-time check (Control) judges whatever it resolves to later.
// Errors: *Error; an error naming an invalid numeric host.
func CheckHost(ctx context.Context, r *net.Resolver, host string) error {
	if a, ok, numeric := ParseHost(host); ok {
		if why := Reason(a); why != "" {
			return &Error{Host: host, Addr: a, Reason: why}
		}
		return nil
	} else if numeric {
		return fmt.Errorf("%s is neither a host name nor an IP address", host)
	}
	if localName(host) {
		return &Error{Host: host, Reason: "loopback (localhost)"}
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if why := Reason(a); why != "" {
			return &Error{Host: host, Addr: a.Unmap(), Reason: why}
		}
	}
	return nil
}

// Control is a net.Dialer Control hook: it runs after name resolution, on the address actually
// dialled, and refuses a non-public one.
func Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return &Error{Host: address, Reason: "not an address"}
	}
	if why := Reason(a); why != "" {
		return &Error{Host: address, Addr: a.Unmap(), Reason: why}
	}
	return nil
}

// Transport returns an HTTP transport whose connections pass Control (unless allowPrivate) and
// that ignores proxy settings from the environment (a proxy would make the checked address the
// proxy's, not the target's).
func Transport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = Control
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	return t
}
