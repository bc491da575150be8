// Command anchor measures Go's golang.org/x/oauth2 ReuseTokenSource, the anchor Benchmarks/compare
// sets beside oauthtop's token manager:
//
//	anchor hotpath -threads N   Token() on a cached, valid token: ns per call on each of N goroutines,
//	                            each making the full count (so "flat" means the same figure for 1 and 2)
//	anchor flight               -callers goroutines call Token() on an expired token while a loopback
//	                            token endpoint answers in -latency: ms until all have a token, and the
//	                            number of endpoint requests
//
// Each prints one line per figure: "name<TAB>median<TAB>unit<TAB>sample sample ...". Only 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: anchor hotpath|flight [flags]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	threads := flags.Int("threads", 1, "hotpath: goroutines, each making the full count")
	iterations := flags.Int("n", 1_000_000, "hotpath: Token() calls per goroutine and repetition")
	callers := flags.Int("callers", 10_000, "flight: goroutines calling Token() on the expired token")
	latency := flags.Duration("latency", 5*time.Millisecond, "flight: the token endpoint's answer time")
	repetitions := flags.Int("reps", 15, "repetitions; the median is reported")
	_ = flags.Parse(os.Args[2:])
	switch os.Args[1] {
	case "hotpath":
		hotPath(*threads, *iterations, *repetitions)
	case "flight":
		flight(*callers, *latency, *repetitions)
	default:
		fmt.Fprintf(os.Stderr, "anchor: unknown mode %q\n", os.Args[1])
		os.Exit(2)
	}
}

// report prints a figure's median and its samples.
func report(name, unit string, samples []float64) {
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	text := make([]string, len(samples))
	for index, sample := range samples {
		text[index] = fmt.Sprintf("%.2f", sample)
	}
	fmt.Printf("%s\t%.2f\t%s\t%s\n", name, median, unit, strings.Join(text, " "))
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, fmt.Errorf("the hot path must not refresh") }

func hotPath(threads, iterations, repetitions int) {
	token := &oauth2.Token{AccessToken: "cached", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	source := oauth2.ReuseTokenSource(token, failingSource{})
	var sink atomic.Pointer[oauth2.Token]
	run := func() time.Duration {
		var group sync.WaitGroup
		start := time.Now()
		for thread := 0; thread < threads; thread++ {
			group.Add(1)
			go func() {
				defer group.Done()
				var last *oauth2.Token
				for index := 0; index < iterations; index++ {
					last, _ = source.Token()
				}
				sink.Store(last)
			}()
		}
		group.Wait()
		return time.Since(start)
	}
	run() // warm-up
	var before, after runtime.MemStats
	samples := make([]float64, 0, repetitions)
	runtime.ReadMemStats(&before)
	for repetition := 0; repetition < repetitions; repetition++ {
		samples = append(samples, float64(run().Nanoseconds())/float64(iterations))
	}
	runtime.ReadMemStats(&after)
	report(fmt.Sprintf("go.hotpath.%d", threads), "ns", samples)
	mallocs := float64(after.Mallocs-before.Mallocs) / float64(repetitions*threads*iterations)
	report(fmt.Sprintf("go.hotpath.%d.mallocs", threads), "count", []float64{mallocs})
}

func flight(callers int, latency time.Duration, repetitions int) {
	var requests atomic.Int64
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "anchor:", err)
		os.Exit(1)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(writer http.ResponseWriter, request *http.Request) {
		requests.Add(1)
		time.Sleep(latency)
		writer.Header().Set("Content-Type", "application/json")
		fmt.Fprint(writer, `{"access_token":"fresh-token","token_type":"Bearer","expires_in":3600}`)
	})}
	go func() { _ = server.Serve(listener) }()
	defer server.Close()

	configuration := clientcredentials.Config{
		ClientID: "bench", ClientSecret: "bench-secret", TokenURL: "http://" + listener.Addr().String() + "/token",
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	background := context.Background()
	run := func() (time.Duration, int64) {
		expired := &oauth2.Token{AccessToken: "stale", TokenType: "Bearer", Expiry: time.Now().Add(-time.Second)}
		source := oauth2.ReuseTokenSource(expired, configuration.TokenSource(background))
		before := requests.Load()
		var group sync.WaitGroup
		var failures atomic.Int64
		start := time.Now()
		for caller := 0; caller < callers; caller++ {
			group.Add(1)
			go func() {
				defer group.Done()
				if token, err := source.Token(); err != nil || token.AccessToken != "fresh-token" {
					failures.Add(1)
				}
			}()
		}
		group.Wait()
		elapsed := time.Since(start)
		if failures.Load() > 0 {
			fmt.Fprintf(os.Stderr, "anchor: %d callers got no fresh token\n", failures.Load())
			os.Exit(1)
		}
		return elapsed, requests.Load() - before
	}
	run() // warm-up: connection and goroutine stacks
	samples := make([]float64, 0, repetitions)
	counts := make([]float64, 0, repetitions)
	for repetition := 0; repetition < repetitions; repetition++ {
		elapsed, count := run()
		samples = append(samples, float64(elapsed.Nanoseconds())/1e6)
		counts = append(counts, float64(count))
	}
	report(fmt.Sprintf("go.flight.%d", callers), "ms", samples)
	report(fmt.Sprintf("go.flight.%d.requests", callers), "count", counts)
}
