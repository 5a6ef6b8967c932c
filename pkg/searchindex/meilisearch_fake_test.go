package searchindex

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMeili is a FAKE Meilisearch server (no Meilisearch can run on this
// machine): it keeps indexes and their documents in memory, runs tasks
// (enqueued, then processing on the first poll, then succeeded or failed)
// and records every request so that tests assert what the adapter sent. It
// does not search: a test gives the search answers. Every body it writes has
// the shape of a real Meilisearch response, copied from the insta
// snapshots of Meilisearch's own tests (crates/meilisearch/tests: tasks,
// index creation, swap, pagination, multi-search, errors).
type fakeMeili struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	requests []fakeRequest
	indexes  map[string]*fakeIndex
	tasks    []*fakeTask
	// failTask, when set, fails the task of this type ("documentAdditionOrUpdate", …).
	failTask map[string]fakeAPIError
	// search answers a search body (one query of a multi-search) with a
	// result object; nil answers no hits.
	search func(body map[string]any) string
	// status, when set, answers every request but task polls with it.
	status int
	// delay holds every answer this long.
	delay time.Duration
	// pendingPolls is how many polls of a task answer "processing".
	pendingPolls int
}

type fakeRequest struct {
	Method, Path string
	Body         json.RawMessage
}

type fakeIndex struct {
	primaryKey string
	docs       map[string]map[string]any
	settings   json.RawMessage
}

type fakeTask struct {
	uid     int
	index   string // "" for swaps
	typ     string
	status  string
	polls   int
	apply   func() // runs when the task succeeds
	details string
	err     *fakeAPIError
}

type fakeAPIError struct{ Message, Code, Type string }

func newFakeMeili(t testing.TB) *fakeMeili {
	f := &fakeMeili{t: t, indexes: map[string]*fakeIndex{}, failTask: map[string]fakeAPIError{}, pendingPolls: 1}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMeili) URL() string { return f.srv.URL }

// Requests returns the recorded requests other than task polls.
func (f *fakeMeili) Requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if !strings.HasPrefix(r.Path, "/tasks/") {
			out = append(out, r)
		}
	}
	return out
}

// Bodies returns the bodies of the requests to method path.
func (f *fakeMeili) Bodies(method, path string) []json.RawMessage {
	var out []json.RawMessage
	for _, r := range f.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r.Body)
		}
	}
	return out
}

// set changes the fake's behaviour or state while it serves.
func (f *fakeMeili) set(change func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
}

// indexUIDs lists the indexes, sorted.
func (f *fakeMeili) indexUIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	uids := make([]string, 0, len(f.indexes))
	for uid := range f.indexes {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	return uids
}

// docIDs lists the document ids of an index, sorted.
func (f *fakeMeili) docIDs(uid string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.indexes[uid].docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (f *fakeMeili) docCount(uid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ix := f.indexes[uid]; ix != nil {
		return len(ix.docs)
	}
	return -1
}

func (f *fakeMeili) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, Body: body})
	status, delay := f.status, f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if status != 0 && !strings.HasPrefix(r.URL.Path, "/tasks/") {
		w.WriteHeader(status)
		if status >= 500 {
			_, _ = io.WriteString(w, `{"message":"internal error","code":"internal","type":"internal","link":"https://docs.meilisearch.com/errors#internal"}`)
		}
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	code, answer := f.route(r.Method, r.URL.Path, body)
	w.WriteHeader(code)
	_, _ = io.WriteString(w, answer)
}

// route answers one request; f.mu is held.
func (f *fakeMeili) route(method, path string, body []byte) (int, string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "tasks":
		uid, err := strconv.Atoi(parts[1])
		if err != nil || uid >= len(f.tasks) {
			return 404, apiErrorJSON(fakeAPIError{Message: fmt.Sprintf("Task `%s` not found.", parts[1]), Code: "task_not_found", Type: "invalid_request"})
		}
		return 200, f.poll(f.tasks[uid])
	case method == http.MethodGet && path == "/indexes":
		uids := make([]string, 0, len(f.indexes))
		for uid := range f.indexes {
			uids = append(uids, uid)
		}
		slices.Sort(uids)
		results := make([]string, len(uids))
		for i, uid := range uids {
			results[i] = f.indexJSON(uid)
		}
		return 200, fmt.Sprintf(`{"results":[%s],"offset":0,"limit":%d,"total":%d}`, strings.Join(results, ","), max(20, len(uids)), len(uids))
	case method == http.MethodPost && path == "/indexes":
		var req struct {
			UID        string `json:"uid"`
			PrimaryKey string `json:"primaryKey"`
		}
		f.decode(body, &req)
		return 202, f.enqueue(req.UID, "indexCreation", fmt.Sprintf(`{"primaryKey":%q}`, req.PrimaryKey), func() *fakeAPIError {
			if f.indexes[req.UID] != nil {
				return &fakeAPIError{Message: fmt.Sprintf("Index `%s` already exists.", req.UID), Code: "index_already_exists", Type: "invalid_request"}
			}
			f.indexes[req.UID] = &fakeIndex{primaryKey: req.PrimaryKey, docs: map[string]map[string]any{}}
			return nil
		})
	case method == http.MethodPost && path == "/swap-indexes":
		var req []struct {
			Indexes []string `json:"indexes"`
		}
		f.decode(body, &req)
		return 202, f.enqueue("", "indexSwap", `{"swaps":`+string(body)+`}`, func() *fakeAPIError {
			for _, s := range req {
				a, b := f.indexes[s.Indexes[0]], f.indexes[s.Indexes[1]]
				if a == nil || b == nil {
					return &fakeAPIError{Message: fmt.Sprintf("Indexes `%s`, `%s` not found.", s.Indexes[0], s.Indexes[1]), Code: "index_not_found", Type: "invalid_request"}
				}
				f.indexes[s.Indexes[0]], f.indexes[s.Indexes[1]] = b, a
			}
			return nil
		})
	case method == http.MethodPost && path == "/multi-search":
		var req struct {
			Queries []map[string]any `json:"queries"`
		}
		f.decode(body, &req)
		results := make([]string, 0, len(req.Queries))
		for _, q := range req.Queries {
			results = append(results, f.answer(q))
		}
		return 200, `{"results":[` + strings.Join(results, ",") + `]}`
	case len(parts) >= 2 && parts[0] == "indexes":
		return f.routeIndex(method, parts[1], strings.Join(parts[2:], "/"), body)
	}
	return 404, apiErrorJSON(fakeAPIError{Message: "Not found: " + method + " " + path, Code: "bad_request", Type: "invalid_request"})
}

func (f *fakeMeili) routeIndex(method, uid, rest string, body []byte) (int, string) {
	ix := f.indexes[uid]
	notFound := fakeAPIError{Message: fmt.Sprintf("Index `%s` not found.", uid), Code: "index_not_found", Type: "invalid_request"}
	exists := func() *fakeAPIError {
		if f.indexes[uid] == nil {
			return &notFound
		}
		return nil
	}
	switch {
	case method == http.MethodGet && rest == "":
		if ix == nil {
			return 404, apiErrorJSON(notFound)
		}
		return 200, f.indexJSON(uid)
	case method == http.MethodDelete && rest == "":
		n := 0
		if ix != nil {
			n = len(ix.docs)
		}
		return 202, f.enqueue(uid, "indexDeletion", fmt.Sprintf(`{"deletedDocuments":%d}`, n), func() *fakeAPIError {
			if e := exists(); e != nil {
				return e
			}
			delete(f.indexes, uid)
			return nil
		})
	case method == http.MethodPatch && rest == "settings":
		return 202, f.enqueue(uid, "settingsUpdate", string(body), func() *fakeAPIError {
			if f.indexes[uid] == nil { // Meilisearch creates the index
				f.indexes[uid] = &fakeIndex{docs: map[string]map[string]any{}}
			}
			f.indexes[uid].settings = body
			return nil
		})
	case method == http.MethodPost && rest == "documents":
		var docs []map[string]any
		f.decode(body, &docs)
		return 202, f.enqueue(uid, "documentAdditionOrUpdate", fmt.Sprintf(`{"receivedDocuments":%d,"indexedDocuments":%d}`, len(docs), len(docs)), func() *fakeAPIError {
			if f.indexes[uid] == nil {
				f.indexes[uid] = &fakeIndex{primaryKey: "id", docs: map[string]map[string]any{}}
			}
			for _, d := range docs {
				f.indexes[uid].docs[fmt.Sprint(d["id"])] = d
			}
			return nil
		})
	case method == http.MethodPost && rest == "documents/delete-batch":
		var ids []string
		f.decode(body, &ids)
		return 202, f.enqueue(uid, "documentDeletion", fmt.Sprintf(`{"providedIds":%d,"deletedDocuments":%d,"originalFilter":null}`, len(ids), len(ids)), func() *fakeAPIError {
			if e := exists(); e != nil {
				return e
			}
			for _, id := range ids {
				delete(f.indexes[uid].docs, id)
			}
			return nil
		})
	case method == http.MethodGet && rest == "stats":
		if ix == nil {
			return 404, apiErrorJSON(notFound)
		}
		return 200, fmt.Sprintf(`{"numberOfDocuments":%d,"rawDocumentDbSize":4096,"avgDocumentSize":512,"isIndexing":false,"numberOfEmbeddings":0,"numberOfEmbeddedDocuments":0,"fieldDistribution":{"id":%d}}`, len(ix.docs), len(ix.docs))
	case method == http.MethodPost && rest == "search":
		if ix == nil {
			return 404, apiErrorJSON(notFound)
		}
		var q map[string]any
		f.decode(body, &q)
		return 200, f.answer(q)
	}
	return 404, apiErrorJSON(fakeAPIError{Message: "Not found: " + method + " /indexes/" + uid + "/" + rest, Code: "bad_request", Type: "invalid_request"})
}

// indexJSON is the index object of GET /indexes/:uid.
func (f *fakeMeili) indexJSON(uid string) string {
	pk := "null"
	if f.indexes[uid].primaryKey != "" {
		pk = strconv.Quote(f.indexes[uid].primaryKey)
	}
	return fmt.Sprintf(`{"uid":%q,"createdAt":"2026-11-27T01:00:00.000000Z","updatedAt":"2026-11-27T01:00:00.000000Z","primaryKey":%s}`, uid, pk)
}

// answer is the result object of one search, in the shape of Meilisearch's
// page-based pagination (hitsPerPage, page, totalPages, totalHits).
func (f *fakeMeili) answer(q map[string]any) string {
	if f.search != nil {
		return f.search(q)
	}
	hitsPerPage, _ := q["hitsPerPage"].(float64)
	page, _ := q["page"].(float64)
	uid := ""
	if s, ok := q["indexUid"].(string); ok {
		uid = fmt.Sprintf(`"indexUid":%q,`, s)
	}
	return fmt.Sprintf(`{%s"hits":[],"query":%q,"processingTimeMs":0,"hitsPerPage":%d,"page":%d,"totalPages":0,"totalHits":0,"requestUid":"0199c8d4-5a04-7c20-9a3e-6b0d4e0f1a2b"}`,
		uid, q["q"], int(hitsPerPage), int(page))
}

// enqueue registers a task whose effect, run returns an error or applies
// the change, happens when the task succeeds; it answers the summarized
// task Meilisearch returns with 202 Accepted.
func (f *fakeMeili) enqueue(index, typ, details string, run func() *fakeAPIError) string {
	task := &fakeTask{uid: len(f.tasks), index: index, typ: typ, status: "enqueued", details: details}
	task.apply = func() {
		if e, ok := f.failTask[typ]; ok {
			task.err = &e
			return
		}
		task.err = run()
	}
	f.tasks = append(f.tasks, task)
	indexUID := "null"
	if index != "" {
		indexUID = strconv.Quote(index)
	}
	return fmt.Sprintf(`{"taskUid":%d,"indexUid":%s,"status":"enqueued","type":%q,"enqueuedAt":"2026-11-27T01:00:00.000000Z"}`, task.uid, indexUID, typ)
}

// poll answers GET /tasks/:uid: processing for pendingPolls polls, then
// the task done, with its error when it failed.
func (f *fakeMeili) poll(t *fakeTask) string {
	t.polls++
	if t.status == "enqueued" || t.status == "processing" {
		if t.polls <= f.pendingPolls {
			t.status = "processing"
		} else {
			t.apply()
			t.status = "succeeded"
			if t.err != nil {
				t.status = "failed"
			}
		}
	}
	indexUID := "null"
	if t.index != "" {
		indexUID = strconv.Quote(t.index)
	}
	errJSON, finished, duration := "null", `"2026-11-27T01:00:00.200000Z"`, `"PT0.2S"`
	if t.err != nil {
		errJSON = apiErrorJSON(*t.err)
	}
	if t.status == "processing" {
		finished, duration = "null", "null"
	}
	return fmt.Sprintf(`{"uid":%d,"batchUid":%d,"indexUid":%s,"status":%q,"type":%q,"canceledBy":null,"details":%s,"error":%s,"duration":%s,"enqueuedAt":"2026-11-27T01:00:00.000000Z","startedAt":"2026-11-27T01:00:00.100000Z","finishedAt":%s}`,
		t.uid, t.uid, indexUID, t.status, t.typ, t.details, errJSON, duration, finished)
}

func apiErrorJSON(e fakeAPIError) string {
	b, _ := json.Marshal(map[string]string{
		"message": e.Message, "code": e.Code, "type": e.Type,
		"link": "https://docs.meilisearch.com/errors#" + e.Code,
	})
	return string(b)
}

func (f *fakeMeili) decode(body []byte, v any) {
	if err := json.Unmarshal(body, v); err != nil {
		f.t.Errorf("fake meilisearch: request body %.200s: %v", body, err)
	}
}
