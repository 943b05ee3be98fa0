package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoServesTheSeedPetition runs the built `petitionledger demo` on a
// free port (built without the race detector: generating the history is
// CPU-bound): the seed petition is served with its 44,150 signatures, the
// output names the URLs to open, Ctrl-C ends it cleanly and its temporary
// data directory is removed.
func TestDemoServesTheSeedPetition(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "demo", "--listen", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var text strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		text.WriteString(lines.Text() + "\n")
		if lines.Text() == "Ctrl-C to stop." {
			break
		}
	}
	out := text.String()
	_, rest, ok := strings.Cut(out, "Petition Ledger demo on ")
	if !ok {
		t.Fatalf("demo did not start:\n%s\nstderr: %s", out, stderr.String())
	}
	base, _, _ := strings.Cut(rest, " ")
	_, dirPart, _ := strings.Cut(rest, "(data in ")
	dir, _, _ := strings.Cut(dirPart, ",")
	for _, want := range []string{base + "/petitions/1.json", base + "/petitions/2/live", "moderator:demo-moderator-"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	go func() { // keep draining: confirmation mails are printed
		for lines.Scan() {
		}
	}()
	for i := 0; ; i++ {
		if status, _, err := get(base + "/readyz"); err == nil && status == 200 {
			break
		}
		if i > 6000 {
			t.Fatal("the demo's projections never caught up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, body, err := get(base + "/petitions/1.json")
	if err != nil || status != 200 {
		t.Fatalf("seed petition: %d %v", status, err)
	}
	attrs := body["data"].(map[string]any)["attributes"].(map[string]any)
	if attrs["signature_count"] != float64(44150) || attrs["state"] != "closed" {
		t.Errorf("seed petition: count %v state %v, want 44150 closed", attrs["signature_count"], attrs["state"])
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo exit after Ctrl-C: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the demo's temporary directory %q is still there (%v)", dir, err)
	}
}
