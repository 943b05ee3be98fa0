package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// benchSSE connects f.subscribers live subscribers to one petition, writes
// signatures at f.writeRate, and every second probes how long it takes
// until every subscriber has seen the count served by count.json at the
// probe's start.
func benchSSE(ctx context.Context, stdout io.Writer, srv *benchServer, c *http.Client, id int64, f benchHTTPFlags) error {
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	tr := &http.Transport{MaxConnsPerHost: f.subscribers + 1, MaxIdleConnsPerHost: 1, DisableCompression: true}
	subClient := &http.Client{Transport: tr}
	seen := make([]atomic.Int64, f.subscribers)
	var connected, failed atomic.Int64
	var wg sync.WaitGroup
	url := fmt.Sprintf("%s/petitions/%d/live", srv.base, id)
	sem := make(chan struct{}, 200) // connect at most 200 at a time
	for i := range seen {
		seen[i].Store(-1)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(subCtx, "GET", url, nil)
			resp, err := subClient.Do(req)
			<-sem
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
				return
			}
			defer resp.Body.Close()
			connected.Add(1)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if n, ok := countIn(sc.Text()); ok {
					seen[i].Store(n)
				}
			}
		}()
	}
	for connected.Load()+failed.Load() < int64(f.subscribers) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "%d live subscribers connected, %d failed; server RSS %s, generator RSS %s\n",
		connected.Load(), failed.Load(), rssOf(srv.cmd.Process.Pid), rssOf(os.Getpid()))
	loadCtx, stopLoad := context.WithTimeout(ctx, f.duration)
	defer stopLoad()
	wrote, _, waitWriters := signLoad(loadCtx, srv.base, id, f.writeRate)
	var delays []time.Duration
	misses := 0
	for loadCtx.Err() == nil {
		t0 := time.Now()
		_, body, err := call(c, "GET", fmt.Sprintf("%s/petitions/%d/count.json", srv.base, id), "", "")
		if err != nil {
			return err
		}
		want := int64(body["signature_count"].(float64))
		d, ok := waitAllSeen(seen, want, t0, 10*time.Second)
		if !ok {
			misses++
		}
		delays = append(delays, d)
		time.Sleep(time.Until(t0.Add(time.Second)))
	}
	waitWriters()
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	worst := time.Duration(0)
	if len(delays) > 0 {
		worst = delays[len(delays)-1]
	}
	fmt.Fprintf(stdout, "%d probes while writing %d signatures (%.0f/s): slowest time until every subscriber saw the probed count %s (median %s); probes over 10 s: %d; server RSS %s\n",
		len(delays), wrote.Load(), float64(wrote.Load())/f.duration.Seconds(), worst.Round(time.Millisecond),
		delays[len(delays)/2].Round(time.Millisecond), misses, rssOf(srv.cmd.Process.Pid))
	stopSubs()
	wg.Wait()
	return nil
}

// countIn parses the signature_count of an SSE data line.
func countIn(line string) (int64, bool) {
	rest, ok := strings.CutPrefix(line, "data: ")
	if !ok {
		return 0, false
	}
	_, after, ok := strings.Cut(rest, `"signature_count":`)
	if !ok {
		return 0, false
	}
	end := strings.IndexAny(after, ",}")
	if end < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(after[:end], 10, 64)
	return n, err == nil
}

// waitAllSeen waits until every connected subscriber has seen at least
// want, and returns how long after t0 that was.
func waitAllSeen(seen []atomic.Int64, want int64, t0 time.Time, limit time.Duration) (time.Duration, bool) {
	for {
		all := true
		for i := range seen {
			if v := seen[i].Load(); v >= 0 && v < want {
				all = false
				break
			}
		}
		if all {
			return time.Since(t0), true
		}
		if time.Since(t0) > limit {
			return time.Since(t0), false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rssOf reads a process's resident memory from /proc.
func rssOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
