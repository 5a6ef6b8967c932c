package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// driveWrk runs wrk on a scenario: a Lua script walks a list of URLs
// sampled from the scenario, and wrk's --latency report is parsed.
func driveWrk(base string, sc scenario, clients int, d time.Duration) (result, error) {
	r := rand.New(rand.NewPCG(7, 42))
	var lua strings.Builder
	lua.WriteString("paths = {\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&lua, "%q,\n", strings.TrimPrefix(sc.url(r), base))
	}
	lua.WriteString(`}
i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non200 %d\n", summary.errors.status))
  io.write(string.format("max_us %d\n", latency.max))
end
`)
	f, err := os.CreateTemp("", "relais-load-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(lua.String()); err != nil {
		return result{}, err
	}
	f.Close()
	threads := min(2, clients)
	out, err := exec.Command("wrk", "-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(clients),
		"-d"+strconv.Itoa(int(d.Seconds()))+"s", "--latency", "-s", f.Name(), base).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	return parseWrk(string(out))
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	wrkErrors  = regexp.MustCompile(`non200 (\d+)`)
	wrkMax     = regexp.MustCompile(`max_us (\d+)`)
	wrkSockets = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func parseWrk(out string) (result, error) {
	var r result
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk printed no Requests/sec:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, p := range wrkPct.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(p[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[p[3]]
		d := time.Duration(v * float64(unit))
		switch p[1] {
		case "50":
			r.p50 = d
		case "90":
			r.p90 = d
		case "99":
			r.p99 = d
		}
	}
	if m := wrkErrors.FindStringSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(m[1])
	}
	if m := wrkMax.FindStringSubmatch(out); m != nil {
		us, _ := strconv.Atoi(m[1])
		r.max = time.Duration(us) * time.Microsecond
	}
	if m := wrkSockets.FindStringSubmatch(out); m != nil {
		for _, n := range m[1:] {
			k, _ := strconv.Atoi(n)
			r.errors += k
		}
	}
	return r, nil
}
