package analysis

import (
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"
)

// dupCap bounds the row hashes kept to count duplicate rows (8 bytes each
// plus the map's overhead: about 20 MiB).
const dupCap = 1 << 19

// profileRows reads every data row into the columns' states. Reading and
// the duplicate count run in this goroutine; the columns are split between
// profileWorkers goroutines (every other column to each), which take rows
// in batches: the machine's two cores both work on one file. Each batch
// goes to tee (when not nil) before the workers.
func profileRows(t *table, p *Profile, tee RowTee) error {
	seed := maphash.MakeSeed()
	cols := make([]*columnState, len(t.header))
	valueCap := min(max(exactBudget/max(len(cols), 1), 32), 4096)
	for i, name := range t.header {
		cols[i] = newColumnState(name, valueCap, seed)
	}
	pool := newBatchPool(cols)
	defer pool.stop()
	dups := newDupCounter(seed)
	var row []string
	var err error
	b := pool.get()
	for {
		row, err = t.next(row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		dups.add(row)
		b.cells = append(b.cells, row...)
		for _, cell := range row {
			b.bytes += len(cell)
		}
		if b.rows++; b.rows == batchRows || b.bytes >= batchBytes {
			if tee != nil {
				tee.Rows(b.cells)
			}
			pool.send(b)
			b = pool.get()
		}
	}
	if tee != nil && b.rows > 0 {
		tee.Rows(b.cells)
	}
	pool.send(b)
	pool.stop()
	p.RowCount, p.RaggedRows = t.rows, t.ragged
	p.Duplicates, p.DuplicatesExact = dups.n, dups.exact
	p.Columns = make([]Column, len(cols))
	for i, c := range cols {
		p.Columns[i] = c.column()
	}
	return nil
}

const (
	profileWorkers = 2
	batchRows      = 512
	// batchBytes bounds the cells a batch holds, so that the batches in
	// flight stay small when cells are large (1 MB descriptions).
	batchBytes = 2 << 20
	batches    = 4 // in flight: being filled, queued, being profiled
)

// batch is batchRows rows, their cells end to end.
type batch struct {
	cells   []string
	rows    int
	bytes   int
	pending atomic.Int32 // workers yet to profile it
}

// batchPool hands batches to the column workers and takes them back once
// every worker is done with them.
type batchPool struct {
	free    chan *batch
	work    []chan *batch
	wg      sync.WaitGroup
	stopped bool
}

func newBatchPool(cols []*columnState) *batchPool {
	bp := &batchPool{free: make(chan *batch, batches)}
	for range batches {
		bp.free <- &batch{cells: make([]string, 0, batchRows*len(cols))}
	}
	width := len(cols)
	for w := range profileWorkers {
		ch := make(chan *batch, batches)
		bp.work = append(bp.work, ch)
		bp.wg.Add(1)
		go func() {
			defer bp.wg.Done()
			for b := range ch {
				for r := range b.rows {
					row := b.cells[r*width : (r+1)*width]
					for i := w; i < width; i += profileWorkers {
						cols[i].add(row[i])
					}
				}
				if b.pending.Add(-1) == 0 {
					clear(b.cells) // let the rows' strings go
					b.cells, b.rows, b.bytes = b.cells[:0], 0, 0
					bp.free <- b
				}
			}
		}()
	}
	return bp
}

func (bp *batchPool) get() *batch { return <-bp.free }

func (bp *batchPool) send(b *batch) {
	if b.rows == 0 {
		bp.free <- b
		return
	}
	b.pending.Store(profileWorkers)
	for _, ch := range bp.work {
		ch <- b
	}
}

// stop waits for the workers to finish the batches sent.
func (bp *batchPool) stop() {
	if bp.stopped {
		return
	}
	bp.stopped = true
	for _, ch := range bp.work {
		close(ch)
	}
	bp.wg.Wait()
}

// dupCounter counts rows equal to an earlier row by their 64-bit hash: exact
// (but for hash collisions) while it holds at most dupCap hashes.
type dupCounter struct {
	h     maphash.Hash
	seen  map[uint64]struct{}
	n     int64
	exact bool
}

func newDupCounter(seed maphash.Seed) *dupCounter {
	d := &dupCounter{seen: make(map[uint64]struct{}), exact: true}
	d.h.SetSeed(seed)
	return d
}

func (d *dupCounter) add(row []string) {
	d.h.Reset()
	for _, cell := range row {
		d.h.WriteString(cell)
		d.h.WriteByte(0)
	}
	sum := d.h.Sum64()
	if _, dup := d.seen[sum]; dup {
		d.n++
	} else if len(d.seen) < dupCap {
		d.seen[sum] = struct{}{}
	} else {
		d.exact = false
	}
}
