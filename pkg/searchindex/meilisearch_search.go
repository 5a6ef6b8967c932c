package searchindex

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/meilisearch/meilisearch-go"
)

// Search sends the query as one search, or as one multi-search when range
// facets add count-only searches.
func (m *meili) Search(ctx context.Context, q Query) (Result, error) {
	q, err := m.schema.validate(q)
	if err != nil {
		return Result{}, err
	}
	mq, err := translateQuery(m.cfg.Index, q)
	if err != nil {
		return Result{}, err
	}
	if len(mq.buckets) == 0 {
		req := *mq.search
		req.IndexUID = "" // the index is in the path
		res, err := m.client.Index(m.cfg.Index).Search(ctx, req.Query, &req)
		if err != nil {
			return Result{}, meiliErr(fmt.Sprintf("search %.80q", q.Text), err)
		}
		return meiliResult(q, res, nil)
	}
	multi := &meilisearch.MultiSearchRequest{Queries: []*meilisearch.SearchRequest{mq.search}}
	for _, b := range mq.buckets {
		multi.Queries = append(multi.Queries, b.search)
	}
	res, err := m.client.MultiSearch(ctx, multi)
	if err != nil {
		return Result{}, meiliErr(fmt.Sprintf("search %.80q", q.Text), err)
	}
	if len(res.Results) != len(multi.Queries) {
		return Result{}, fmt.Errorf("meilisearch multi-search: %d results for %d queries", len(res.Results), len(multi.Queries))
	}
	counts := map[string]map[string]int{}
	for i, b := range mq.buckets {
		if counts[b.facet] == nil {
			counts[b.facet] = map[string]int{}
		}
		_, n, err := meiliFacets(&res.Results[i+1])
		if err != nil {
			return Result{}, err
		}
		counts[b.facet][b.name] = n
	}
	return meiliResult(q, &res.Results[0], counts)
}

// meiliResult maps a Meilisearch response to a Result: ids unescaped,
// _rankingScore as the score, the count of matching documents as the
// total, the facet distribution sorted by count then name and cut at
// FacetSize, and the range-facet counts in the order of their buckets.
func meiliResult(q Query, res *meilisearch.SearchResponse, rangeCounts map[string]map[string]int) (Result, error) {
	dist, total, err := meiliFacets(res)
	if err != nil {
		return Result{}, err
	}
	out := Result{Total: total, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		var key string
		if err := json.Unmarshal(h[meiliIDAttr], &key); err != nil {
			return Result{}, fmt.Errorf("meilisearch hit without a string id: %w", err)
		}
		id, err := meiliOurID(key)
		if err != nil {
			return Result{}, err
		}
		hit := Hit{ID: id}
		if raw, ok := h["_rankingScore"]; ok {
			if err := json.Unmarshal(raw, &hit.Score); err != nil {
				return Result{}, fmt.Errorf("meilisearch hit %s: _rankingScore: %w", key, err)
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	if len(q.Facets) > 0 || len(q.RangeFacets) > 0 {
		out.Facets = make(map[string][]FacetValue, len(q.Facets)+len(q.RangeFacets))
	}
	if len(q.Facets) > 0 {
		for _, f := range q.Facets {
			values := make([]FacetValue, 0, len(dist[f]))
			for name, count := range dist[f] {
				values = append(values, FacetValue{Name: name, Count: count})
			}
			sortFacetValues(values)
			if len(values) > q.FacetSize {
				values = values[:q.FacetSize]
			}
			out.Facets[f] = values
		}
	}
	for name, rf := range q.RangeFacets {
		values := make([]FacetValue, 0, len(rf.Buckets))
		for _, b := range rf.Buckets {
			values = append(values, FacetValue{Name: b.Name, Count: rangeCounts[name][b.Name]})
		}
		out.Facets[name] = values
	}
	return out, nil
}

// meiliFacets reads a response's facet distribution and the number of
// matching documents: the relais__all facet count, which maxTotalHits does
// not cap, or totalHits when larger (documents indexed before relais__all).
func meiliFacets(res *meilisearch.SearchResponse) (map[string]map[string]int, int, error) {
	var dist map[string]map[string]int
	if len(res.FacetDistribution) > 0 {
		if err := json.Unmarshal(res.FacetDistribution, &dist); err != nil {
			return nil, 0, fmt.Errorf("meilisearch facetDistribution: %w", err)
		}
	}
	return dist, max(int(res.TotalHits), dist[meiliAllAttr][meiliAllValue]), nil
}
