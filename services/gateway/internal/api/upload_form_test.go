package api

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"testing"
)

// FuzzUploadForm reads arbitrary multipart bodies as an upload does —
// fields, the file part spooled, the rest of the form, the numbers — and
// checks nothing panics and the spool never holds more than its limit + 1.
func FuzzUploadForm(f *testing.F) {
	seed := func(parts ...[3]string) []byte {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.SetBoundary("XyZ")
		for _, p := range parts {
			if p[1] != "" {
				w, _ := mw.CreateFormFile(p[0], p[1])
				_, _ = w.Write([]byte(p[2]))
			} else {
				_ = mw.WriteField(p[0], p[2])
			}
		}
		_ = mw.Close()
		return b.Bytes()
	}
	f.Add(seed([3]string{"uuid", "", "u"}, [3]string{"filename", "", "a.csv"}, [3]string{"file", "blob", "a;b\n"},
		[3]string{"partindex", "", "0"}, [3]string{"partbyteoffset", "", "0"}, [3]string{"totalparts", "", "2"}, [3]string{"chunksize", "", "4"}))
	f.Add(seed([3]string{"file", "../../etc/passwd", "x"}, [3]string{"file", "b.csv", "y"}))
	f.Add(seed([3]string{"totalparts", "", " +1_0 "}, [3]string{"chunksize", "", "deux"}))
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x00b.csv\"\r\n\r\nx\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"donn\xe9es.csv\"\r\n\r\nx"))
	budget := newSpoolBudget(1 << 20)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/1/datasets/x/upload/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=XyZ")
		form, err := newUploadForm(req)
		if err != nil {
			return
		}
		part, err := form.nextFile()
		if err != nil {
			return
		}
		if part != nil {
			sp := &spool{budget: budget}
			defer sp.Close()
			const limit = 64
			if _, err := sp.fill(part, limit); err != nil {
				return
			}
			if sp.Len() > limit+1 {
				t.Fatalf("spool holds %d bytes, limit %d", sp.Len(), limit)
			}
			rd, err := sp.Reader()
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := io.Copy(io.Discard, rd); n != sp.Len() {
				t.Fatalf("spool gives back %d bytes of %d", n, sp.Len())
			}
			if err := form.rest(); err != nil {
				return
			}
		}
		u, err := form.fields()
		if err != nil {
			return
		}
		_ = u.isChunk() || u.chunkReady() || u.notChunk()
		_, _ = int32Field("totalparts", u.totalParts)
	})
}
