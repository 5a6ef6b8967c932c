package udata

import (
	"strings"
	"testing"
)

func BenchmarkAppendPyString(b *testing.B) {
	for name, s := range map[string]string{
		"ascii":  strings.Repeat("The quick brown fox jumps over the lazy dog. ", 25),
		"french": benchDescription,
	} {
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				buf = appendPyString(buf[:0], s)
			}
		})
	}
}
