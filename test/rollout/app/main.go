// The keep-alive test app of `make rollout-proof`, written as a well-behaved app is: HTTP/1.1
// with persistent connections on :8080 (LISTEN overrides it), listening only after START_DELAY
// (default 3s, like the busybox app); it answers "ok" after `?work=DURATION` (at most 10s) of
// work. On SIGTERM (net/http's Server.Shutdown) it stops accepting connections, closes the idle
// keep-alive ones and answers the requests in flight with "Connection: close" before closing
// theirs; then it exits. One line to stdout at SIGTERM and at exit, with its connections.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	delay, err := time.ParseDuration(envOr("START_DELAY", "3s"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "app: START_DELAY:", err)
		os.Exit(2)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	var mu sync.Mutex
	terminating := false
	states := map[net.Conn]http.ConnState{}
	count := func() (idle, active int) {
		for _, s := range states {
			switch s {
			case http.StateIdle:
				idle++
			case http.StateNew, http.StateActive:
				active++
			}
		}
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if d, err := time.ParseDuration(r.URL.Query().Get("work")); err == nil && d > 0 && d <= 10*time.Second {
			time.Sleep(d)
		}
		mu.Lock()
		closing := terminating
		mu.Unlock()
		if closing {
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(c net.Conn, s http.ConnState) {
			mu.Lock()
			defer mu.Unlock()
			if s == http.StateClosed || s == http.StateHijacked {
				delete(states, c)
			} else {
				states[c] = s
			}
		},
	}

	select {
	case <-signals:
		return // SIGTERM before listening: nothing to drain
	case <-time.After(delay):
	}
	ln, err := net.Listen("tcp", envOr("LISTEN", ":8080"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		os.Exit(1)
	}
	go func() { _ = srv.Serve(ln) }()

	<-signals
	mu.Lock()
	terminating = true
	idle, active := count()
	mu.Unlock()
	fmt.Printf("app: SIGTERM: closing %d idle connections, finishing %d active ones\n", idle, active)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err = srv.Shutdown(ctx)
	fmt.Printf("app: drained in %d ms (%v), exiting\n", time.Since(start).Milliseconds(), err)
}

func envOr(name, dflt string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return dflt
}
