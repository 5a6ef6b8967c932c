// Command relevance loads data.gouv.fr's catalogue export into a search
// index through the service's document mapping, runs the relevance test
// set and prints MRR and nDCG@10, per kind of query, with the queries whose
// first result is not relevant:
//
//	go run ./services/search/cmd/relevance [-backend embedded|meilisearch]
//
// The meilisearch backend needs a server: -meili-url (or
// RELAIS_TEST_MEILI_URL) and -meili-key (or RELAIS_TEST_MEILI_KEY).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/corpus"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/relevance"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "relevance:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("relevance", flag.ContinueOnError)
	backend := fs.String("backend", "embedded", "index backend: embedded or meilisearch")
	export := fs.String("export", corpus.SamplePath(), "data.gouv.fr dataset export (.csv or .csv.gz)")
	setPath := fs.String("set", relevance.TestSetPath(), "relevance test set (YAML)")
	meiliURL := fs.String("meili-url", os.Getenv("RELAIS_TEST_MEILI_URL"), "Meilisearch URL")
	meiliKey := fs.String("meili-key", os.Getenv("RELAIS_TEST_MEILI_KEY"), "Meilisearch API key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set, err := relevance.Load(*setPath)
	if err != nil {
		return err
	}
	datasets, err := corpus.Load(*export)
	if err != nil {
		return err
	}
	idx, cleanup, err := open(ctx, *backend, *meiliURL, *meiliKey)
	if err != nil {
		return err
	}
	defer cleanup()
	start := time.Now()
	n, err := corpus.Index(ctx, idx, datasets, 1000)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	fmt.Fprintf(out, "%s: indexed %d of %d datasets in %s\n", *backend, n, len(datasets), time.Since(start).Round(time.Millisecond))
	rep, err := relevance.Run(ctx, idx, set)
	if err != nil {
		return err
	}
	Print(out, *backend, rep, titles(datasets))
	return nil
}

// open opens an empty index of the backend, and a function that drops it.
func open(ctx context.Context, backend, meiliURL, meiliKey string) (searchindex.Index, func(), error) {
	switch backend {
	case "embedded":
		dir, err := os.MkdirTemp("", "relevance-*")
		if err != nil {
			return nil, nil, err
		}
		idx, err := searchindex.OpenEmbedded(dir+"/index", docs.DatasetSchema())
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return idx, func() { idx.Close(); os.RemoveAll(dir) }, nil
	case "meilisearch":
		if meiliURL == "" {
			return nil, nil, fmt.Errorf("the meilisearch backend needs -meili-url or RELAIS_TEST_MEILI_URL")
		}
		cfg := searchindex.MeiliConfig{URL: meiliURL, APIKey: meiliKey, Index: fmt.Sprintf("relais_relevance_%d", time.Now().Unix())}
		idx, err := searchindex.OpenMeilisearch(ctx, cfg, docs.DatasetSchema())
		if err != nil {
			return nil, nil, err
		}
		return idx, func() { idx.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("unknown backend %q (embedded or meilisearch)", backend)
	}
}

func titles(datasets []*catalogv1.Dataset) map[string]string {
	out := make(map[string]string, len(datasets))
	for _, d := range datasets {
		out[d.GetId()] = d.GetTitle()
	}
	return out
}

// Print writes the figures of a run and its misses.
func Print(w io.Writer, backend string, rep relevance.Report, titles map[string]string) {
	fmt.Fprintf(w, "%s: MRR %.3f  nDCG@%d %.3f  over %d queries\n", backend, rep.MRR, relevance.Depth, rep.NDCG, len(rep.Outcomes))
	byKind := rep.ByKind()
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  MRR %-12s %.3f\n", k, byKind[k])
	}
	misses := rep.Misses()
	fmt.Fprintf(w, "%d queries without a relevant first result:\n", len(misses))
	for _, o := range misses {
		rank := "none in the first 10"
		if o.Rank > 0 {
			rank = fmt.Sprintf("first relevant at %d", o.Rank)
		}
		fmt.Fprintf(w, "  %q (%s): %s\n", o.Query.Text, o.Query.Kind, rank)
		for i, id := range o.Top {
			if i == 3 {
				break
			}
			fmt.Fprintf(w, "      %d. %s %s\n", i+1, id, truncate(titles[id], 80))
		}
	}
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
