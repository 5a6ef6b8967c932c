package grpcapi

import (
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// maxEncodings bounds the encodings kept; past it, they are dropped.
const maxEncodings = 4096

// encodings keeps the wire encoding of the datasets the app serves from its
// read cache. Popular pages return the same *Dataset values for a moment
// (the app never modifies them once presented), so their bytes are made
// once instead of on every response: marshalling was a sixth of the
// catalog's CPU on list pages.
type encodings struct {
	mu sync.Mutex
	m  map[*catalogv1.Dataset][]byte
}

func newEncodings() *encodings { return &encodings{m: map[*catalogv1.Dataset][]byte{}} }

func (e *encodings) of(d *catalogv1.Dataset) ([]byte, error) {
	e.mu.Lock()
	b, ok := e.m[d]
	e.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := proto.Marshal(d)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(e.m) >= maxEncodings {
		e.m = map[*catalogv1.Dataset][]byte{}
	}
	e.m[d] = b
	e.mu.Unlock()
	return b, nil
}

// listResponse builds a ListDatasetsResponse whose bytes are already made:
// they sit in the message's unknown fields, which proto.Marshal writes out
// as they are, and the client decodes them as the ordinary fields they are
// (field numbers of catalog.proto: datasets = 1, total = 2).
func (e *encodings) listResponse(ds []*catalogv1.Dataset, total int64) (*catalogv1.ListDatasetsResponse, error) {
	var raw []byte
	for _, d := range ds {
		b, err := e.of(d)
		if err != nil {
			return nil, err
		}
		raw = protowire.AppendTag(raw, 1, protowire.BytesType)
		raw = protowire.AppendBytes(raw, b)
	}
	if total != 0 {
		raw = protowire.AppendTag(raw, 2, protowire.VarintType)
		raw = protowire.AppendVarint(raw, uint64(total))
	}
	resp := &catalogv1.ListDatasetsResponse{}
	resp.ProtoReflect().SetUnknown(raw)
	return resp, nil
}

// getResponse is listResponse for GetDatasetResponse (dataset = 1,
// moved = 2).
func (e *encodings) getResponse(d *catalogv1.Dataset, moved bool) (*catalogv1.GetDatasetResponse, error) {
	b, err := e.of(d)
	if err != nil {
		return nil, err
	}
	raw := protowire.AppendTag(nil, 1, protowire.BytesType)
	raw = protowire.AppendBytes(raw, b)
	if moved {
		raw = protowire.AppendTag(raw, 2, protowire.VarintType)
		raw = protowire.AppendVarint(raw, 1)
	}
	resp := &catalogv1.GetDatasetResponse{}
	resp.ProtoReflect().SetUnknown(raw)
	return resp, nil
}
