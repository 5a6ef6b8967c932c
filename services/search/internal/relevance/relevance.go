// Package relevance measures how well a search index ranks the datasets
// people look for: a test set of real queries with graded judgments
// (testdata/relevance.yaml), run against an index built from the real
// catalogue through the same document mapping as the service, scored by
// MRR and nDCG@10.
package relevance

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/relais-data/relais/pkg/searchindex"
)

// Depth is how many results are judged: the first page people read.
const Depth = 10

// Relevant is the lowest grade MRR counts as an answer: a dataset on the
// subject (2) or the one meant (3); related ones (1) count in nDCG only.
const Relevant = 2

// Query is one query of the test set and the datasets it should find.
type Query struct {
	Text     string     `yaml:"query"`
	Kind     string     `yaml:"kind"`
	Relevant []Judgment `yaml:"relevant"`
}

// Judgment grades one dataset for a query: 3 is the dataset meant, 2 one
// on the subject, 1 a related one.
type Judgment struct {
	ID    string `yaml:"id"`
	Grade int    `yaml:"grade"`
	Title string `yaml:"title"`
}

// Load reads a test set.
func Load(path string) ([]Query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var set []Query
	if err := yaml.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("read test set %s: %w", path, err)
	}
	for i, q := range set {
		if q.Text == "" || len(q.Relevant) == 0 {
			return nil, fmt.Errorf("test set %s: query %d has no text or no relevant dataset", path, i+1)
		}
		top := 0
		for _, j := range q.Relevant {
			if j.ID == "" || j.Grade < 1 || j.Grade > 3 {
				return nil, fmt.Errorf("test set %s: query %q: judgment %+v needs an id and a grade from 1 to 3", path, q.Text, j)
			}
			top = max(top, j.Grade)
		}
		if top < Relevant {
			return nil, fmt.Errorf("test set %s: query %q has no dataset graded %d or above", path, q.Text, Relevant)
		}
	}
	return set, nil
}

// Outcome is how one query fared.
type Outcome struct {
	Query Query
	// Rank of the first result graded Relevant or above, from 1; 0 when
	// none is in the first Depth.
	Rank int
	NDCG float64
	// Top are the ids of the first results.
	Top []string
}

// Report sums a run up.
type Report struct {
	MRR, NDCG float64
	Outcomes  []Outcome
}

// Misses are the queries whose first result is not relevant.
func (r Report) Misses() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Rank != 1 {
			out = append(out, o)
		}
	}
	return out
}

// ByKind gives the MRR of each kind of query.
func (r Report) ByKind() map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for _, o := range r.Outcomes {
		sum[o.Query.Kind] += reciprocal(o.Rank)
		n[o.Query.Kind]++
	}
	out := make(map[string]float64, len(sum))
	for k, s := range sum {
		out[k] = s / float64(n[k])
	}
	return out
}

// Run searches every query of the set in idx and scores the answers.
func Run(ctx context.Context, idx searchindex.Index, set []Query) (Report, error) {
	var rep Report
	for _, q := range set {
		res, err := idx.Search(ctx, searchindex.Query{Text: q.Text, PageSize: Depth})
		if err != nil {
			return Report{}, fmt.Errorf("query %q: %w", q.Text, err)
		}
		o := score(q, res.Hits)
		rep.Outcomes = append(rep.Outcomes, o)
		rep.MRR += reciprocal(o.Rank)
		rep.NDCG += o.NDCG
	}
	if n := float64(len(set)); n > 0 {
		rep.MRR /= n
		rep.NDCG /= n
	}
	return rep, nil
}

// score judges the first Depth hits of one query.
func score(q Query, hits []searchindex.Hit) Outcome {
	grade := make(map[string]int, len(q.Relevant))
	for _, j := range q.Relevant {
		grade[j.ID] = j.Grade
	}
	o := Outcome{Query: q}
	var dcg float64
	for i, h := range hits {
		if i == Depth {
			break
		}
		o.Top = append(o.Top, h.ID)
		g := grade[h.ID]
		if g >= Relevant && o.Rank == 0 {
			o.Rank = i + 1
		}
		dcg += gain(g, i)
	}
	grades := make([]int, 0, len(q.Relevant))
	for _, j := range q.Relevant {
		grades = append(grades, j.Grade)
	}
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	var ideal float64
	for i, g := range grades {
		if i == Depth {
			break
		}
		ideal += gain(g, i)
	}
	if ideal > 0 {
		o.NDCG = dcg / ideal
	}
	return o
}

// gain is the discounted gain of a result of grade g at position i (from 0).
func gain(g, i int) float64 {
	return (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
}

func reciprocal(rank int) float64 {
	if rank == 0 {
		return 0
	}
	return 1 / float64(rank)
}
