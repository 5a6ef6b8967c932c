package api

import (
	"errors"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"strings"
)

// Limits of an upload form's fields (the file part itself is streamed).
const (
	maxFieldBytes = 64 << 10
	maxFormParts  = 100
)

// uploadForm reads an upload's multipart body as a stream: udata's
// upload_parser fields (file, uuid, filename, partindex, partbyteoffset,
// totalparts, chunksize) in whatever order the client sent them, the file
// part handed over unread. A field sent twice keeps its first value, and a
// part named file without a file name is a plain field, as in Werkzeug.
type uploadForm struct {
	mr     *multipart.Reader
	values map[string]string
	parts  int
	file   bool // the file part was handed over
	done   bool
}

func newUploadForm(r *http.Request) (*uploadForm, error) {
	f := &uploadForm{values: map[string]string{}}
	mr, err := r.MultipartReader()
	switch {
	case errors.Is(err, http.ErrNotMultipart), errors.Is(err, http.ErrMissingBoundary):
		// No form at all: udata sees no file and no fields.
		f.done = true
		return f, nil
	case err != nil:
		return nil, err
	}
	f.mr = mr
	return f, nil
}

// nextFile reads fields up to the file part and returns it, or nil at the
// end of the form. After the file part, it reads the rest of the form and
// returns nil.
func (f *uploadForm) nextFile() (*multipart.Part, error) {
	for !f.done {
		p, err := f.mr.NextPart()
		if errors.Is(err, io.EOF) {
			f.done = true
			break
		}
		if err != nil {
			return nil, err
		}
		f.parts++
		if f.parts > maxFormParts {
			return nil, &uploadError{code: http.StatusRequestEntityTooLarge, msg: msgTooLarge}
		}
		name := p.FormName()
		if p.FileName() != "" {
			if name == "file" && !f.file {
				f.file = true
				return p, nil
			}
			// Another file, or a second one: Werkzeug keeps it unused.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return nil, err
			}
			continue
		}
		value, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
		if err != nil {
			return nil, err
		}
		if len(value) > maxFieldBytes {
			return nil, &uploadError{code: http.StatusRequestEntityTooLarge, msg: msgTooLarge}
		}
		if _, seen := f.values[name]; !seen {
			f.values[name] = strings.ToValidUTF8(string(value), "\uFFFD")
		}
	}
	return nil, nil
}

// rest reads the form to its end (the fields after the file part).
func (f *uploadForm) rest() error {
	for !f.done {
		p, err := f.nextFile()
		if err != nil {
			return err
		}
		if p != nil { // cannot happen after the file part; drain defensively
			if _, err := io.Copy(io.Discard, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// uploadFields are udata's upload_parser form fields; nil numbers were not
// sent.
type uploadFields struct {
	uuid, filename                               string
	hasUUID, hasFilename                         bool
	partIndex, partOffset, totalParts, chunkSize *int64
}

// fields parses the fields read so far as reqparse does: a number that is
// not one is refused with flask-restx's 400.
func (f *uploadForm) fields() (uploadFields, error) {
	var u uploadFields
	u.uuid, u.hasUUID = f.values["uuid"]
	u.filename, u.hasFilename = f.values["filename"]
	for _, n := range []struct {
		name string
		dst  **int64
	}{
		{"partindex", &u.partIndex},
		{"partbyteoffset", &u.partOffset},
		{"totalparts", &u.totalParts},
		{"chunksize", &u.chunkSize},
	} {
		v, ok := f.values[n.name]
		if !ok {
			continue
		}
		i, err := pyInt(v)
		if err != nil {
			return u, &uploadError{code: http.StatusBadRequest, arg: n.name, msg: err.Error()}
		}
		*n.dst = &i
	}
	return u, nil
}

// isChunk is udata's `args["totalparts"] and args["totalparts"] > 1`.
func (u uploadFields) isChunk() bool { return u.totalParts != nil && *u.totalParts > 1 }

// chunkReady reports whether a chunk's fields all came before its file, so
// that it can be streamed straight to storage.
func (u uploadFields) chunkReady() bool {
	return u.isChunk() && u.hasUUID && u.hasFilename && u.partIndex != nil && u.partOffset != nil && u.chunkSize != nil
}

// notChunk reports whether the fields already say the file is whole.
func (u uploadFields) notChunk() bool { return u.totalParts != nil && *u.totalParts <= 1 }

// int32Field checks a number the storage service takes as int32.
func int32Field(name string, v *int64) (int32, error) {
	if v == nil {
		return 0, &uploadError{code: http.StatusBadRequest, status: true, msg: "Missing " + name + " parameter"}
	}
	if *v < math.MinInt32 || *v > math.MaxInt32 {
		return 0, &uploadError{code: http.StatusBadRequest, status: true, msg: "Invalid " + name + " parameter"}
	}
	return int32(*v), nil
}

// pyInt parses a form number as Python's int(s) (parsePyInt), with
// Python's error message.
func pyInt(s string) (int64, error) {
	i, err := parsePyInt(s)
	if err != nil {
		return 0, errors.New("invalid literal for int() with base 10: " + pyRepr(s))
	}
	return i, nil
}
