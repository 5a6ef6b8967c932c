// Package corpus loads data.gouv.fr's catalogue export (read by
// pkg/catalogexport, the reader of `relais import`) as catalog datasets, the
// shape the search service indexes: the real records behind the relevance
// test set and the search benchmark.
package corpus

import (
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/catalogexport"
	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/docs"
)

// SampleName is the file name of the 1-in-5 sample of the export: 24 189
// real datasets.
const SampleName = "datagouv-export-dataset-20260116-sample-1in5.csv.gz"

// SamplePath finds the sample in ../shared/data/catalog beside the
// repository, from this source file's place, so that tests and commands
// find it from any working directory.
func SamplePath() string {
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/services/search/internal/corpus/corpus.go.
	repo := filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
	return filepath.Join(repo, "..", "shared", "data", "catalog", SampleName)
}

// Load reads an export (CSV, gzipped when the name ends in .gz) into
// catalog datasets.
func Load(path string) ([]*catalogv1.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
	}
	rd, err := catalogexport.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []*catalogv1.Dataset
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, Dataset(rec))
	}
}

// Dataset turns an export record into the catalog dataset it stands for:
// one resource per listed format, the spatial zones by name (the export
// has no zone ids), the organization with the local-authority badge the
// import gives collectivités, and last_update computed as the catalog does
// (harvest modification date, else last modification). The licence stays
// the export's title: the search index takes it as an opaque keyword.
func Dataset(rec catalogexport.Record) *catalogv1.Dataset {
	d := &catalogv1.Dataset{
		Id:                   rec.ID,
		Slug:                 rec.Slug,
		Title:                rec.Title,
		Description:          rec.Description,
		Tags:                 rec.Tags,
		License:              rec.License,
		Frequency:            rec.Frequency,
		Featured:             rec.Featured,
		AccessType:           "open",
		CreatedAtInternal:    timestamppb.New(rec.CreatedAt),
		LastModifiedInternal: timestamppb.New(rec.LastModified),
		LastUpdate:           timestamppb.New(rec.LastModified),
	}
	if d.License == "" {
		d.License = "notspecified"
	}
	if rec.Acronym != "" {
		d.Acronym = proto.String(rec.Acronym)
	}
	if h := rec.Harvest["modified_at"]; h != "" {
		if t, err := catalogexport.ParseTime(h); err == nil && !t.IsZero() {
			d.LastUpdate = timestamppb.New(t)
		}
	}
	if !rec.Archived.IsZero() {
		d.Archived = timestamppb.New(rec.Archived)
	}
	if rec.TemporalStart != "" || rec.TemporalEnd != "" {
		d.TemporalCoverage = &catalogv1.TemporalCoverage{Start: dateOnly(rec.TemporalStart), End: dateOnly(rec.TemporalEnd)}
	}
	if rec.Granularity != "" || len(rec.Zones) > 0 {
		d.Spatial = &catalogv1.Spatial{Granularity: rec.Granularity, Zones: rec.Zones}
	}
	if rec.OrganizationID != "" {
		org := &catalogv1.OrganizationRef{Id: rec.OrganizationID, Name: rec.Organization}
		if catalogexport.IsLocalAuthority(rec.Organization) {
			org.Badges = []*catalogv1.Badge{{Kind: "local-authority"}}
		}
		d.Organization = org
	}
	for _, f := range rec.ResourcesFormats {
		d.Resources = append(d.Resources, &catalogv1.Resource{Format: f})
	}
	return d
}

// Copies returns n copies of each dataset under new ids (see Copy).
func Copies(datasets []*catalogv1.Dataset, n int) []*catalogv1.Dataset {
	out := make([]*catalogv1.Dataset, 0, len(datasets)*n)
	for i := range n {
		for _, d := range datasets {
			out = append(out, Copy(d, i))
		}
	}
	return out
}

// Copy returns copy i of a dataset under a new id derived from its own; copy
// 0 is the dataset itself. Five copies of the sample are about the whole
// export's 121 000 datasets, for benchmarks at that size.
func Copy(d *catalogv1.Dataset, i int) *catalogv1.Dataset {
	if i == 0 {
		return d
	}
	c := proto.CloneOf(d)
	sum := md5.Sum(fmt.Appendf(nil, "%s/%d", d.GetId(), i))
	c.Id = hex.EncodeToString(sum[:12])
	return c
}

func dateOnly(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// Index maps each dataset through docs.Dataset and upserts the searchable
// ones into idx in batches, returning how many it indexed.
func Index(ctx context.Context, idx searchindex.Index, datasets []*catalogv1.Dataset, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	var n int
	buf := make([]searchindex.Document, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := idx.Upsert(ctx, buf...); err != nil {
			return err
		}
		n += len(buf)
		buf = buf[:0]
		return nil
	}
	for _, d := range datasets {
		doc, ok := docs.Dataset(d)
		if !ok {
			continue
		}
		buf = append(buf, doc)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}
