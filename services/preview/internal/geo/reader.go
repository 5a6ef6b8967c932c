package geo

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// rawFeature is a GeoJSON Feature with its parts still encoded.
type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id,omitempty"`
	Geometry   *rawGeometry    `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// featureReader streams the features of a GeoJSON FeatureCollection, one
// decoded at a time; a lone Feature or geometry reads as one feature.
type featureReader struct {
	dec      *json.Decoder
	top      map[string]json.RawMessage // members other than "features"
	started  bool
	inArray  bool
	features bool // a "features" array was read
	done     bool
	n        int64 // features returned
}

func newFeatureReader(r io.Reader, maxBytes int64) *featureReader {
	lr := &limitedReader{r: r, max: maxBytes}
	return &featureReader{dec: json.NewDecoder(bufio.NewReaderSize(lr, 64<<10)), top: map[string]json.RawMessage{}}
}

// next returns the next feature, io.EOF after the last one.
func (fr *featureReader) next() (*rawFeature, error) {
	if fr.done {
		return nil, io.EOF
	}
	f, err := fr.step()
	if err != nil {
		fr.done = true
		if err != io.EOF {
			return nil, fr.wrap(err)
		}
	}
	return f, err
}

func (fr *featureReader) step() (*rawFeature, error) {
	if !fr.started {
		fr.started = true
		tok, err := fr.dec.Token()
		if err != nil {
			return nil, err
		}
		if tok != json.Delim('{') {
			return nil, fmt.Errorf("%w: not a GeoJSON object", ErrInvalid)
		}
	}
	for {
		if fr.inArray {
			if fr.dec.More() {
				var f rawFeature
				if err := fr.dec.Decode(&f); err != nil {
					return nil, fmt.Errorf("feature %d: %w", fr.n+1, err)
				}
				fr.n++
				if f.Type != "Feature" {
					return nil, fmt.Errorf("%w: feature %d has type %q, not Feature", ErrInvalid, fr.n, f.Type)
				}
				return &f, nil
			}
			if _, err := fr.dec.Token(); err != nil { // ']'
				return nil, err
			}
			fr.inArray = false
		}
		tok, err := fr.dec.Token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim('}') {
			return fr.end()
		}
		key, _ := tok.(string)
		if key == "features" && !fr.features {
			tok, err := fr.dec.Token()
			if err != nil {
				return nil, err
			}
			if tok != json.Delim('[') {
				return nil, fmt.Errorf("%w: \"features\" is not an array", ErrInvalid)
			}
			fr.features, fr.inArray = true, true
			continue
		}
		var raw json.RawMessage
		if err := fr.dec.Decode(&raw); err != nil {
			return nil, err
		}
		fr.top[key] = raw
	}
}

// end closes the top-level object: a FeatureCollection is over; a lone
// Feature or geometry is its one feature.
func (fr *featureReader) end() (*rawFeature, error) {
	var typ string
	if raw, ok := fr.top["type"]; ok {
		if json.Unmarshal(raw, &typ) != nil {
			return nil, fmt.Errorf("%w: \"type\" is not a string", ErrInvalid)
		}
	}
	if fr.features {
		if typ != "" && typ != "FeatureCollection" {
			return nil, fmt.Errorf("%w: an object of type %q with features", ErrInvalid, typ)
		}
		return nil, io.EOF
	}
	fr.done = true
	switch typ {
	case "FeatureCollection":
		return nil, fmt.Errorf("%w: a FeatureCollection without \"features\"", ErrInvalid)
	case "Feature":
		fr.n++
		f := &rawFeature{Type: typ, ID: fr.top["id"], Properties: fr.top["properties"]}
		if raw, ok := fr.top["geometry"]; ok {
			if err := json.Unmarshal(raw, &f.Geometry); err != nil {
				return nil, fmt.Errorf("%w: geometry: %v", ErrInvalid, err)
			}
		}
		return f, nil
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		fr.n++
		return &rawFeature{Type: "Feature", Geometry: &rawGeometry{
			Type: typ, Coordinates: fr.top["coordinates"], Geometries: geometries(fr.top["geometries"]),
		}}, nil
	case "":
		return nil, fmt.Errorf("%w: no \"type\" and no \"features\"", ErrInvalid)
	}
	return nil, fmt.Errorf("%w: unknown type %q", ErrInvalid, typ)
}

// geometries decodes the members of a lone GeometryCollection; bad ones
// are left for parseGeometry to report.
func geometries(raw json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	if json.Unmarshal(raw, &out) != nil {
		return []json.RawMessage{raw}
	}
	return out
}

// wrap words a decoding error for a human.
func (fr *featureReader) wrap(err error) error {
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrTooLarge) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the file ends too early", ErrInvalid)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: JSON syntax error at byte %d: %v", ErrInvalid, se.Offset, se)
	}
	return fmt.Errorf("%w: %v", ErrInvalid, err)
}

// ErrTooLarge is wrapped by the error of an input past Options.MaxBytes.
var ErrTooLarge = errors.New("GeoJSON too large")

// limitedReader fails once more than max bytes were read, rather than
// truncating the input.
type limitedReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n >= l.max {
		var one [1]byte
		if n, err := io.ReadFull(l.r, one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
	}
	if int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
