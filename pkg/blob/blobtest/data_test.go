package blobtest

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"
)

func TestDataIsDeterministic(t *testing.T) {
	a, b := Bytes(1, 1000), Bytes(1, 1000)
	if !bytes.Equal(a, b) || bytes.Equal(a, Bytes(2, 1000)) {
		t.Fatal("Data must depend on its seed, and only on it")
	}
	if sum := SHA256(1, 1000); sum != sha256.Sum256(a) {
		t.Fatal("SHA256 disagrees with Bytes")
	}
}

// TestPeakHeapGrowthSeesBuffering: the large-object case's memory check
// would catch a store that reads the object into memory.
func TestPeakHeapGrowthSeesBuffering(t *testing.T) {
	const n = LargeObjectSize
	var held []byte
	growth := PeakHeapGrowth(func() { held, _ = io.ReadAll(Data(1, n)) })
	if growth < n {
		t.Fatalf("heap growth %d while holding %d bytes", growth, len(held))
	}
	growth = PeakHeapGrowth(func() { _, _ = io.Copy(io.Discard, Data(1, n)) })
	if growth > n/8 {
		t.Fatalf("heap growth %d while streaming", growth)
	}
}
