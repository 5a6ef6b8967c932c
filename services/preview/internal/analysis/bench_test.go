package analysis

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAnalyze profiles a generated CSV of mixed French-format types
// (100 MB; RELAIS_BENCH_MB sets another size) and reports MB/s and the
// peak RSS of the process during the analysis.
//
//	go test ./services/preview/internal/analysis -run '^$' -bench Analyze -benchtime 3x
func BenchmarkAnalyze(b *testing.B) {
	size := int64(100)
	if v, err := strconv.ParseInt(os.Getenv("RELAIS_BENCH_MB"), 10, 64); err == nil && v > 0 {
		size = v
	}
	path := generatedFile(b, b.TempDir(), size<<20)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	resetPeakRSS(b)
	b.SetBytes(st.Size())
	b.ResetTimer()
	var rows int64
	cpu0 := cpuSeconds()
	for b.Loop() {
		p, err := Analyze(context.Background(), path, "generated.csv", DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		rows = p.RowCount
	}
	b.StopTimer()
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
	// On a shared machine the wall-clock MB/s depends on the neighbours;
	// MB per CPU-second of this process does less.
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkRows streams the rows of the same generated CSV and parses
// every cell, as the tabular load does.
func BenchmarkRows(b *testing.B) {
	path := generatedFile(b, b.TempDir(), 100<<20)
	p, err := Analyze(context.Background(), path, "generated.csv", DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	cpu0 := cpuSeconds()
	for b.Loop() {
		it, err := Rows(context.Background(), path, p, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		for {
			row, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			for i, c := range p.Columns {
				if _, err := Parse(c, row[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		it.Close()
	}
	b.ReportMetric(float64(st.Size())*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
}

// resetPeakRSS resets the kernel's high-water mark of the process's RSS
// (Linux: writing 5 to clear_refs), so that the peak measured is the
// analysis's, not the generator's.
func resetPeakRSS(tb testing.TB) {
	debug.FreeOSMemory() // the setup's garbage is not the analysis's
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("peak RSS not reset: %v", err)
	}
}

// peakRSSMiB reads VmHWM, the process's peak resident set.
func peakRSSMiB(tb testing.TB) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Logf("no /proc/self/status: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkAnalyzeSmall is the fixed cost of one analysis (a 150-byte
// CSV): what a catalogue of many small files pays per file.
func BenchmarkAnalyzeSmall(b *testing.B) {
	path := writeFile(b, "small.csv", []byte(frenchCSV))
	for b.Loop() {
		if _, err := Analyze(context.Background(), path, "small.csv", DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeLargeCells profiles 64 MB of rows holding a 1 MiB cell
// each (the catalogue export has a 1.75 MB description): the peak RSS
// stays bounded by the batches in flight, not by the file.
func BenchmarkAnalyzeLargeCells(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("id;description\n")
	cell := strings.Repeat("Lorem ipsum dolor sit amet; ", 1<<20/28)
	for i := range 64 {
		sb.WriteString(strconv.Itoa(i) + ";\"" + cell + "\"\n")
	}
	path := writeFile(b, "large-cells.csv", []byte(sb.String()))
	sb.Reset()
	resetPeakRSS(b)
	b.SetBytes(int64(64 << 20))
	for b.Loop() {
		if _, err := Analyze(context.Background(), path, "large-cells.csv", DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
}

// BenchmarkAnalyzeRealFiles profiles every real file of the sample tests
// (the 45 MB catalogue export among them); MB/s counts decompressed bytes.
func BenchmarkAnalyzeRealFiles(b *testing.B) {
	resetPeakRSS(b)
	var total int64
	cpu0 := cpuSeconds()
	for b.Loop() {
		total = 0
		for _, c := range sampleCases {
			path := filepath.Join(sharedData, c.file)
			p, err := Analyze(context.Background(), path, c.file, DefaultLimits())
			if err != nil {
				b.Fatalf("%s: %v", c.file, err)
			}
			total += max(p.Bytes, p.FileSize)
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
	b.ReportMetric(float64(total)*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
	b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
}
