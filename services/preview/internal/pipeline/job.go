package pipeline

import (
	"path"
	"strings"

	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// Job is one resource to analyze.
type Job struct {
	ResourceID string
	DatasetID  string
	// Key is the storage key of an uploaded file; URL the address of a
	// remote resource. One of them is set.
	Key string
	URL string
	// ResourceURL is the resource's public URL, served by the tabular API.
	ResourceURL string
	// Signature identifies the bytes: the sha1 of a stored file, the URL
	// of a remote one. The same signature as the last analysis's means
	// there is nothing new to analyze.
	Signature string
	// Name is the file name or URL, a hint for the format.
	Name string
	// SchemaName and SchemaVersion are the resource's TableSchema, if any;
	// SchemaURL when the resource gives only the schema's URL.
	SchemaName    string
	SchemaVersion string
	SchemaURL     string
	// Force analyzes even when the signature is unchanged (Reanalyze).
	Force bool
}

// source is where the job's bytes come from, as recorded.
func (j Job) source() string {
	if j.Key != "" {
		return "storage:" + j.Key
	}
	return j.URL
}

// fileName is the hint given to the analysis: the file's name.
func (j Job) fileName() string {
	if j.Name != "" {
		return j.Name
	}
	if j.Key != "" {
		return path.Base(j.Key)
	}
	u := j.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return path.Base(u)
}

// table is the tabular table of the job's resource, before its columns.
func (j Job) table() tabular.Table {
	return tabular.Table{RID: j.ResourceID, URL: j.ResourceURL, DatasetID: j.DatasetID}
}
