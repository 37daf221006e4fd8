// Command workspace-server serves the Databricks CLI's own fake workspace (libs/testserver, the
// one its acceptance tests deploy against) on 127.0.0.1, so brickgate's tests can run the real
// CLI against it.
//
// It prints its URL as the first stdout line and serves until SIGTERM/SIGINT. Around the
// fake workspace it adds what brickgate's tests need:
//   - every request is logged as one JSON line (-log FILE, default stderr) and kept for
//     GET /__brickgate/requests;
//   - POST /__brickgate/queue {"pattern": "[METHOD ]/path", "status": 429, "body": "...",
//     "headers": {...}} queues one reply for that path, served before the fake workspace,
//     in order;
//   - a request the fake workspace has no handler for (and any other failure it reports) is
//     recorded and listed by GET /__brickgate/errors, so the test that caused it fails.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/databricks/cli/libs/testserver"
)

// harness satisfies the test interface testserver.New expects: failures are recorded for
// /__brickgate/errors instead of failing a Go test, cleanups run at shutdown.
type harness struct {
	mu       sync.Mutex
	errors   []string
	cleanups []func()
	ctx      context.Context
	logger   *log.Logger
}

func (h *harness) Log(args ...any)                 { h.logger.Print(args...) }
func (h *harness) Logf(format string, args ...any) { h.logger.Printf(format, args...) }
func (h *harness) Error(args ...any)               { h.fail(fmt.Sprint(args...)) }
func (h *harness) Errorf(format string, args ...any) {
	h.fail(fmt.Sprintf(format, args...))
}
func (h *harness) Fatal(args ...any)                 { h.fail(fmt.Sprint(args...)) }
func (h *harness) Fatalf(format string, args ...any) { h.fail(fmt.Sprintf(format, args...)) }
func (h *harness) Skip(args ...any)                  { h.fail("skip: " + fmt.Sprint(args...)) }
func (h *harness) Skipf(format string, args ...any)  { h.fail("skip: " + fmt.Sprintf(format, args...)) }
func (h *harness) FailNow()                          { h.fail("FailNow called") }
func (h *harness) Context() context.Context          { return h.ctx }
func (h *harness) Helper()                           {}

func (h *harness) Setenv(key, value string) {
	if err := os.Setenv(key, value); err != nil {
		h.fail(err.Error())
	}
}

func (h *harness) TempDir() string {
	dir, err := os.MkdirTemp("", "workspace-server-")
	if err != nil {
		h.fail(err.Error())
		return os.TempDir()
	}
	h.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func (h *harness) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}

func (h *harness) fail(message string) {
	h.logger.Print("ERROR: " + message)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errors = append(h.errors, message)
}

func (h *harness) shutdown() {
	h.mu.Lock()
	cleanups := h.cleanups
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
}

// reply is one queued answer for a path.
type reply struct {
	Pattern string            `json:"pattern"`
	Status  int               `json:"status"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
}

// entry is one logged request (never its headers: they carry the token).
type entry struct {
	Time     string `json:"time"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query,omitempty"`
	Status   int    `json:"status"`
	Queued   bool   `json:"queued,omitempty"`
	Duration int64  `json:"duration_ms"`
}

type front struct {
	next    http.Handler
	h       *harness
	mu      sync.Mutex
	queues  map[string][]reply
	entries []entry
	out     *json.Encoder
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/__brickgate/queue":
		f.queue(w, r)
		return
	case "/__brickgate/requests":
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, append([]entry{}, f.entries...))
		return
	case "/__brickgate/errors":
		f.h.mu.Lock()
		defer f.h.mu.Unlock()
		writeJSON(w, append([]string{}, f.h.errors...))
		return
	}
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	queued := f.serveQueued(rec, r)
	if !queued {
		f.next.ServeHTTP(rec, r)
	}
	f.log(entry{
		Time:     start.UTC().Format(time.RFC3339Nano),
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.RawQuery,
		Status:   rec.status,
		Queued:   queued,
		Duration: time.Since(start).Milliseconds(),
	})
}

func (f *front) queue(w http.ResponseWriter, r *http.Request) {
	var next reply
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &next)
	}
	if err == nil && (next.Status < 100 || !strings.Contains(next.Pattern, "/")) {
		err = fmt.Errorf("need a pattern \"[METHOD ]/path\" and a status, got %s", body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queues[next.Pattern] = append(f.queues[next.Pattern], next)
	writeJSON(w, map[string]int{"queued": len(f.queues[next.Pattern])})
}

// serveQueued answers with the first reply queued for "METHOD /path" or "/path", if any.
func (f *front) serveQueued(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	var found *reply
	for _, key := range []string{r.Method + " " + r.URL.Path, r.URL.Path} {
		if waiting := f.queues[key]; len(waiting) > 0 {
			found = &waiting[0]
			f.queues[key] = waiting[1:]
			break
		}
	}
	f.mu.Unlock()
	if found == nil {
		return false
	}
	for name, value := range found.Headers {
		w.Header().Set(name, value)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(found.Status)
	_, _ = io.WriteString(w, found.Body)
	return true
}

func (f *front) log(e entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, e)
	_ = f.out.Encode(e)
}

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(value)
}

func main() {
	logPath := flag.String("log", "", "append one JSON line per request to this file (default: stderr)")
	flag.Parse()
	logOut := io.Writer(os.Stderr)
	if *logPath != "" {
		file, err := os.OpenFile(*logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "workspace-server:", err)
			os.Exit(2)
		}
		defer file.Close()
		logOut = file
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	h := &harness{ctx: ctx, logger: log.New(os.Stderr, "workspace-server: ", 0)}
	server := testserver.New(h) // listens on 127.0.0.1 on a free port
	testserver.AddDefaultHandlers(server)
	// Set before the URL is printed, so before any client can connect.
	server.Config.Handler = &front{
		next: server.Config.Handler, h: h, queues: map[string][]reply{}, out: json.NewEncoder(logOut),
	}
	fmt.Println(server.URL)

	<-ctx.Done()
	h.shutdown()
}
