package catalogexport_test

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/catalogexport"
)

// sample is data.gouv.fr's export, one dataset in five (../shared/data).
const sample = "../../../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz"

func TestReadSample(t *testing.T) {
	f, err := os.Open(sample)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s absent", sample)
	}
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	rd, err := catalogexport.NewReader(gz)
	require.NoError(t, err)
	var n, withFormats, withZones, withViews int
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		n++
		if len(rec.ResourcesFormats) > 0 {
			withFormats++
		}
		if len(rec.Zones) > 0 {
			withZones++
		}
		if rec.Views > 0 {
			withViews++
		}
	}
	assert.Equal(t, 24189, n)
	assert.Greater(t, withFormats, 20000)
	assert.Greater(t, withZones, 1000)
	assert.Greater(t, withViews, 10000)
}

const header = "id;title;slug;acronym;organization;organization_id;description;description_short;frequency;license;" +
	"temporal_coverage.start;temporal_coverage.end;spatial.granularity;featured;created_at;last_modified;tags;archived;" +
	"harvest.backend;harvest.domain;harvest.created_at;harvest.modified_at;harvest.remote_url"

func TestOptionalColumns(t *testing.T) {
	row := `"a1";"Budget";"budget";"";"Ville de Rennes";"o1";"Le budget.";"";"annual";"";"";"";"";"True";` +
		`"2020-01-02T03:04:05";"2021-01-02T03:04:05.123456";"finances, budget";"False";"";"";"";"";""`
	rd, err := catalogexport.NewReader(strings.NewReader(header + "\r\n" + row + "\r\n"))
	require.NoError(t, err)
	rec, err := rd.Read()
	require.NoError(t, err)
	assert.Equal(t, "a1", rec.ID)
	assert.True(t, rec.Featured)
	assert.Equal(t, []string{"finances", "budget"}, rec.Tags)
	assert.Nil(t, rec.Zones)
	assert.Nil(t, rec.ResourcesFormats)
	assert.Zero(t, rec.Views)
	assert.True(t, catalogexport.IsLocalAuthority(rec.Organization))
	_, err = rd.Read()
	assert.ErrorIs(t, err, io.EOF)
}

func TestBadInput(t *testing.T) {
	_, err := catalogexport.NewReader(strings.NewReader("id;title\r\n"))
	assert.ErrorContains(t, err, "missing column")

	rd, err := catalogexport.NewReader(strings.NewReader(header + ";metric.views\r\n" +
		`"a";"t";"s";"";"";"";"";"";"";"";"";"";"";"";"2020-01-01";"2020-01-01";"";"";"";"";"";"";"";"beaucoup"` + "\r\n"))
	require.NoError(t, err)
	_, err = rd.Read()
	assert.ErrorContains(t, err, "bad count")
}

// FuzzReader checks that no input makes the reader panic.
func FuzzReader(f *testing.F) {
	f.Add(header + "\r\n" + `"a";"t";"s";"";"";"";"";"";"";"";"";"";"";"";"2020-01-01";"2020-01-01";"x,y";"";"";"";"";"";""` + "\r\n")
	f.Add(header + ";metric.views;resources_formats\r\n\"a\";\"\"\r\n")
	f.Add("\ufeffid;title\r\n\"\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		rd, err := catalogexport.NewReader(strings.NewReader(s))
		if err != nil {
			return
		}
		for range 100 {
			if _, err := rd.Read(); err != nil {
				return
			}
		}
	})
}
