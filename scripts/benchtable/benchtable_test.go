package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/mynacard/mynacard/internal/pcscpath
cpu: AMD EPYC
BenchmarkCardOps/pcsc/short/ReadAuthCert-2         	      50	   1062428 ns/op	         7.000 apdus/op	      1340 cardbytes/op	      1291 databytes/op	7 targetapdus/op	  523411 B/op	     112 allocs/op
BenchmarkCardOps/pcsc/extended/ReadAuthCert-2      	      50	   1959484 ns/op	         3.000 apdus/op	      1314 cardbytes/op	      1291 databytes/op	  225699 B/op	      55 allocs/op
BenchmarkCardOps/loopback/extended/PINStatus-2              	      50	      2134 ns/op	         3.000 apdus/op	        32.00 cardbytes/op	     408 B/op	      20 allocs/op
PASS
ok  	github.com/mynacard/mynacard/internal/pcscpath	4.536s
goos: linux
pkg: github.com/mynacard/mynacard/jpki/revocation
BenchmarkLoad/streaming/1000000-2         	       1	1500000000 ns/op	   2000000 entries/s	        40.50 peak-MiB	        12.00 bytes/entry	52428800 B/op	     100 allocs/op
BenchmarkLookup-2   	 9000000	       120.5 ns/op	       0 B/op	       0 allocs/op
BenchmarkLookup-2   	 9000000	       130.5 ns/op	       0 B/op	       0 allocs/op
ok  	github.com/mynacard/mynacard/jpki/revocation	9.1s
`

func TestParse(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i     int
		pkg   string
		name  string
		runs  int
		unit  string
		value float64
	}{
		{0, "github.com/mynacard/mynacard/internal/pcscpath", "CardOps/pcsc/short/ReadAuthCert", 1, unitAPDUs, 7},
		{1, "github.com/mynacard/mynacard/internal/pcscpath", "CardOps/pcsc/extended/ReadAuthCert", 1, unitCardBytes, 1314},
		{2, "github.com/mynacard/mynacard/internal/pcscpath", "CardOps/loopback/extended/PINStatus", 1, unitTime, 2134},
		{3, "github.com/mynacard/mynacard/jpki/revocation", "Load/streaming/1000000", 1, "peak-MiB", 40.5},
		{4, "github.com/mynacard/mynacard/jpki/revocation", "Lookup", 2, unitTime, 125.5}, // mean of repeats
	}
	if len(rs) != len(tests) {
		t.Fatalf("Parse gave %d results, want %d: %+v", len(rs), len(tests), rs)
	}
	for _, tt := range tests {
		r := rs[tt.i]
		if r.Pkg != tt.pkg || r.Name != tt.name || r.Runs != tt.runs || r.Metrics[tt.unit] != tt.value {
			t.Errorf("result %d = %s %s runs %d %s=%v; want %s %s runs %d %v", tt.i, r.Pkg, r.Name, r.Runs, tt.unit, r.Metrics[tt.unit],
				tt.pkg, tt.name, tt.runs, tt.value)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrNoResults},
		{"no results", "goos: linux\nPASS\nok x 1s\n", ErrNoResults},
		{"failed benchmark", sample + "--- FAIL: BenchmarkCardOps/pcsc/short/Sign\nFAIL\n", ErrFailed},
		{"panic", "panic: boom\n", ErrFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(tt.in)); !errors.Is(err, tt.want) {
				t.Errorf("Parse = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseLineRejects(t *testing.T) {
	for _, line := range []string{
		"BenchmarkX-2",
		"BenchmarkX-2 ten 5 ns/op",
		"BenchmarkX-2 10 5 ns/op extra",
		"BenchmarkX-2 10 NaN ns/op",
		"Benchmark-2 10 5 ns/op",
		"    log line from a benchmark",
	} {
		if r, ok := parseLine(line); ok {
			t.Errorf("parseLine(%q) = %+v, want no result", line, r)
		}
	}
	if r, ok := parseLine("BenchmarkA/b-c-2 10 5 ns/op"); !ok || r.Name != "A/b-c" {
		t.Errorf("parseLine kept name %q, want A/b-c", r.Name)
	}
}

func TestRender(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Render(&b, rs); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"| operation | path | reader | APDUs | target APDUs | data bytes | bytes | time/op | peak memory | B/op | allocs/op | other |",
		"| ReadAuthCert | pcsc | short | 7 | 7 | 1291 | 1340 | 1.06 ms | – | 511.1 KiB | 112 | – |",
		"| ReadAuthCert | pcsc | extended | 3 | – | 1291 | 1314 | 1.96 ms | – | 220.4 KiB | 55 | – |",
		"| PINStatus | loopback | extended | 3 | – | – | 32 | 2.13 µs | – | 408 B | 20 | – |",
		"| Load/streaming/1000000 | revocation | – | – | – | – | – | 1.50 s | 40.5 MiB | 50.0 MiB | 100 | 2000000 entries/s, 12 bytes/entry |",
		"| Lookup | revocation | – | – | – | – | – | 126 ns | – | 0 B | 0 | – |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks the line\n%s\ngot:\n%s", want, got)
		}
	}
	// Rows of one operation stay together.
	if strings.Index(got, "| PINStatus") < strings.Index(got, "| ReadAuthCert | pcsc | extended") {
		t.Errorf("operations out of order:\n%s", got)
	}
}

func TestFormatNanos(t *testing.T) {
	for _, tt := range []struct {
		ns   float64
		want string
	}{
		{0, "0.00 ns"}, {27.92, "27.9 ns"}, {125.5, "126 ns"}, {2134, "2.13 µs"}, {715500, "716 µs"},
		{1062428, "1.06 ms"}, {248030000, "248 ms"}, {9.8e9, "9.80 s"}, {123e9, "123 s"},
	} {
		if got := formatNanos(tt.ns); got != tt.want {
			t.Errorf("formatNanos(%v) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(nil, strings.NewReader(sample), &out); err != nil || !strings.HasPrefix(out.String(), "| operation |") || strings.Count(out.String(), "| operation |") != 1 {
		t.Fatalf("run = %v\n%s", err, out.String())
	}
	if err := run([]string{"/nonexistent/bench.txt"}, nil, &out); err == nil {
		t.Error("run with a missing file succeeded")
	}
}

// FuzzParse feeds arbitrary text to Parse and Render: errors are fine,
// panics are not.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("BenchmarkCardOps/a/b/c-2 1 1 ns/op\n")
	f.Add("BenchmarkCardOps/a-2 1 1 ns/op 3 apdus/op\n")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := Render(&b, rs); err != nil {
			t.Fatal(err)
		}
	})
}
