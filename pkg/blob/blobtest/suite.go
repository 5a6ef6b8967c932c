package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
)

// Run runs the conformance suite: each case as a subtest on a fresh store
// from newStore. Cases run one after another (the large-object case
// measures the process's heap).
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"PutGetStat", testPutGetStat},
		{"EmptyObject", testEmptyObject},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"List", testList},
		{"ListStops", testListStops},
		{"Ranges", testRanges},
		{"NotFound", testNotFound},
		{"HostileKeys", testHostileKeys},
		{"InvalidOptions", testInvalidOptions},
		{"Metadata", testMetadata},
		{"Presign", testPresign},
		{"UnknownSize", testUnknownSize},
		{"SizeMismatch", testSizeMismatch},
		{"ReaderError", testReaderError},
		{"CancelMidUpload", testCancelMidUpload},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConcurrentOverwrites", testConcurrentOverwrites},
		{"ConcurrentPutDelete", testConcurrentPutDelete},
		{"LargeObject", testLargeObject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

func put(t *testing.T, s blob.Store, key string, data []byte, opts blob.PutOptions) blob.Info {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), opts)
	require.NoError(t, err)
	return info
}

// get reads key whole, or the range rng.
func get(t *testing.T, s blob.Store, key string, rng *blob.Range) ([]byte, blob.Info) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, rng)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b, info
}

// keys lists the keys under prefix.
func keys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	var out []string
	require.NoError(t, s.List(t.Context(), prefix, func(i blob.Info) error {
		out = append(out, i.Key)
		return nil
	}))
	return out
}

func testPutGetStat(t *testing.T, s blob.Store) {
	data := []byte("code_commune;nom\n29019;Brest\n")
	before := time.Now().Add(-2 * time.Second)
	info := put(t, s, "datasets/d1/resources/r1", data, blob.PutOptions{ContentType: "text/csv"})
	after := time.Now().Add(2 * time.Second)

	assert.Equal(t, "datasets/d1/resources/r1", info.Key)
	assert.Equal(t, int64(len(data)), info.Size)
	assert.NotEmpty(t, info.ETag)
	assert.NotContains(t, info.ETag, `"`)
	assert.Equal(t, "text/csv", info.ContentType)
	assert.True(t, info.ModTime.After(before) && info.ModTime.Before(after), "ModTime %v", info.ModTime)

	st, err := s.Stat(t.Context(), info.Key)
	require.NoError(t, err)
	assertSameInfo(t, info, st)

	got, gi := get(t, s, info.Key, nil)
	assert.Equal(t, data, got)
	assertSameInfo(t, info, gi)
}

func assertSameInfo(t *testing.T, want, got blob.Info) {
	t.Helper()
	assert.Equal(t, want.Key, got.Key)
	assert.Equal(t, want.Size, got.Size)
	assert.Equal(t, want.ETag, got.ETag)
	assert.Equal(t, want.ContentType, got.ContentType)
	assert.WithinDuration(t, want.ModTime, got.ModTime, time.Second)
	assert.Equal(t, len(want.Metadata), len(got.Metadata))
	for k, v := range want.Metadata {
		assert.Equal(t, v, got.Metadata[k], "metadata %s", k)
	}
}

func testEmptyObject(t *testing.T, s blob.Store) {
	for _, size := range []int64{0, -1} {
		info, err := s.Put(t.Context(), "empty", strings.NewReader(""), size, blob.PutOptions{})
		require.NoError(t, err, "size %d", size)
		assert.Equal(t, int64(0), info.Size)
		assert.Equal(t, blob.DefaultContentType, info.ContentType)

		got, gi := get(t, s, "empty", nil)
		assert.Empty(t, got)
		assert.Equal(t, int64(0), gi.Size)
		got, _ = get(t, s, "empty", &blob.Range{Offset: 0, Length: -1})
		assert.Empty(t, got)
		_, _, err = s.Get(t.Context(), "empty", &blob.Range{Offset: 0, Length: 1})
		assert.ErrorIs(t, err, blob.ErrInvalidRange)
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	const key = "org/o1/report.csv"
	v1 := put(t, s, key, []byte("version one, the first"), blob.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"a": "1"}})
	v2 := put(t, s, key, []byte("version two is a bit longer than one"), blob.PutOptions{})
	assert.NotEqual(t, v1.ETag, v2.ETag)

	got, info := get(t, s, key, nil)
	assert.Equal(t, "version two is a bit longer than one", string(got))
	assertSameInfo(t, v2, info)
	assert.Empty(t, info.Metadata, "metadata of the replaced object must not survive")
	assert.Equal(t, blob.DefaultContentType, info.ContentType)

	// A shorter object leaves nothing of the longer one behind.
	v3 := put(t, s, key, []byte("three"), blob.PutOptions{})
	got, info = get(t, s, key, nil)
	assert.Equal(t, "three", string(got))
	assertSameInfo(t, v3, info)
	assert.Equal(t, []string{key}, keys(t, s, ""))
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := t.Context()
	put(t, s, "deep/a/b/c", []byte("c"), blob.PutOptions{})
	put(t, s, "deep/a/x", []byte("x"), blob.PutOptions{})

	require.NoError(t, s.Delete(ctx, "deep/a/b/c"))
	_, err := s.Stat(ctx, "deep/a/b/c")
	assert.ErrorIs(t, err, blob.ErrNotFound)
	require.NoError(t, s.Delete(ctx, "deep/a/b/c"), "deleting a missing key")
	require.NoError(t, s.Delete(ctx, "deep/a"), "deleting a key that is only a prefix")
	assert.Equal(t, []string{"deep/a/x"}, keys(t, s, ""))

	require.NoError(t, s.Delete(ctx, "deep/a/x"))
	assert.Empty(t, keys(t, s, ""))
	// The store is still usable where the deleted objects were.
	put(t, s, "deep/a/b/c", []byte("again"), blob.PutOptions{})
	got, _ := get(t, s, "deep/a/b/c", nil)
	assert.Equal(t, "again", string(got))
}

func testList(t *testing.T, s blob.Store) {
	all := []string{"a-b", "a.txt", "a/b", "a/c/d", "ab", "b", "données/été.csv", "z/1", "z/10", "z/2"}
	for i, k := range []int{3, 0, 7, 5, 1, 9, 4, 2, 8, 6} { // put out of order
		put(t, s, all[k], bytes.Repeat([]byte{'x'}, i+1), blob.PutOptions{})
	}
	assert.Equal(t, all, keys(t, s, ""))
	assert.Equal(t, []string{"a-b", "a.txt", "a/b", "a/c/d", "ab"}, keys(t, s, "a"))
	assert.Equal(t, []string{"a/b", "a/c/d"}, keys(t, s, "a/"))
	assert.Equal(t, []string{"a/c/d"}, keys(t, s, "a/c"))
	assert.Equal(t, []string{"a/c/d"}, keys(t, s, "a/c/d"))
	assert.Equal(t, []string{"données/été.csv"}, keys(t, s, "données/"))
	assert.Equal(t, []string{"z/1", "z/10"}, keys(t, s, "z/1"))
	assert.Empty(t, keys(t, s, "nothing/"))
	assert.Empty(t, keys(t, s, "a/c/d/e"))

	// Listed Infos agree with Stat on what List promises.
	require.NoError(t, s.List(t.Context(), "", func(li blob.Info) error {
		st, err := s.Stat(t.Context(), li.Key)
		require.NoError(t, err)
		assert.Equal(t, st.Size, li.Size, li.Key)
		assert.Equal(t, st.ETag, li.ETag, li.Key)
		assert.WithinDuration(t, st.ModTime, li.ModTime, time.Second, li.Key)
		return nil
	}))
}

func testListStops(t *testing.T, s blob.Store) {
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		put(t, s, k, []byte(k), blob.PutOptions{})
	}
	stop := errors.New("enough")
	calls := 0
	err := s.List(t.Context(), "", func(blob.Info) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 2, calls)
}

func testRanges(t *testing.T, s blob.Store) {
	data := Bytes(1, 1000)
	put(t, s, "r", data, blob.PutOptions{})
	for _, c := range []struct {
		name string
		rng  *blob.Range
		want []byte
	}{
		{"whole (nil)", nil, data},
		{"whole {0,-1}", &blob.Range{Offset: 0, Length: -1}, data},
		{"start", &blob.Range{Offset: 0, Length: 10}, data[:10]},
		{"middle", &blob.Range{Offset: 100, Length: 50}, data[100:150]},
		{"to the end", &blob.Range{Offset: 990, Length: -1}, data[990:]},
		{"last byte", &blob.Range{Offset: 999, Length: 1}, data[999:]},
		{"length past the end", &blob.Range{Offset: 995, Length: 100}, data[995:]},
	} {
		got, info := get(t, s, "r", c.rng)
		assert.Equal(t, c.want, got, c.name)
		assert.Equal(t, int64(1000), info.Size, "%s: Info.Size is the object's size", c.name)
	}
	for _, rng := range []blob.Range{{Offset: 1000, Length: 1}, {Offset: 1000, Length: -1}, {Offset: 5000, Length: 10}, {Offset: -1, Length: 10}, {Offset: 0, Length: 0}, {Offset: 10, Length: -2}} {
		_, _, err := s.Get(t.Context(), "r", &rng)
		assert.ErrorIs(t, err, blob.ErrInvalidRange, "range %+v", rng)
	}
	_, _, err := s.Get(t.Context(), "missing", &blob.Range{Offset: 1, Length: 1})
	assert.ErrorIs(t, err, blob.ErrNotFound)
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := t.Context()
	put(t, s, "present/x", []byte("x"), blob.PutOptions{})
	for _, key := range []string{"missing", "present", "present/x/y", "present/y"} {
		_, _, err := s.Get(ctx, key, nil)
		assert.ErrorIs(t, err, blob.ErrNotFound, "get %s", key)
		_, err = s.Stat(ctx, key)
		assert.ErrorIs(t, err, blob.ErrNotFound, "stat %s", key)
		assert.NoError(t, s.Delete(ctx, key), "delete %s", key)
	}
	assert.Empty(t, keys(t, s, "missing"))
}

// HostileKeys are keys every Store must refuse with ErrInvalidKey.
var hostileKeys = []string{
	"", "/", "/etc/passwd", "a//b", "a/", "//a",
	"..", ".", "../x", "a/../../x", "a/..", "./a", "a/./b", "../../etc/passwd",
	`a\b`, `..\..\windows`, `C:\x`,
	"a\x00b", "\x00", "a/b\x00", "a\nb", "tab\there", "del\x7f",
	".hidden", "a/.tmp-123", ".meta/x",
	"\xff\xfe", "a/\xc3",
	strings.Repeat("k", blob.MaxKeyLen+1), strings.Repeat("s", blob.MaxSegmentLen+1),
}

func testHostileKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	for _, key := range hostileKeys {
		_, err := s.Put(ctx, key, strings.NewReader("evil"), 4, blob.PutOptions{})
		assert.ErrorIs(t, err, blob.ErrInvalidKey, "put %q", key)
		_, _, err = s.Get(ctx, key, nil)
		assert.ErrorIs(t, err, blob.ErrInvalidKey, "get %q", key)
		_, err = s.Stat(ctx, key)
		assert.ErrorIs(t, err, blob.ErrInvalidKey, "stat %q", key)
		assert.ErrorIs(t, s.Delete(ctx, key), blob.ErrInvalidKey, "delete %q", key)
		_, err = s.PresignGet(ctx, key, time.Minute, blob.PresignOptions{})
		assert.ErrorIs(t, err, blob.ErrInvalidKey, "presign %q", key)
	}
	for _, prefix := range []string{"/", "../", "a//", "..", "a/../b/", "\x00", `a\`} {
		err := s.List(ctx, prefix, func(blob.Info) error { return nil })
		assert.ErrorIs(t, err, blob.ErrInvalidKey, "list %q", prefix)
	}
	assert.Empty(t, keys(t, s, ""))
}

func testInvalidOptions(t *testing.T, s blob.Store) {
	ctx := t.Context()
	for name, opts := range map[string]blob.PutOptions{
		"upper-case metadata key":  {Metadata: map[string]string{"Original-Name": "x"}},
		"metadata key with space":  {Metadata: map[string]string{"a b": "x"}},
		"empty metadata key":       {Metadata: map[string]string{"": "x"}},
		"non-ASCII metadata key":   {Metadata: map[string]string{"clé": "x"}},
		"metadata value with LF":   {Metadata: map[string]string{"a": "x\ny"}},
		"metadata value not UTF-8": {Metadata: map[string]string{"a": "\xff"}},
		"metadata value padded":    {Metadata: map[string]string{"a": " x"}},
		"encoded-word lookalike":   {Metadata: map[string]string{"a": "=?utf-8?q?x?="}},
		"metadata too large":       {Metadata: map[string]string{"a": strings.Repeat("x", blob.MaxMetadataLen)}},
		"content type with CRLF":   {ContentType: "text/plain\r\nX-Evil: 1"},
		"non-ASCII content type":   {ContentType: "text/é"},
	} {
		_, err := s.Put(ctx, "k", strings.NewReader("x"), 1, opts)
		assert.ErrorIs(t, err, blob.ErrInvalidOptions, name)
	}
	_, err := s.Put(ctx, "k", strings.NewReader("x"), -2, blob.PutOptions{})
	assert.ErrorIs(t, err, blob.ErrInvalidOptions, "size -2")
	assert.Empty(t, keys(t, s, ""))
}

func testMetadata(t *testing.T, s blob.Store) {
	opts := blob.PutOptions{
		ContentType: "text/csv; charset=utf-8",
		Metadata: map[string]string{
			"original-name": "délibérations 2024 (copie n°2).csv",
			"organization":  "commune-de-plougastel-daoulas",
			"empty":         "",
			"punctuation":   `a;b,c="d" ?= é`,
			"emoji":         "données 📊",
			"long":          strings.Repeat("é", 300),
		},
	}
	info := put(t, s, "m", []byte("x"), opts)
	assert.Equal(t, opts.ContentType, info.ContentType)
	assert.Equal(t, opts.Metadata, info.Metadata)
	st, err := s.Stat(t.Context(), "m")
	require.NoError(t, err)
	assert.Equal(t, opts.ContentType, st.ContentType)
	assert.Equal(t, opts.Metadata, st.Metadata)
	_, gi := get(t, s, "m", nil)
	assert.Equal(t, opts.Metadata, gi.Metadata)
	_, gi = get(t, s, "m", &blob.Range{Offset: 0, Length: 1})
	assert.Equal(t, opts.Metadata, gi.Metadata)
	assert.Equal(t, opts.ContentType, gi.ContentType)

	// The caller's map is not retained.
	opts.Metadata["organization"] = "changed"
	st, err = s.Stat(t.Context(), "m")
	require.NoError(t, err)
	assert.Equal(t, "commune-de-plougastel-daoulas", st.Metadata["organization"])
}

func testPresign(t *testing.T, s blob.Store) {
	ctx := t.Context()
	data := []byte("a;b\n1;2\n")
	put(t, s, "pub/data.csv", data, blob.PutOptions{ContentType: "application/octet-stream"})
	opts := blob.PresignOptions{
		ContentDisposition: `attachment; filename="donnees.csv"; filename*=UTF-8''donn%C3%A9es.csv`,
		ContentType:        "text/csv; charset=utf-8",
	}
	u, err := s.PresignGet(ctx, "pub/data.csv", time.Minute, opts)
	if errors.Is(err, blob.ErrNotSupported) {
		t.Skip("this backend does not presign")
	}
	require.NoError(t, err)

	body, hdr, status := httpGet(t, u)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, data, body)
	assert.Equal(t, opts.ContentDisposition, hdr.Get("Content-Disposition"))
	assert.Equal(t, opts.ContentType, hdr.Get("Content-Type"))

	u, err = s.PresignGet(ctx, "pub/missing.csv", time.Minute, blob.PresignOptions{})
	require.NoError(t, err, "presigning does not check existence")
	_, _, status = httpGet(t, u)
	assert.Equal(t, http.StatusNotFound, status)

	for _, ttl := range []time.Duration{0, -time.Second, 8 * 24 * time.Hour} {
		_, err = s.PresignGet(ctx, "pub/data.csv", ttl, blob.PresignOptions{})
		assert.ErrorIs(t, err, blob.ErrInvalidOptions, "ttl %v", ttl)
	}
	_, err = s.PresignGet(ctx, "pub/data.csv", time.Minute, blob.PresignOptions{ContentDisposition: "a\r\nX-Evil: 1"})
	assert.ErrorIs(t, err, blob.ErrInvalidOptions)
}

func httpGet(t *testing.T, u string) ([]byte, http.Header, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return body, resp.Header, resp.StatusCode
}
