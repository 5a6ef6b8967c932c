// Command gen derives the embedded demo data from data.gouv.fr's catalogue
// export: the datasets of the collectivités that publish the most (at most
// -per-org each, -orgs organizations), every column kept as it is.
//
//	go run ./services/relais/internal/demo/gen \
//	  -from ../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz \
//	  -out services/relais/internal/demo/data/demo-export.csv.gz
package main

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"

	"github.com/relais-data/relais/services/relais/internal/demo"
)

func main() {
	from := flag.String("from", "", "data.gouv.fr export (.csv.gz)")
	out := flag.String("out", "", "demo file to write (.csv.gz)")
	orgs := flag.Int("orgs", 40, "number of collectivités")
	perOrg := flag.Int("per-org", 100, "datasets per collectivité at most")
	flag.Parse()
	if err := run(*from, *out, *orgs, *perOrg); err != nil {
		log.Fatal(err)
	}
}

func run(from, out string, orgs, perOrg int) error {
	rows, header, err := readAll(from)
	if err != nil {
		return err
	}
	orgCol, nameCol := indexOf(header, "organization_id"), indexOf(header, "organization")
	count := map[string]int{}
	for _, row := range rows {
		if demo.IsLocalAuthority(row[nameCol]) {
			count[row[orgCol]]++
		}
	}
	ids := make([]string, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if count[ids[i]] != count[ids[j]] {
			return count[ids[i]] > count[ids[j]]
		}
		return ids[i] < ids[j]
	})
	keep := map[string]int{}
	for _, id := range ids[:min(orgs, len(ids))] {
		keep[id] = 0
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	w := csv.NewWriter(gz)
	w.Comma = ';'
	if err := w.Write(header); err != nil {
		return err
	}
	written := 0
	for _, row := range rows {
		n, ok := keep[row[orgCol]]
		if !ok || n >= perOrg {
			continue
		}
		keep[row[orgCol]] = n + 1
		if err := w.Write(row); err != nil {
			return err
		}
		written++
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	fmt.Printf("%d datasets of %d collectivités written to %s\n", written, len(keep), out)
	return f.Close()
}

func readAll(path string) ([][]string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(gz)
	r.Comma = ';'
	header, err := r.Read()
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, header, nil
		}
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, row)
	}
}

func indexOf(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}
