package main_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkRSSUnderLoad runs the apiops-mock binary, sends it 20,000 requests (token
// issuance and protected calls, from 4 keep-alive clients on 127.0.0.1) per iteration,
// and reports the process's peak resident memory (VmHWM) in MiB. Linux only.
func BenchmarkRSSUnderLoad(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	m := start(b, nil, "--addr", "127.0.0.1:0", "--log-level", "warn")
	transport := &http.Transport{MaxIdleConnsPerHost: 8}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	_, tok := postToken(b, client, m.url, tokenBody("alice", "alice-secret"))
	token, _ := tok["access_token"].(string)

	const requests, workers = 20000, 4
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range requests / workers {
					var req *http.Request
					if (i+w)%2 == 0 {
						req, _ = http.NewRequest(http.MethodPost, m.url+"/apiops/auth/token", strings.NewReader(tokenBody("bob", "p@ss w0rd&=+%ü/?#")))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					} else {
						req, _ = http.NewRequest(http.MethodGet, m.url+"/apiops/projects/", nil)
						req.Header.Set("Authorization", "Bearer "+token)
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	hwm, rss, err := memory(m.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(requests), "req/op")
	b.ReportMetric(hwm, "MiB-VmHWM")
	b.ReportMetric(rss, "MiB-VmRSS")
	b.Logf("apiops-mock after %d×%d requests: peak RSS (VmHWM) %.1f MiB, RSS %.1f MiB", b.N, requests, hwm, rss)
	m.stop(b)
}

// memory reads VmHWM and VmRSS of a process, in MiB.
func memory(pid int) (hwm, rss float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s %q: %w", name, value, err)
		}
		if name == "VmHWM" {
			hwm = kb / 1024
		} else {
			rss = kb / 1024
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	return hwm, rss, nil
}
