package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/events"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/gateway"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/storage"
)

// samplesDir holds real files of collectivités (../shared/data/samples).
const samplesDir = "../../../../../shared/data/samples"

// The tests upload as data.gouv.fr's clients do: datagouv_client and
// scripts send one request with `file`; the front end (cdata) sends files
// over 20 000 000 bytes in chunks of that size, each with, in this order,
// uuid, filename, file, partindex, partbyteoffset, totalparts, chunksize,
// then a final call with uuid, filename and totalparts. The tests use
// smaller chunks, the same fields and flow.

// TestUploadSamples uploads every sample file in one request and checks
// the resource (checksum = sha1sum of the file) and the download.
func TestUploadSamples(t *testing.T) {
	forEachBackend(t, func(t *testing.T, w *world, backend string) {
		env := w.env
		d := w.dataset(t, w.alice, str(w.orgA["id"]), "Données de la commune", nil)
		var paths []string
		require.NoError(t, filepath.WalkDir(samplesDir, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				paths = append(paths, p)
			}
			return err
		}))
		require.NotEmpty(t, paths, "samples in %s", samplesDir)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			name := filepath.Base(p)
			res := expect(t, env.Send(t, uploadRequest(t, env, "/api/1/datasets/"+str(d["id"])+"/upload/", w.alice,
				filePart(name, data))), http.StatusCreated).Object(t)
			require.Equal(t, true, res["success"], name)
			require.Equal(t, map[string]any{"type": "sha1", "value": sha1Hex(data)}, res["checksum"], name)
			require.EqualValues(t, fmt.Sprint(len(data)), fmt.Sprint(res["filesize"]), name)
			require.Equal(t, "file", res["filetype"], name)
			require.Equal(t, "main", res["type"], name)
			require.Equal(t, strings.ReplaceAll(strings.ToLower(name), "_", "-"), res["title"], name)
			require.Equal(t, strings.ToLower(filepath.Ext(name)[1:]), res["format"], name)
			require.True(t, strings.HasPrefix(str(res["url"]), env.URL+"/resources/donnees-de-la-commune/"), res["url"])
			require.NotEmpty(t, res["mime"], name)
			require.Equal(t, env.URL+"/api/1/datasets/r/"+str(res["id"]), res["latest"])

			got := download(t, env, str(res["url"]), nil)
			require.Equal(t, data, got.Body, name)
		}
		ds := expect(t, env.Do(t, "GET", "/api/1/datasets/"+str(d["id"])+"/", nil, ""), 200).Object(t)
		require.Len(t, ds["resources"], len(paths))
	})
}

// TestUploadChunkedAsTheFrontEnd sends a file as cdata does, parts out of
// order and one part twice, then the final call.
func TestUploadChunkedAsTheFrontEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, w *world, backend string) {
		env := w.env
		d := w.dataset(t, w.alice, str(w.orgA["id"]), "Budget primitif", nil)
		path := "/api/1/datasets/" + str(d["id"]) + "/upload/"
		data := csvBytes(2_600_000)
		const chunk = 500_000
		uuid := "0b9f6c3e-1c1f-4d2e-9a55-3f1d2e4c5b6a"
		parts := splitChunks(data, chunk)
		order := []int{2, 0, 4, 1, 5, 3}
		require.Len(t, parts, len(order))
		for _, i := range order {
			res := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, frontEndChunk(uuid, "Budget Primitif 2024.csv", i, chunk, parts)...)), 200)
			require.Equal(t, `{"success": true}`, string(res.Body))
		}
		// A retried part (the front end retries a failed call 3 times).
		expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, frontEndChunk(uuid, "Budget Primitif 2024.csv", 1, chunk, parts)...)), 200)

		res := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice,
			field("uuid", uuid), field("filename", "Budget Primitif 2024.csv"), field("totalparts", fmt.Sprint(len(parts))))), 201).Object(t)
		require.Equal(t, true, res["success"])
		require.Equal(t, "budget-primitif-2024.csv", res["title"])
		require.Equal(t, "csv", res["format"])
		require.Equal(t, "text/csv", res["mime"])
		require.Equal(t, map[string]any{"type": "sha1", "value": sha1Hex(data)}, res["checksum"])
		require.Equal(t, data, download(t, env, str(res["url"]), nil).Body)

		// The same flow with every field before the file (streamed straight
		// to storage), and a single-part "chunked" upload (a whole file).
		uuid2 := "6a1d0c5e-8b0e-4a7c-b2f4-0d3e9c1b2a40"
		for i := range parts {
			fields := []part{field("uuid", uuid2), field("filename", "budget.csv"), field("partindex", fmt.Sprint(i)),
				field("partbyteoffset", fmt.Sprint(i*chunk)), field("totalparts", fmt.Sprint(len(parts))),
				field("chunksize", fmt.Sprint(len(parts[i]))), filePart("blob", parts[i])}
			expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, fields...)), 200)
		}
		res = expect(t, env.Send(t, uploadRequest(t, env, path, w.alice,
			field("uuid", uuid2), field("filename", "budget.csv"), field("totalparts", fmt.Sprint(len(parts))))), 201).Object(t)
		require.Equal(t, sha1Hex(data), res["checksum"].(map[string]any)["value"])
		res = expect(t, env.Send(t, uploadRequest(t, env, path, w.alice,
			field("uuid", uuid2), field("filename", "x.csv"), filePart("petit.csv", []byte("a;b\n1;2\n")),
			field("totalparts", "1"))), 201).Object(t)
		require.Equal(t, "petit.csv", res["title"])
	})
}

// TestUploadRefusals checks each refusal and its udata body.
func TestUploadRefusals(t *testing.T) {
	w := newWorldWith(t, gatewaytest.Options{})
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Refus", nil)
	path := "/api/1/datasets/" + str(d["id"]) + "/upload/"
	requireBody := func(res *gatewaytest.Response, code int, body string) {
		t.Helper()
		require.Equal(t, code, res.Status, "%s", res.Body)
		require.Equal(t, body, string(res.Body))
	}

	t.Run("chunk size mismatch", func(t *testing.T) {
		parts := [][]byte{[]byte("a;b\n"), []byte("1;2\n")}
		fields := frontEndChunk("a1b2c3", "x.csv", 0, 4, parts)
		fields[len(fields)-1] = field("chunksize", "5")
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, fields...)), 400, `{"error": "Chunk size mismatch", "success": false}`)
		// Every field first: the storage service refuses it.
		direct := []part{field("uuid", "a1b2c3"), field("filename", "x.csv"), field("partindex", "0"), field("partbyteoffset", "0"),
			field("totalparts", "2"), field("chunksize", "3"), filePart("blob", parts[0])}
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, direct...)), 400, `{"error": "Chunk size mismatch", "success": false}`)
	})
	t.Run("missing file", func(t *testing.T) {
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, field("uuid", "u1"), field("filename", "x.csv"))),
			400, `{"error": "Missing file parameter", "success": false}`)
		requireBody(env.Do(t, "POST", path, map[string]any{"file": "x"}, w.alice), 400, `{"error": "Missing file parameter", "success": false}`)
	})
	t.Run("missing parts", func(t *testing.T) {
		res := env.Send(t, uploadRequest(t, env, path, w.alice, frontEndChunk("m1", "x.csv", 0, 4, [][]byte{[]byte("a;b\n"), []byte("1;2\n")})...))
		expect(t, res, 200)
		res = env.Send(t, uploadRequest(t, env, path, w.alice, field("uuid", "m1"), field("filename", "x.csv"), field("totalparts", "2")))
		require.Equal(t, 400, res.Status, "%s", res.Body)
		require.Equal(t, false, res.Object(t)["success"])
		require.Contains(t, res.Object(t)["error"], "Missing parts")
	})
	t.Run("bad number", func(t *testing.T) {
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, field("totalparts", "deux"), filePart("x.csv", []byte("a\n")))), 400,
			`{"errors": {"totalparts": "invalid literal for int() with base 10: 'deux'"}, "message": "Input payload validation failed"}`)
	})
	t.Run("html", func(t *testing.T) {
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, filePart("page.csv", []byte("<!DOCTYPE html><html><body>x</body></html>")))),
			415, `{"message": "Incorrect file content type: HTML"}`)
	})
	t.Run("extension", func(t *testing.T) {
		requireBody(env.Send(t, uploadRequest(t, env, path, w.alice, filePart("data.parquet", []byte("PAR1")))), 400,
			`{"message": "This file type is not allowed.The allowed file type list is available at `+env.URL+`/api/1/datasets/extensions/"}`)
	})
	t.Run("extensions list", func(t *testing.T) {
		res := expect(t, env.Do(t, "GET", "/api/1/datasets/extensions/", nil, ""), 200)
		var list []string
		for _, v := range res.JSON(t).([]any) {
			list = append(list, v.(string))
		}
		require.True(t, slices.IsSorted(list), "%v", list)
		require.Contains(t, list, "csv")
		require.Contains(t, list, "geojson")
		require.NotContains(t, list, "parquet")
		require.NotContains(t, list, "html")
	})
	t.Run("no permission, before a byte is read", func(t *testing.T) {
		// Anonymous, a bad key, an outsider, another organization's admin.
		for _, c := range []struct {
			key  string
			code int
		}{{"", 401}, {"udata_not-a-token", 401}, {w.outside, 403}, {w.bob, 403}} {
			big := &countingReader{n: 64 << 20}
			req := uploadRequest(t, env, path, c.key, filePart("gros.csv", nil))
			req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(bodyPrefix(t, req)), big))
			req.ContentLength = -1
			res := env.Send(t, req)
			require.Equal(t, c.code, res.Status, "%s", res.Body)
			require.Less(t, big.read(), int64(8<<20), "the body was read before the refusal")
		}
		// Chunks too.
		res := env.Send(t, uploadRequest(t, env, path, w.outside, frontEndChunk("o1", "x.csv", 0, 4, [][]byte{[]byte("a;b\n"), []byte("1;2\n")})...))
		requireBody(res, 403, `{"message": "You do not have the permission to modify that object."}`)
		ds := expect(t, env.Do(t, "GET", "/api/1/datasets/"+str(d["id"])+"/", nil, ""), 200).Object(t)
		require.Empty(t, ds["resources"])
	})
	t.Run("odd names and an empty file", func(t *testing.T) {
		res := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("../../etc/passwd.csv", []byte("a\n")))), 201).Object(t)
		require.Equal(t, "passwd.csv", res["title"])
		require.True(t, strings.HasPrefix(str(res["url"]), env.URL+"/resources/refus/"), res["url"])
		res = expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("donn\xe9es.csv", []byte("a\n")))), 201).Object(t)
		require.NotContains(t, str(res["url"]), "..")
		r := env.Send(t, uploadRequest(t, env, path, w.alice, filePart("a\x00b.csv", []byte("a\n"))))
		require.Less(t, r.Status, 500, "%s", r.Body)
		empty := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("vide.csv", nil))), 201).Object(t)
		require.EqualValues(t, "0", fmt.Sprint(empty["filesize"]))
		require.Equal(t, sha1Hex(nil), empty["checksum"].(map[string]any)["value"])
		got := download(t, env, str(empty["url"]), nil)
		require.Equal(t, 200, got.Status)
		require.Empty(t, got.Body)
		require.Equal(t, "0", got.Header.Get("Content-Length"))
		require.Equal(t, 416, download(t, env, str(empty["url"]), http.Header{"Range": {"bytes=0-"}}).Status)
		for _, r := range expect(t, env.Do(t, "GET", "/api/1/datasets/"+str(d["id"])+"/", nil, ""), 200).Object(t)["resources"].([]any) {
			expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+str(d["id"])+"/resources/"+str(r.(map[string]any)["id"])+"/", nil, w.alice), 204)
		}
	})
	t.Run("unknown dataset or resource", func(t *testing.T) {
		res := env.Send(t, uploadRequest(t, env, "/api/1/datasets/5f0c8a1e2b3c4d5e6f708192/upload/", w.alice, filePart("x.csv", []byte("a\n"))))
		require.Equal(t, 404, res.Status, "%s", res.Body)
		res = env.Send(t, uploadRequest(t, env, path[:len(path)-len("upload/")]+"resources/0b9f6c3e-1c1f-4d2e-9a55-3f1d2e4c5b6a/upload/", w.alice, filePart("x.csv", []byte("a\n"))))
		requireBody(res, 404, `{"message": "Resource does not exist"}`)
	})
}

// TestReplaceUploadKeepsTheResource replaces a resource's file: same id,
// description and type; udata sets the new file's title, url, checksum…
// and the old file is gone.
func TestReplaceUploadKeepsTheResource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, w *world, backend string) {
		env := w.env
		d := w.dataset(t, w.alice, str(w.orgA["id"]), "Remplacement", nil)
		id := str(d["id"])
		first := expect(t, env.Send(t, uploadRequest(t, env, "/api/1/datasets/"+id+"/upload/", w.alice,
			filePart("budget-2023.csv", []byte("annee;montant\n2023;1\n")))), 201).Object(t)
		rid := str(first["id"])
		expect(t, env.Do(t, "PUT", "/api/1/datasets/"+id+"/resources/"+rid+"/", map[string]any{
			"title": "Budget", "description": "Le budget voté.", "type": "documentation",
		}, w.alice), 200)

		data := []byte("annee;montant\n2024;2\n")
		res := expect(t, env.Send(t, uploadRequest(t, env, "/api/1/datasets/"+id+"/resources/"+rid+"/upload/", w.alice,
			filePart("budget-2024.csv", data))), 200).Object(t)
		require.Equal(t, rid, res["id"])
		require.Equal(t, true, res["success"])
		require.Equal(t, "Le budget voté.", res["description"])
		require.Equal(t, "documentation", res["type"])
		require.Equal(t, "budget-2024.csv", res["title"])
		require.Equal(t, sha1Hex(data), res["checksum"].(map[string]any)["value"])
		require.NotEqual(t, first["url"], res["url"])
		require.Equal(t, data, download(t, env, str(res["url"]), nil).Body)
		require.Equal(t, http.StatusNotFound, env.Send(t, mustRequest(t, "GET", str(first["url"]))).Status, "the replaced file is deleted")

		ds := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200).Object(t)
		require.Len(t, ds["resources"], 1)
	})
}

// TestDownload checks ranges, ETags, HEAD, Content-Disposition, the
// /datasets/r/ redirection and the download events.
func TestDownload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, w *world, backend string) {
		env := w.env
		got := collectDownloads(t, env.Bus)
		d := w.dataset(t, w.alice, str(w.orgA["id"]), "Téléchargements", nil)
		data := csvBytes(300_000)
		res := expect(t, env.Send(t, uploadRequest(t, env, "/api/1/datasets/"+str(d["id"])+"/upload/", w.alice,
			filePart("Délibérations 2024.csv", data))), 201).Object(t)
		url, rid := str(res["url"]), str(res["id"])
		etag := `"` + sha256Hex(data) + `"`

		full := download(t, env, url, nil)
		require.Equal(t, 200, full.Status)
		require.Equal(t, data, full.Body)
		require.Equal(t, "text/csv", full.Header.Get("Content-Type"))
		require.Equal(t, fmt.Sprint(len(data)), full.Header.Get("Content-Length"))
		require.Equal(t, "bytes", full.Header.Get("Accept-Ranges"))
		require.Equal(t, etag, full.Header.Get("ETag"))
		require.Equal(t, `attachment; filename*=utf-8''D%C3%A9lib%C3%A9rations%202024.csv`, full.Header.Get("Content-Disposition"))

		part := download(t, env, url, http.Header{"Range": {"bytes=10-19"}})
		require.Equal(t, 206, part.Status)
		require.Equal(t, data[10:20], part.Body)
		require.Equal(t, fmt.Sprintf("bytes 10-19/%d", len(data)), part.Header.Get("Content-Range"))
		require.Equal(t, data[len(data)-5:], download(t, env, url, http.Header{"Range": {"bytes=-5"}}).Body)
		require.Equal(t, data[299_990:], download(t, env, url, http.Header{"Range": {"bytes=299990-"}}).Body)
		for _, bad := range []string{fmt.Sprintf("bytes=%d-", len(data)), "bytes=abc", "bytes=5-2"} {
			r := download(t, env, url, http.Header{"Range": {bad}})
			require.Equal(t, 416, r.Status, bad)
			require.Equal(t, fmt.Sprintf("bytes */%d", len(data)), r.Header.Get("Content-Range"), bad)
		}
		require.Equal(t, data, download(t, env, url, http.Header{"Range": {"bytes=0-1,5-6"}}).Body, "several ranges: the whole file")
		require.Equal(t, data, download(t, env, url, http.Header{"Range": {"bytes=0-1"}, "If-Range": {`"other"`}}).Body)

		nm := download(t, env, url, http.Header{"If-None-Match": {etag}})
		require.Equal(t, 304, nm.Status)
		require.Empty(t, nm.Body)
		require.Equal(t, 200, download(t, env, url, http.Header{"If-None-Match": {`"other"`}}).Status)
		head := env.Send(t, mustRequest(t, "HEAD", url))
		require.Equal(t, 200, head.Status)
		require.Empty(t, head.Body)
		require.Equal(t, fmt.Sprint(len(data)), head.Header.Get("Content-Length"))
		require.Equal(t, etag, head.Header.Get("ETag"))

		require.Equal(t, 404, env.Send(t, mustRequest(t, "GET", env.URL+"/resources/telechargements/20240101-000000/absent.csv")).Status)
		require.NotEqual(t, 200, env.Send(t, mustRequest(t, "GET", env.URL+"/resources/../etc/passwd")).Status)
		latest := expect(t, env.Do(t, "GET", "/api/1/datasets/r/"+rid, nil, ""), 302)
		require.Equal(t, url, latest.Header.Get("Location"))

		bot := mustRequest(t, "GET", url)
		bot.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
		require.Equal(t, 200, env.Send(t, bot).Status)

		// GET 200 ×5 and 206 ×3 are downloads; HEAD, 304, 404 and 416 are not.
		evs := got.wait(t, 8)
		bots := 0
		for _, e := range evs {
			require.Equal(t, rid, e.GetResourceId())
			require.Equal(t, str(d["id"]), e.GetDatasetId())
			require.Equal(t, strings.TrimPrefix(url, env.URL+"/"), e.GetKey())
			if e.GetUserAgentIsBot() {
				bots++
			}
		}
		require.Equal(t, 1, bots)
	})
}

// TestS3Redirect: on s3, downloads redirect to a presigned URL by default.
func TestS3Redirect(t *testing.T) {
	if !slices.Contains(blobtest.Backends(), "s3") {
		t.Skip("no test MinIO (RELAIS_TEST_S3_ENDPOINT)")
	}
	w := newWorldWith(t, gatewaytest.Options{Blob: "s3"})
	env := w.env
	got := collectDownloads(t, env.Bus)
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Redirection", nil)
	data := csvBytes(100_000)
	res := expect(t, env.Send(t, uploadRequest(t, env, "/api/1/datasets/"+str(d["id"])+"/upload/", w.alice, filePart("stats.csv", data))), 201).Object(t)
	r := env.Send(t, mustRequest(t, "GET", str(res["url"])))
	require.Equal(t, 302, r.Status, "%s", r.Body)
	presigned := r.Header.Get("Location")
	resp, err := http.Get(presigned)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, data, body)
	require.Contains(t, resp.Header.Get("Content-Disposition"), "stats.csv")
	require.Len(t, got.wait(t, 1), 1)
}

// newWorldWith is newWorld on an environment started with opts.
func newWorldWith(t *testing.T, opts gatewaytest.Options) *world {
	env := gatewaytest.Start(t, opts)
	w := &world{
		env:     env,
		alice:   env.NewUser(t, "alice@saint-etienne.test", "Alice", "Martin"),
		bob:     env.NewUser(t, "bob@roanne.test", "Bob", "Durand"),
		outside: env.NewUser(t, "eve@example.test", "Eve", "Petit"),
	}
	w.orgA = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{
		"name": "Commune de Saint-Étienne", "description": "Ville de la Loire.", "business_number_id": "21420218600018",
	}, w.alice), 201).Object(t)
	w.orgB = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{
		"name": "Ville de Roanne", "description": "Sous-préfecture.",
	}, w.bob), 201).Object(t)
	return w
}

// forEachBackend runs fn on a fresh world for fs, and for s3 (downloads
// proxied) when the test MinIO is there.
func forEachBackend(t *testing.T, fn func(t *testing.T, w *world, backend string)) {
	for _, backend := range blobtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			opts := gatewaytest.Options{Blob: backend}
			if backend == "s3" {
				opts.Gateway = func(c *gateway.Config) { c.S3Downloads = "proxy" }
			}
			fn(t, newWorldWith(t, opts), backend)
		})
	}
}

// part is one part of a multipart form.
type part struct {
	name, filename string
	data           []byte
}

func field(name, value string) part          { return part{name: name, data: []byte(value)} }
func filePart(name string, data []byte) part { return part{name: "file", filename: name, data: data} }

// frontEndChunk is cdata's chunk i: uuid, filename, file, partindex,
// partbyteoffset, totalparts, chunksize.
func frontEndChunk(uuid, name string, i, chunk int, parts [][]byte) []part {
	return []part{
		field("uuid", uuid), field("filename", name), filePart("blob", parts[i]),
		field("partindex", fmt.Sprint(i)), field("partbyteoffset", fmt.Sprint(i*chunk)),
		field("totalparts", fmt.Sprint(len(parts))), field("chunksize", fmt.Sprint(len(parts[i]))),
	}
}

func uploadRequest(t testing.TB, env *gatewaytest.Env, path, key string, parts ...part) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.filename != "" {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, p.name, p.filename))
			h.Set("Content-Type", "application/octet-stream")
		} else {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, p.name))
		}
		pw, err := mw.CreatePart(h)
		require.NoError(t, err)
		_, err = pw.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", env.URL+path, bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	return req
}

// bodyPrefix returns req's body up to the end of the file part's headers
// (its data empty, and without the closing boundary).
func bodyPrefix(t testing.TB, req *http.Request) []byte {
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	i := bytes.LastIndex(b, []byte("\r\n--"))
	require.Positive(t, i)
	return b[:i]
}

// countingReader yields n bytes of 'x' and counts what was read.
type countingReader struct {
	mu   sync.Mutex
	n    int64
	done int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done >= c.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.n-c.done)
	for i := range p[:k] {
		p[i] = 'x'
	}
	c.done += k
	return int(k), nil
}

func (c *countingReader) read() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

func mustRequest(t testing.TB, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

func download(t testing.TB, env *gatewaytest.Env, url string, h http.Header) *gatewaytest.Response {
	t.Helper()
	req := mustRequest(t, "GET", url)
	for k, v := range h {
		req.Header[k] = v
	}
	return env.Send(t, req)
}

// csvBytes returns n bytes of a CSV file.
func csvBytes(n int) []byte {
	var b bytes.Buffer
	b.WriteString("commune;annee;montant\n")
	rnd := make([]byte, 8)
	for i := 0; b.Len() < n; i++ {
		_, _ = rand.Read(rnd)
		fmt.Fprintf(&b, "Saint-Étienne-%d;%d;%x\n", i, 2000+i%25, rnd)
	}
	return b.Bytes()[:n]
}

func splitChunks(data []byte, size int) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		k := min(size, len(data))
		out = append(out, data[:k])
		data = data[k:]
	}
	return out
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// downloads gathers relais.storage.resource.downloaded events.
type downloads struct {
	mu  sync.Mutex
	evs []*eventsv1.ResourceDownloaded
}

func collectDownloads(t testing.TB, bus *events.Bus) *downloads {
	t.Helper()
	d := &downloads{}
	cons, err := bus.Consume(t.Context(), events.ConsumerConfig{
		Durable: "test-downloads-" + fmt.Sprint(time.Now().UnixNano()), FilterSubjects: []string{"relais.storage.resource.downloaded"},
	}, func(_ context.Context, m events.Message) error {
		var e eventsv1.ResourceDownloaded
		if err := proto.Unmarshal(m.Data, &e); err != nil {
			return err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		d.evs = append(d.evs, &e)
		return nil
	})
	require.NoError(t, err)
	t.Cleanup(cons.Stop)
	return d
}

// wait waits for n events, then a little longer to catch an extra one.
func (d *downloads) wait(t testing.TB, n int) []*eventsv1.ResourceDownloaded {
	t.Helper()
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.evs) >= n
	}, 15*time.Second, 10*time.Millisecond, "want %d download events", n)
	time.Sleep(300 * time.Millisecond)
	d.mu.Lock()
	defer d.mu.Unlock()
	require.Len(t, d.evs, n)
	return slices.Clone(d.evs)
}

// TestUploadStreams checks the paths a file takes when it may be longer
// than a chunk (here 1 MiB): streamed at once when the request is too long
// to be a chunk, spooled then streamed when its length is unknown, and a
// client that goes away mid-file stores nothing.
func TestUploadStreams(t *testing.T) {
	const maxChunk = 1 << 20
	w := newWorldWith(t, gatewaytest.Options{
		Storage: func(c *storage.Config) { c.MaxChunkSize = maxChunk },
		Gateway: func(c *gateway.Config) { c.MaxChunkSize = maxChunk },
	})
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Gros fichiers", nil)
	path := "/api/1/datasets/" + str(d["id"]) + "/upload/"
	data := csvBytes(3_000_000)
	front := func(name string) []part {
		return []part{field("uuid", "f1"), field("filename", name), filePart(name, data)}
	}

	res := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, front("connu.csv")...)), 201).Object(t)
	require.Equal(t, sha1Hex(data), res["checksum"].(map[string]any)["value"])

	req := uploadRequest(t, env, path, w.alice, front("inconnu.csv")...)
	req.ContentLength = -1 // sent chunked: the gateway cannot know
	res = expect(t, env.Send(t, req), 201).Object(t)
	require.Equal(t, sha1Hex(data), res["checksum"].(map[string]any)["value"])
	require.Equal(t, data, download(t, env, str(res["url"]), nil).Body)

	big := splitChunks(data, 1_500_000)
	r := env.Send(t, uploadRequest(t, env, path, w.alice, frontEndChunk("g1", "gros.csv", 0, 1_500_000, big)...))
	require.Equal(t, 400, r.Status, "%s", r.Body)

	// The client goes away in the middle of the file.
	cut := uploadRequest(t, env, path, w.alice, front("coupe.csv")...)
	body, err := io.ReadAll(cut.Body)
	require.NoError(t, err)
	cut.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:2_000_000]), errReader{}))
	cut.ContentLength = -1
	_, err = http.DefaultClient.Do(cut)
	require.Error(t, err)

	ds := expect(t, env.Do(t, "GET", "/api/1/datasets/"+str(d["id"])+"/", nil, ""), 200).Object(t)
	require.Len(t, ds["resources"], 2, "only the two whole files")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("client gone") }

// TestUploadNotPublishedIsDeleted: when the catalog refuses the resource
// after the file is stored (here the dataset was deleted meanwhile), the
// stored file is deleted.
func TestUploadNotPublishedIsDeleted(t *testing.T) {
	w := newWorldWith(t, gatewaytest.Options{})
	env := w.env
	stored := collectFileEvents(t, env.Bus)
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Supprimé pendant l'envoi", nil)
	req := uploadRequest(t, env, "/api/1/datasets/"+str(d["id"])+"/upload/", w.alice, filePart("tard.csv", nil))
	raw, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	end := bytes.LastIndex(raw, []byte("\r\n--"))
	pr, pw := io.Pipe()
	req.Body, req.ContentLength = pr, -1
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	_, err = pw.Write(raw[:end])
	require.NoError(t, err)
	_, err = pw.Write(csvBytes(100_000)) // read by the gateway: the permission check is behind
	require.NoError(t, err)
	expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+str(d["id"])+"/", nil, w.alice), 204)
	_, err = pw.Write(raw[end:])
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	res := <-done
	require.NoError(t, res.err)
	require.Equal(t, http.StatusGone, res.status)

	evs := stored.wait(t, 2)
	require.Equal(t, []string{"relais.storage.object.stored", "relais.storage.object.deleted"}, []string{evs[0].subject, evs[1].subject})
	require.Equal(t, evs[0].key, evs[1].key)
}

type fileEvent struct{ subject, key string }

type fileEvents struct {
	mu  sync.Mutex
	evs []fileEvent
}

func collectFileEvents(t testing.TB, bus *events.Bus) *fileEvents {
	t.Helper()
	f := &fileEvents{}
	cons, err := bus.Consume(t.Context(), events.ConsumerConfig{
		Durable: "test-files-" + fmt.Sprint(time.Now().UnixNano()), FilterSubjects: []string{"relais.storage.object.>"},
	}, func(_ context.Context, m events.Message) error {
		var e eventsv1.FileStored // FileDeleted's key has the same field number
		if err := proto.Unmarshal(m.Data, &e); err != nil {
			return err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.evs = append(f.evs, fileEvent{subject: m.Subject, key: e.GetKey()})
		return nil
	})
	require.NoError(t, err)
	t.Cleanup(cons.Stop)
	return f
}

func (f *fileEvents) wait(t testing.TB, n int) []fileEvent {
	t.Helper()
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.evs) >= n
	}, 15*time.Second, 10*time.Millisecond, "want %d file events", n)
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.evs)
}
