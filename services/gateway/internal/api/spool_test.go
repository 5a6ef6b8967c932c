package api

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpool(t *testing.T) {
	data := make([]byte, 5<<20+123)
	_, _ = rand.Read(data)
	budget := newSpoolBudget(2 << 20)

	for _, c := range []struct {
		name  string
		limit int64
		more  bool
	}{
		{"fits, memory then file", int64(len(data)), false},
		{"longer than the limit", 3 << 20, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := bytes.NewReader(data)
			sp := &spool{budget: budget}
			more, err := sp.fill(io.LimitReader(src, int64(len(data))), c.limit)
			require.NoError(t, err)
			require.Equal(t, c.more, more)
			require.Len(t, sp.blocks, 2, "the budget's two blocks")
			require.NotNil(t, sp.file, "the rest in a file")
			rd, err := sp.Reader()
			require.NoError(t, err)
			got, err := io.ReadAll(io.MultiReader(rd, src))
			require.NoError(t, err)
			require.Equal(t, data, got)
			if c.more {
				require.Equal(t, c.limit+1, sp.Len())
			}
			sp.Close()
			require.EqualValues(t, 2<<20, budget.left.Load(), "memory given back")
		})
	}

	t.Run("small, in memory", func(t *testing.T) {
		sp := &spool{budget: budget}
		defer sp.Close()
		more, err := sp.fill(bytes.NewReader(data[:1000]), 1<<20)
		require.NoError(t, err)
		require.False(t, more)
		require.Nil(t, sp.file)
		rd, err := sp.Reader()
		require.NoError(t, err)
		got, _ := io.ReadAll(rd)
		require.Equal(t, data[:1000], got)
	})
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		h           string
		start, n    int64
		whole, fail bool
	}{
		{h: "", whole: true},
		{h: "items=0-1", whole: true},
		{h: "bytes=0-1,4-5", whole: true},
		{h: "bytes=0-0", start: 0, n: 1},
		{h: "bytes=5-", start: 5, n: 95},
		{h: "bytes=90-200", start: 90, n: 10},
		{h: "bytes=-10", start: 90, n: 10},
		{h: "bytes=-1000", start: 0, n: 100},
		{h: "bytes=100-", fail: true},
		{h: "bytes=-0", fail: true},
		{h: "bytes=5-4", fail: true},
		{h: "bytes=a-b", fail: true},
		{h: "bytes=1", fail: true},
		{h: "bytes=+1-2", fail: true},
	} {
		r, err := parseRange(c.h, 100)
		switch {
		case c.fail:
			require.ErrorIs(t, err, errRangeNotSatisfiable, c.h)
		case c.whole:
			require.NoError(t, err, c.h)
			require.Nil(t, r, c.h)
		default:
			require.NoError(t, err, c.h)
			require.Equal(t, &byteRange{start: c.start, length: c.n}, r, c.h)
		}
	}
}

func TestIsBot(t *testing.T) {
	require.True(t, isBot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"))
	require.True(t, isBot("facebookexternalhit/1.1"))
	require.False(t, isBot("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"))
	require.False(t, isBot("python-requests/2.32.3"))
	require.False(t, isBot(""))
}
