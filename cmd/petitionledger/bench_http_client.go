package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// rawConn is the load generator's client: one keep-alive HTTP/1.1
// connection that writes pre-encoded requests and reads responses with
// http.ReadResponse. It is far cheaper than http.Client (no transport
// goroutines, no per-request header maps on the way out), which matters
// because the generator shares the CPU with the server it measures.
type rawConn struct {
	addr string // host:port
	conn net.Conn
	br   *bufio.Reader
	req  []byte // reused request buffer
}

func newRawConn(base string) *rawConn {
	return &rawConn{addr: hostPort(base), req: make([]byte, 0, 512)}
}

// hostPort strips the scheme of "http://host:port".
func hostPort(base string) string {
	for i := 0; i+3 <= len(base); i++ {
		if base[i:i+3] == "://" {
			return base[i+3:]
		}
	}
	return base
}

// roundTrip sends req (a complete HTTP/1.1 request) and drains the
// response. It redials after any error or a "Connection: close".
func (c *rawConn) roundTrip(req []byte) (status int, gzipped bool, err error) {
	if c.conn == nil {
		if c.conn, err = net.Dial("tcp", c.addr); err != nil {
			return 0, false, err
		}
		if c.br == nil {
			c.br = bufio.NewReaderSize(c.conn, 16<<10)
		} else {
			c.br.Reset(c.conn)
		}
	}
	if _, err = c.conn.Write(req); err != nil {
		c.close()
		return 0, false, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	return resp.StatusCode, resp.Header.Get("Content-Encoding") == "gzip", err
}

func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// getRequest pre-encodes a GET of path.
func getRequest(base, path string, gzip bool) []byte {
	b := []byte("GET " + path + " HTTP/1.1\r\nHost: " + hostPort(base) + "\r\n")
	if gzip {
		b = append(b, "Accept-Encoding: gzip\r\n"...)
	}
	return append(b, "\r\n"...)
}

// signRequest encodes into c.req the POST of signature n on petition id
// (signer bench{n}@example.org from address benchIP(n)), without fmt.
func (c *rawConn) signRequest(id, n int64) []byte {
	var body [160]byte
	bb := append(body[:0], `{"name":"Bench Signer","email":"bench`...)
	bb = strconv.AppendInt(bb, n, 10)
	bb = append(bb, `@example.org","country":"GB","postcode":"SW1A 1AA"}`...)
	b := append(c.req[:0], "POST /petitions/"...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, "/signatures HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	b = append(b, "\r\nContent-Type: application/json\r\nX-Forwarded-For: 10."...)
	b = strconv.AppendInt(b, (n>>16)&255, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, (n>>8)&255, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, n&255, 10)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(bb)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, bb...)
	c.req = b
	return b
}

// cpuTime is the CPU time (user + system) a process has used: the server's
// from /proc/{pid}/stat (clock ticks, USER_HZ = 100 on Linux), this
// process's from getrusage. Zero when unavailable (not Linux).
func cpuTime(pid int) time.Duration {
	if pid == os.Getpid() {
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * (time.Second / 100)
}

// cpuMeter reports the CPU the server and the generator used between start
// and report.
type cpuMeter struct {
	serverPid           int
	server0, generator0 time.Duration
}

func startCPUMeter(serverPid int) cpuMeter {
	return cpuMeter{serverPid: serverPid, server0: cpuTime(serverPid), generator0: cpuTime(os.Getpid())}
}

// report renders "server X CPU-s (Y per <what>), generator Z CPU-s".
func (m cpuMeter) report(ops int64, what string) string {
	srv, gen := cpuTime(m.serverPid)-m.server0, cpuTime(os.Getpid())-m.generator0
	per := "-"
	if ops > 0 {
		per = (srv / time.Duration(ops)).Round(time.Microsecond / 10).String()
	}
	return fmt.Sprintf("CPU: server %.2f s (%s per %s), generator %.2f s", srv.Seconds(), per, what, gen.Seconds())
}
