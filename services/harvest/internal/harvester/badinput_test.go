package harvester_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/harvest/internal/harvester"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// pages serves /api/1/datasets/ pages from a function of the page number.
func pages(fn func(w http.ResponseWriter, r *http.Request, page string)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Query().Get("page")
		if p == "" {
			p = "1"
		}
		fn(w, r, p)
	}))
}

func next(r *http.Request, page int) string {
	return fmt.Sprintf(`"http://%s/api/1/datasets/?page=%d"`, r.Host, page)
}

func dataset(id, title, license string) string {
	return fmt.Sprintf(`{"id":%q,"title":%q,"description":"d","license":%q,"resources":[{"id":"r-%s","title":"f.csv","url":"https://example.org/%s.csv","format":"csv"}]}`,
		id, title, license, id, id)
}

func TestItemsWithoutTitleOrLicenceAreReportedAndTheRunGoesOn(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	broken := false
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		title := "Fine"
		if broken {
			title = ""
		}
		fmt.Fprintf(w, `{"data":[%s,%s,%s,{"id":42,"title":["not a string"]}],"next_page":null}`,
			dataset("a1", title, "lov2"), dataset("a2", "", "lov2"), dataset("a3", "No licence", ""))
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, true, "")
	rep := e.run(t, "s")
	require.Equal(t, store.RunDone, rep.Status)
	assert.Equal(t, int64(2), rep.Counts[store.Create][store.ItemApplied])
	assert.Equal(t, int64(2), rep.Counts[store.Fail][store.ItemFailed])
	items, err := e.store.Items(context.Background(), rep.ID, "")
	require.NoError(t, err)
	reasons := map[string]string{}
	for _, it := range items {
		reasons[it.RemoteID] = it.Reason
	}
	assert.Equal(t, "no title", reasons["a2"])
	assert.Contains(t, reasons["42"], "malformed dataset")
	assert.Equal(t, "no licence at the source: notspecified", reasons["a3"])
	for _, d := range e.datasets(t) {
		if d.GetTitle() == "No licence" {
			assert.Equal(t, "notspecified", d.GetLicense())
		}
	}

	// A harvested dataset that loses its title at the source is reported,
	// not archived.
	rep = e.run(t, "s")
	require.Empty(t, rep.Counts[store.Create])
	broken = true
	rep = e.run(t, "s")
	assert.Equal(t, int64(3), rep.Counts[store.Fail][store.ItemFailed])
	assert.Empty(t, rep.Counts[store.Archive])
}

func TestASourceFailingMidRunKeepsWhatWasReadAndArchivesNothing(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	broken := false
	srv := pages(func(w http.ResponseWriter, r *http.Request, page string) {
		switch {
		case page == "1":
			fmt.Fprintf(w, `{"data":[%s],"next_page":%s}`, dataset("b1", "One", "lov2"), next(r, 2))
		case broken:
			fmt.Fprint(w, `{"data":[{"id":`) // malformed JSON
		default:
			fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, dataset("b2", "Two", "lov2"))
		}
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, true, "")
	require.Equal(t, int64(2), e.run(t, "s").Counts[store.Create][store.ItemApplied])

	broken = true
	rep := e.run(t, "s")
	assert.Equal(t, store.RunDone, rep.Status)
	assert.Contains(t, rep.Error, "malformed JSON")
	assert.Contains(t, rep.Error, "nothing archived")
	assert.Empty(t, rep.Counts[store.Archive], "b2 is not known to be gone")
	assert.Equal(t, int64(1), rep.Skipped)
}

func TestPagingThatLoopsEnds(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	srv := pages(func(w http.ResponseWriter, r *http.Request, page string) {
		n := 2
		if page == "2" {
			n = 1 // back to the first page
		}
		fmt.Fprintf(w, `{"data":[%s],"next_page":%s}`, dataset("l"+page, "Page "+page, "lov2"), next(r, n))
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, true, "")
	rep := e.run(t, "s")
	assert.Contains(t, rep.Error, remote.ErrPaging.Error())
	assert.Equal(t, int64(2), rep.Counts[store.Create][store.ItemApplied])
}

func TestSSRFAndTimeoutsFailTheRunWithTheirReason(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	slow := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	defer slow.Close()
	guarded, err := safehttp.New(safehttp.Config{Timeout: 500 * time.Millisecond})
	require.NoError(t, err)
	open, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}, Timeout: 500 * time.Millisecond})
	require.NoError(t, err)
	e.h.Open = func(src store.Source) (remote.Source, error) {
		if strings.Contains(src.URL, "127.0.0.1") && src.ID == "slow" {
			return remote.Open(src.Kind, src.URL, src.ParamsJSON, open)
		}
		return remote.Open(src.Kind, src.URL, src.ParamsJSON, guarded)
	}
	for id, url := range map[string]string{
		"loopback": slow.URL, "metadata": "http://169.254.169.254", "private": "http://10.0.0.1", "file": "file:///etc/passwd", "slow": slow.URL,
	} {
		addSource(t, e, id, url, true, "")
		rep := e.run(t, id)
		assert.Equal(t, store.RunFailed, rep.Status, id)
		if id == "slow" {
			assert.Contains(t, rep.Error, "timed out", id)
		} else {
			assert.Contains(t, rep.Error, "forbidden", id)
		}
	}
}

func TestASupervisedRunWaitsForApprovalPerItem(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		fmt.Fprintf(w, `{"data":[%s,%s,%s],"next_page":null}`, dataset("c1", "One", "lov2"), dataset("c2", "Two", "lov2"), dataset("c3", "Three", "lov2"))
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, false, "")
	rep := e.run(t, "s")
	require.Equal(t, store.RunPlanned, rep.Status)
	assert.Equal(t, int64(3), rep.Counts[store.Create][store.ItemPlanned])
	assert.Empty(t, e.datasets(t), "nothing written before approval")

	ctx := context.Background()
	n, err := e.h.Approve(ctx, rep.ID, []int64{1, 3})
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	require.NoError(t, e.h.Execute(ctx, rep.ID))
	rep, err = e.store.Report(ctx, rep.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RunDone, rep.Status)
	assert.Equal(t, map[string]int64{store.ItemApplied: 2, store.ItemRejected: 1}, rep.Counts[store.Create])
	assert.Len(t, e.datasets(t), 2)
	_, err = e.h.Approve(ctx, rep.ID, nil)
	require.Error(t, err, "a done run cannot be approved again")

	// The rejected one is planned again by the next run.
	rep = e.run(t, "s")
	assert.Equal(t, int64(1), rep.Counts[store.Create][store.ItemPlanned])
}

func TestAResumedRunDoesNotDuplicateWhatItAlreadyWrote(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		fmt.Fprintf(w, `{"data":[%s,%s],"next_page":null}`, dataset("d1", "One", "lov2"), dataset("d2", "Two", "lov2"))
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, false, "")
	ctx := context.Background()
	rep := e.run(t, "s")
	_, err := e.h.Approve(ctx, rep.ID, nil)
	require.NoError(t, err)

	// A first process applies with a catalog that goes away as it writes
	// both datasets: the run stops, applying, with them written.
	cat := e.h.Catalog
	e.h.Catalog = &failAfter{CatalogServiceClient: cat}
	require.Error(t, e.h.Execute(ctx, rep.ID))
	run, err := e.store.GetRun(ctx, rep.ID)
	require.NoError(t, err)
	require.Equal(t, store.RunApplying, run.Status)
	require.Len(t, e.datasets(t), 2, "written, not recorded")

	// The next process resumes it.
	e.h.Catalog = cat
	require.NoError(t, e.h.Execute(ctx, rep.ID))
	rep, err = e.store.Report(ctx, rep.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RunDone, rep.Status)
	assert.Equal(t, int64(2), rep.Counts[store.Create][store.ItemApplied])
	assert.Len(t, e.datasets(t), 2)
}

func TestGiganticPagesAndASourceGoneMidRun(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	gone := false
	srv := pages(func(w http.ResponseWriter, r *http.Request, page string) {
		switch {
		case r.URL.Query().Get("organization") == "huge":
			fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, dataset("h", strings.Repeat("x", 4096), "lov2"))
		case page == "1":
			fmt.Fprintf(w, `{"data":[%s],"next_page":%s}`, dataset("g1", "One", "lov2"), next(r, 2))
		case gone:
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close() // the source goes away
		default:
			fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, dataset("g2", "Two", "lov2"))
		}
	})
	defer srv.Close()
	small, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}, MaxBytes: 2048})
	require.NoError(t, err)
	e.h.Open = func(src store.Source) (remote.Source, error) {
		return remote.Open(src.Kind, src.URL, src.ParamsJSON, small)
	}

	addSource(t, e, "huge", srv.URL, true, `{"organizations":["huge"]}`)
	rep := e.run(t, "huge")
	assert.Equal(t, store.RunFailed, rep.Status)
	assert.Contains(t, rep.Error, "file too large")

	addSource(t, e, "s", srv.URL, true, "")
	require.Equal(t, int64(2), e.run(t, "s").Counts[store.Create][store.ItemApplied])
	gone = true
	rep = e.run(t, "s")
	assert.Equal(t, store.RunDone, rep.Status)
	assert.Contains(t, rep.Error, "nothing archived")
	assert.Empty(t, rep.Counts[store.Archive])
	assert.Len(t, e.datasets(t), 2)
}

func TestDeletionsAreKeptWhenTheSourceSaysSo(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	list := []string{dataset("k1", "One", "lov2"), dataset("k2", "Two", "lov2")}
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, strings.Join(list, ","))
	})
	defer srv.Close()
	require.NoError(t, e.store.CreateSource(context.Background(), store.Source{
		ID: "s", Name: "s", Kind: "udata", URL: srv.URL, Organization: e.org, AutoApply: true, OnDeletion: "keep",
	}))
	e.run(t, "s")
	list = list[:1]
	rep := e.run(t, "s")
	assert.Empty(t, rep.Counts)
	for _, d := range e.datasets(t) {
		assert.Nil(t, d.GetArchived())
	}
}

func TestResourceIDsSurviveUpdates(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	title, extra := "Budget", ""
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		fmt.Fprintf(w, `{"data":[{"id":"r1","title":%q,"description":"d","license":"lov2","resources":[{"id":"a","title":"a.csv","url":"https://example.org/a.csv"}%s]}],"next_page":null}`, title, extra)
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, true, "")
	ids := func() []string {
		var out []string
		for _, d := range e.datasets(t) {
			for _, r := range d.GetResources() {
				out = append(out, r.GetId())
			}
		}
		return out
	}
	e.run(t, "s")
	first := ids()
	require.Len(t, first, 1)
	extra = `,{"id":"b","title":"b.csv","url":"https://example.org/b.csv"}`
	e.run(t, "s")
	second := ids()
	require.Len(t, second, 2)
	assert.Equal(t, first[0], second[0])
	title = "Budget 2025"
	e.run(t, "s")
	assert.Equal(t, second, ids(), "a resource added by an update keeps its id")
}

func TestASourceRunsOneAtATimeAndANewPlanSupersedesAnOldOne(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	srv := pages(func(w http.ResponseWriter, r *http.Request, _ string) {
		fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, dataset("o1", "One", "lov2"))
	})
	defer srv.Close()
	addSource(t, e, "s", srv.URL, false, "")
	ctx := context.Background()
	first, err := e.h.Start(ctx, "s")
	require.NoError(t, err)
	_, err = e.h.Start(ctx, "s")
	require.ErrorIs(t, err, harvester.ErrState, "the first is still planning")
	require.NoError(t, e.h.Execute(ctx, first.ID))

	second := e.run(t, "s")
	assert.Equal(t, store.RunPlanned, second.Status)
	old, err := e.store.GetRun(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RunFailed, old.Status)
	assert.Equal(t, "superseded by run "+second.ID, old.Error)
	_, err = e.h.Approve(ctx, first.ID, nil)
	require.ErrorIs(t, err, harvester.ErrState)
}
