package embedded_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// crashChildEnv makes the test binary act as the crash test's writer.
const crashChildEnv = "EMBEDDED_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir, os.Getenv("EMBEDDED_CRASH_CHILD_TAG"))
		os.Exit(0)
	}
	if dir := os.Getenv(lockChildEnv); dir != "" {
		lockChild(dir)
	}
	os.Exit(m.Run())
}

// crashAck is what the child reports on stdout after each acknowledged
// append, one JSON object per line.
type crashAck struct {
	Stream string      `json:"s"`
	First  uint64      `json:"f"` // revision of the first event
	IDs    []uuid.UUID `json:"ids"`
	Pos    uint64      `json:"p"`
}

// crashBody is the data of each event: which append it belongs to.
type crashBody struct {
	Append string `json:"a"`
	Of     int    `json:"n"`
}

// crashChild appends forever from 8 goroutines, small segments so that
// rollovers happen, and reports every acknowledgement.
func crashChild(dir, tag string) {
	s, err := embedded.Open(dir, embedded.WithSegmentSize(64<<10), embedded.WithSnapshotEvery(96<<10), embedded.WithLogger(quietLogger()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			for i := 0; ; i++ {
				stream := fmt.Sprintf("crash-%s-%d-%d", tag, g, rng.IntN(20))
				n := 1 + rng.IntN(3)
				appendID := uuid.NewString()
				evs := make([]eventstore.EventData, n)
				ids := make([]uuid.UUID, n)
				for k := range evs {
					body, _ := json.Marshal(crashBody{Append: appendID, Of: n})
					evs[k] = eventstore.EventData{ID: uuid.New(), Type: "crash", Data: body}
					ids[k] = evs[k].ID
				}
				res, err := s.Append(context.Background(), stream, eventstore.Any{}, evs...)
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(4)
				}
				line, _ := json.Marshal(crashAck{Stream: stream, First: res.NextRevision + 1 - uint64(n), IDs: ids, Pos: res.Position.Commit})
				mu.Lock()
				out.Write(append(line, '\n'))
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestCrashRecovery kills a writer subprocess with SIGKILL at random
// moments, several times over the same directory, and checks after each
// kill that every acknowledged event is present and no append is partial.
func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	var acks []crashAck
	for round := range rounds {
		acks = append(acks, runCrashChild(t, dir, round)...)
		verifyAfterCrash(t, dir, acks)
	}
}

func runCrashChild(t *testing.T, dir string, round int) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("EMBEDDED_CRASH_CHILD_TAG=%d", round))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acks []crashAck
	done := make(chan struct{})
	killAfter := 30 + rand.IntN(200) // acknowledgements before the kill
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var a crashAck
			if json.Unmarshal(sc.Bytes(), &a) != nil {
				continue // a line cut by the kill was never fully reported
			}
			acks = append(acks, a)
			if len(acks) == killAfter {
				// Let it run a little longer so the kill lands mid-write.
				time.AfterFunc(time.Duration(rand.IntN(3000))*time.Microsecond, func() {
					cmd.Process.Signal(syscall.SIGKILL)
				})
			}
		}
	}()
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("round %d: child was not killed: %v\nstderr: %s", round, err, stderr.String())
	}
	if len(acks) < killAfter {
		t.Fatalf("round %d: child reported %d acks, want at least %d\nstderr: %s", round, len(acks), killAfter, stderr.String())
	}
	return acks
}

func verifyAfterCrash(t *testing.T, dir string, acks []crashAck) {
	t.Helper()
	s, err := embedded.Open(dir, embedded.WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, a := range acks {
		recs, err := s.ReadStream(ctx, a.Stream, eventstore.ReadStreamOptions{From: eventstore.Revision(a.First), MaxCount: uint64(len(a.IDs))})
		if err != nil {
			t.Fatalf("acknowledged append to %s lost: %v", a.Stream, err)
		}
		if len(recs) != len(a.IDs) {
			t.Fatalf("acknowledged append to %s at %d: got %d events, want %d", a.Stream, a.First, len(recs), len(a.IDs))
		}
		for i, r := range recs {
			if r.ID != a.IDs[i] {
				t.Fatalf("%s@%d: got ID %v, want acknowledged %v", a.Stream, a.First+uint64(i), r.ID, a.IDs[i])
			}
		}
		if recs[len(recs)-1].Position.Commit != a.Pos {
			t.Fatalf("%s: acknowledged position %d, found at %d", a.Stream, a.Pos, recs[len(recs)-1].Position.Commit)
		}
	}
	// Nothing partial: every append in $all is complete.
	all, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatalf("ReadAll after kill: %v", err)
	}
	seen := map[string]int{}
	want := map[string]int{}
	for _, r := range all {
		var b crashBody
		if err := json.Unmarshal(r.Data, &b); err != nil {
			t.Fatalf("event %v at %v: undecodable data %q", r.ID, r.Position, r.Data)
		}
		seen[b.Append]++
		want[b.Append] = b.Of
	}
	for a, n := range seen {
		if n != want[a] {
			t.Fatalf("append %s: %d of its %d events in $all (partial append)", a, n, want[a])
		}
	}
}
