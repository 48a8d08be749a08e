package netguard_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/supportd/supportd/internal/netguard"
)

func TestParseHostSpellings(t *testing.T) {
	for host, want := range map[string]string{
		"127.1": "127.0.0.1", "2130706433": "127.0.0.1", "0x7f000001": "127.0.0.1", "017700000001": "127.0.0.1",
		"0177.0.0.1": "127.0.0.1", "0x7f.0.0.1": "127.0.0.1", "127.0.1": "127.0.0.1", "127.0.0.1.": "127.0.0.1",
		"0": "0.0.0.0", "0xA9FEA9FE": "169.254.169.254", "::ffff:127.0.0.1": "::ffff:127.0.0.1", "::1": "::1", "8.8.8.8": "8.8.8.8",
	} {
		a, ok, numeric := netguard.ParseHost(host)
		if !ok || !numeric || a != netip.MustParseAddr(want) {
			t.Errorf("ParseHost(%q) = %v %v %v, want %s", host, a, ok, numeric, want)
		}
	}
	for _, host := range []string{"example.com", "localhost", "a1.b2", "0x.example"} {
		if _, ok, numeric := netguard.ParseHost(host); ok || numeric {
			t.Errorf("ParseHost(%q) read a name as an address", host)
		}
	}
	for _, host := range []string{"1.2.3.4.5", "256.1.1.1", "1.16777216", "4294967296", "08", "0x1ffffffff", "1..1"} {
		if _, ok, numeric := netguard.ParseHost(host); ok || !numeric {
			t.Errorf("ParseHost(%q): ok %v numeric %v, want an invalid numeric host", host, ok, numeric)
		}
	}
}

func TestReason(t *testing.T) {
	for addr, forbidden := range map[string]bool{
		"127.0.0.1": true, "10.1.1.1": true, "172.31.255.255": true, "192.168.0.1": true, "169.254.169.254": true,
		"100.64.0.1": true, "100.127.255.255": true, "0.0.0.0": true, "224.0.0.251": true, "255.255.255.255": true,
		"::": true, "::1": true, "fe80::1": true, "fd12::1": true, "ff02::1": true, "::ffff:10.0.0.1": true,
		"64:ff9b::a9fe:a9fe": true, "2002:7f00:1::": true, "::127.0.0.1": true,
		"8.8.8.8": false, "100.128.0.1": false, "93.184.215.14": false, "2606:4700::1111": false, "64:ff9b::808:808": false,
	} {
		if got := netguard.Reason(netip.MustParseAddr(addr)) != ""; got != forbidden {
			t.Errorf("%s forbidden = %v, want %v (%q)", addr, got, forbidden, netguard.Reason(netip.MustParseAddr(addr)))
		}
	}
}

func TestControlChecksTheDialledAddress(t *testing.T) {
	if err := netguard.Control("tcp4", "127.0.0.1:80", nil); err == nil {
		t.Error("loopback dial allowed")
	}
	if err := netguard.Control("tcp6", "[::ffff:169.254.169.254]:80", nil); err == nil {
		t.Error("metadata dial allowed")
	}
	if err := netguard.Control("tcp4", "93.184.215.14:443", nil); err != nil {
		t.Error(err)
	}
}

// TestCheckHostResolves: a name whose DNS answer is internal is refused at registration (a tiny
// DNS server answers every A question with 10.0.0.7); localhost is refused without asking DNS.
func TestCheckHostResolves(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go serveDNS(pc, [4]byte{10, 0, 0, 7})
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
	var ne *netguard.Error
	if err := netguard.CheckHost(context.Background(), r, "rebind.example.test"); !errors.As(err, &ne) || ne.Reason != "private" {
		t.Fatalf("name resolving to 10.0.0.7: %v", err)
	}
	if err := netguard.CheckHost(context.Background(), r, "localhost"); !errors.As(err, &ne) {
		t.Fatalf("localhost: %v", err)
	}
	if err := netguard.CheckHost(context.Background(), r, "93.184.215.14"); err != nil {
		t.Fatal(err)
	}
}

// serveDNS answers each query's A question with addr and any other question with no answer.
func serveDNS(pc net.PacketConn, addr [4]byte) {
	buf := make([]byte, 512)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		q := buf[:n]
		end := 12
		for end < len(q) && q[end] != 0 {
			end += int(q[end]) + 1
		}
		end += 5 // the name's root byte, type, class
		if end > len(q) {
			continue
		}
		qtype := binary.BigEndian.Uint16(q[end-4:])
		resp := append([]byte{}, q[:end]...)
		resp[2], resp[3] = 0x81, 0x80 // response, recursion desired and available
		binary.BigEndian.PutUint16(resp[6:], 0)
		binary.BigEndian.PutUint16(resp[8:], 0)
		binary.BigEndian.PutUint16(resp[10:], 0)
		if qtype == 1 {
			binary.BigEndian.PutUint16(resp[6:], 1)
			resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, addr[0], addr[1], addr[2], addr[3])
		}
		_, _ = pc.WriteTo(resp, from)
	}
}
