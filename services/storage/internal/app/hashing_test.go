package app

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/services/storage/internal/domain"
	"github.com/relais-data/relais/services/storage/internal/store"
)

// TestHashingReader: the background hashers see every byte in order,
// whatever the read sizes, even when the caller reuses its buffer at once.
func TestHashingReader(t *testing.T) {
	data := blobtest.Bytes(11, 5<<20+7)
	for _, r := range []io.Reader{iotest.OneByteReader(newBytes(data[:70000])), iotest.HalfReader(newBytes(data)), newBytes(data)} {
		h := newHashingReader(r, 1<<40)
		var got []byte
		buf := make([]byte, 1<<20)
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			n, err := h.Read(buf[:1+rng.IntN(len(buf))])
			got = append(got, buf[:n]...)
			for i := range buf[:n] { // the caller scribbles over its buffer
				buf[i] = 0xAA
			}
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
		}
		s1, s256 := h.Sums()
		w1, w256 := sha1.Sum(got), sha256.Sum256(got)
		assert.Equal(t, hex.EncodeToString(w1[:]), s1)
		assert.Equal(t, hex.EncodeToString(w256[:]), s256)
		assert.Equal(t, int64(len(got)), h.n)
	}
}

func TestHashingReaderLimit(t *testing.T) {
	h := newHashingReader(blobtest.Data(1, 3<<20), 2<<20)
	defer h.Close()
	_, err := io.Copy(io.Discard, h)
	require.ErrorIs(t, err, errTooLarge)
	h.Close() // twice is fine
}

type bytesReader struct{ b []byte }

func newBytes(b []byte) *bytesReader { return &bytesReader{b} }

func (r *bytesReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestCheckUpload(t *testing.T) {
	u := store.Upload{Filename: "a.csv", TotalParts: 4}
	in := CompleteInput{Filename: "a.csv", TotalParts: 4}
	parts := []store.Part{{Index: 0, Size: 10, Offset: 0}, {Index: 1, Size: 10, Offset: 10}, {Index: 2, Size: 10, Offset: 20}, {Index: 3, Size: 3, Offset: 30}}
	size, err := checkUpload(u, parts, in)
	require.NoError(t, err)
	assert.EqualValues(t, 33, size)

	_, err = checkUpload(u, []store.Part{parts[1], parts[3]}, in)
	assert.Equal(t, domain.ReasonMissingParts, domain.ReasonOf(err))
	assert.Equal(t, "Missing parts: 2 part(s) not received (0,2)", err.Error())
	_, err = checkUpload(u, nil, in)
	assert.Equal(t, "Missing parts: 4 part(s) not received (0,1,2,3)", err.Error())

	bad := append([]store.Part(nil), parts...)
	bad[2].Offset = 21
	_, err = checkUpload(u, bad, in)
	assert.Equal(t, domain.ReasonUploadMismatch, domain.ReasonOf(err))
	_, err = checkUpload(u, parts, CompleteInput{Filename: "a.csv", TotalParts: 5})
	assert.Equal(t, domain.ReasonUploadMismatch, domain.ReasonOf(err))
	_, err = checkUpload(u, parts, CompleteInput{Filename: "b.csv", TotalParts: 4})
	assert.Equal(t, domain.ReasonUploadMismatch, domain.ReasonOf(err))
}

func TestPartRef(t *testing.T) {
	ref, ok := partRef(domain.PartKey("ds", "u-1", 42))
	require.True(t, ok)
	assert.Equal(t, store.UploadRef{DatasetID: "ds", UUID: "u-1"}, ref)
	_, ok = partRef("chunks/ds/u-1")
	assert.False(t, ok)
}
