// Command benchtable turns the output of `go test -bench -benchmem` into
// the one markdown table `make bench` prints. A row per benchmark: first
// the card operations of internal/pcscpath's BenchmarkCardOps (operation,
// path pcsc or loopback, reader short or extended, APDUs, response data
// bytes, all bytes, time per operation), then every other benchmark (the
// revocation benchmarks of jpki/revocation: time per operation, which is
// the load-and-index time or the lookup time, peak memory, and their other
// metrics), all with the allocation figures of -benchmem.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem ./... | go run ./scripts/benchtable
//	go run ./scripts/benchtable FILE...
//
// It reads standard input when no file is named. It fails when the input
// holds a failed test or benchmark, or no benchmark result at all.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Units written by the benchmarks that the table knows by name.
const (
	unitTime   = "ns/op"
	unitAlloc  = "B/op"
	unitAllocs = "allocs/op"
	// unitAPDUs, unitCardBytes (command and response APDUs, headers and
	// status words included) and unitDataBytes (response data only) are
	// reported by BenchmarkCardOps.
	unitAPDUs     = "apdus/op"
	unitCardBytes = "cardbytes/op"
	unitDataBytes = "databytes/op"
	// unitTarget is the APDU target of the operation (its fixed
	// APDUs plus one READ per 256 data bytes, or one extended READ).
	unitTarget = "targetapdus/op"
)

// cardOpsPrefix names the card benchmark, whose sub-benchmarks are
// path/reader/operation.
const cardOpsPrefix = "CardOps/"

// ErrFailed reports input that holds a failed test or benchmark.
var ErrFailed = errors.New("benchmark run failed")

// ErrNoResults reports input without any benchmark result line.
var ErrNoResults = errors.New("no benchmark results")

// Result is one benchmark result line, or the mean of its repeats.
type Result struct {
	// Pkg is the import path from the preceding "pkg:" line.
	Pkg string
	// Name is the benchmark name without "Benchmark" and the -GOMAXPROCS
	// suffix, such as "CardOps/pcsc/short/ReadAuthCert".
	Name string
	// Runs is how many result lines were averaged.
	Runs int
	// Metrics maps each unit to its value; Units keeps their order.
	Metrics map[string]float64
	Units   []string
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(files []string, stdin io.Reader, stdout io.Writer) error {
	var in []io.Reader
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = append(in, f)
	}
	if len(in) == 0 {
		in = append(in, stdin)
	}
	results, err := Parse(io.MultiReader(in...))
	if err != nil {
		return err
	}
	return Render(stdout, results)
}

// Parse reads `go test -bench` output and returns its results in the order
// they first appear, repeats (-count) averaged. Lines that are not results
// are skipped; a line saying a test or benchmark failed is an error
// wrapping ErrFailed.
func Parse(r io.Reader) ([]Result, error) {
	var (
		pkg     string
		out     []Result
		index   = map[string]int{}
		failure []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
			continue
		case strings.HasPrefix(line, "--- FAIL"), strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "panic: "):
			failure = append(failure, line)
			continue
		}
		res, ok := parseLine(line)
		if !ok {
			continue
		}
		res.Pkg = pkg
		key := pkg + "\x00" + res.Name
		i, seen := index[key]
		if !seen {
			index[key] = len(out)
			out = append(out, res)
			continue
		}
		out[i].merge(res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading benchmark output: %w", err)
	}
	if len(failure) > 0 {
		return out, fmt.Errorf("%w: %s", ErrFailed, strings.Join(failure, "; "))
	}
	if len(out) == 0 {
		return nil, ErrNoResults
	}
	return out, nil
}

// parseLine parses "BenchmarkName-2  N  v unit  v unit ...".
func parseLine(line string) (Result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return Result{}, false
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return Result{}, false
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	if name == "" {
		return Result{}, false
	}
	res := Result{Name: name, Runs: 1, Metrics: map[string]float64{}}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, false
		}
		unit := f[i+1]
		if _, dup := res.Metrics[unit]; !dup {
			res.Units = append(res.Units, unit)
		}
		res.Metrics[unit] = v
	}
	return res, true
}

// merge folds o, a repeat of the same benchmark, into the running mean.
func (r *Result) merge(o Result) {
	n := float64(r.Runs)
	for _, u := range o.Units {
		old, ok := r.Metrics[u]
		if !ok {
			r.Units = append(r.Units, u)
			r.Metrics[u] = o.Metrics[u]
			continue
		}
		r.Metrics[u] = (old*n + o.Metrics[u]) / (n + 1)
	}
	r.Runs++
}
