package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// One pass: the rows Analyze reads are loaded as it reads them, typed as
// their first rows predict (analysis.PredictColumns); the analysis runs on
// one core while SQLite stores on the other, and the file is read and
// parsed once. When the whole file's types differ from the prediction, the
// table is abandoned before its swap (it was never queryable) and loaded
// again from the file with the right types: the second pass of old, paid
// only by files whose first rows mislead.
const (
	// predictRows and predictBytes bound the first rows the types are
	// predicted from (held until then).
	predictRows  = 10_000
	predictBytes = 8 << 20
	// streamBatches is how many batches of rows wait for the loader: the
	// reading blocks beyond, so that memory stays bounded.
	streamBatches = 4
)

// AnalyzeLoad is what Process does with a tabular file (but GeoJSON),
// without the records: the analysis and the one-pass load of its table t,
// then a second pass when the first rows mispredicted the types (onePass
// false). A file that cannot be analyzed returns a nil profile.
func AnalyzeLoad(ctx context.Context, store *tabular.Store, path, name string, lim analysis.Limits, t tabular.Table) (prof *analysis.Profile, rows int64, onePass bool, err error) {
	stream := newStreamLoad(ctx, store, t)
	prof, err = analysis.AnalyzeTee(ctx, path, name, lim, stream)
	if err != nil {
		_, _, _ = stream.finish(nil) // abandons the table
		return nil, 0, false, err
	}
	rows, streamed, err := stream.finish(prof)
	if streamed && !errors.Is(err, errMispredicted) {
		return prof, rows, true, err
	}
	it, err := analysis.Rows(ctx, path, prof, lim)
	if err != nil {
		return prof, 0, false, err
	}
	defer it.Close()
	rows, err = loadRows(ctx, store, t, prof, it, prof.Columns)
	return prof, rows, false, err
}

// errMispredicted ends a one-pass load whose rows were stored as types the
// whole file's analysis did not confirm.
var errMispredicted = errors.New("the first rows' column types did not hold for the whole file")

// streamLoad is an analysis.RowTee loading the rows into the tabular store.
type streamLoad struct {
	ctx     context.Context
	store   *tabular.Store
	table   tabular.Table // without its columns and profile yet
	batches chan []string
	final   chan *analysis.Profile // the analysis' result, nil if it failed
	done    chan struct{}          // closed when the loader has returned
	started bool
	rows    int64
	err     error
}

func newStreamLoad(ctx context.Context, store *tabular.Store, t tabular.Table) *streamLoad {
	return &streamLoad{
		ctx: ctx, store: store, table: t,
		batches: make(chan []string, streamBatches),
		final:   make(chan *analysis.Profile, 1),
		done:    make(chan struct{}),
	}
}

// Header starts the loader, for any table but a GeoJSON's (whose
// properties are loaded from its features).
func (l *streamLoad) Header(format string, names []string) bool {
	if format == "geojson" || len(names) == 0 {
		return false
	}
	l.started = true
	go func() {
		defer close(l.done)
		l.rows, l.err = l.load(names)
	}()
	return true
}

// Rows hands a copy of the batch to the loader, or drops it once the
// loader has given up.
func (l *streamLoad) Rows(cells []string) {
	select {
	case l.batches <- slices.Clone(cells):
	case <-l.done:
	}
}

// finish gives the loader the analysis' profile (nil when the analysis
// failed) and waits for it. ok is false when no load started.
func (l *streamLoad) finish(p *analysis.Profile) (rows int64, ok bool, err error) {
	if !l.started {
		return 0, false, nil
	}
	l.final <- p
	close(l.batches)
	<-l.done
	return l.rows, true, l.err
}

// load predicts the columns' types from the first rows, then loads every
// row; the table is swapped in only if the analysis confirms the types.
func (l *streamLoad) load(names []string) (int64, error) {
	width := len(names)
	var head []string // the first rows, end to end
	for size := 0; len(head) < predictRows*width && size < predictBytes; {
		b, ok := <-l.batches
		if !ok {
			break
		}
		head = append(head, b...)
		for _, c := range b {
			size += len(c)
		}
	}
	cols := analysis.PredictColumns(names, head)
	t := l.table
	t.Columns = make([]tabular.Column, width)
	for i, c := range cols {
		t.Columns[i] = tabular.Column{Name: c.Name, Type: c.Type}
	}
	var final *analysis.Profile
	t.Finish = func() (json.RawMessage, error) {
		if final == nil {
			return nil, errors.New("the analysis failed")
		}
		if len(final.Columns) != width {
			return nil, errMispredicted
		}
		for i, c := range final.Columns {
			if c.Name != cols[i].Name || c.Type != cols[i].Type {
				return nil, errMispredicted
			}
		}
		return json.Marshal(final.CSVDetective())
	}
	values := make([]any, width)
	cur := head
	next := func() ([]any, error) {
		for len(cur) < width {
			b, ok := <-l.batches
			if !ok {
				final = <-l.final
				return nil, io.EOF
			}
			cur = b
		}
		row := cur[:width]
		cur = cur[width:]
		for i, c := range cols {
			v, err := analysis.Parse(c, row[i])
			if err != nil {
				// The analysis cannot type this column so: no use going on.
				return nil, fmt.Errorf("%w (%w)", errMispredicted, err)
			}
			values[i] = v
		}
		return values, nil
	}
	return l.store.LoadTable(l.ctx, t, next)
}
