package portal

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRenderMarkdown(t *testing.T) {
	out := string(renderMarkdown("## Sources\n\n* [Insee](https://www.insee.fr)\n\n| Année | Montant |\n|---|---|\n| 2024 | 12 |\n\n<b onclick=x>gras</b>"))
	require.Contains(t, out, "<h2>Sources</h2>")
	require.Contains(t, out, `<a href="https://www.insee.fr" rel="nofollow">Insee</a>`)
	require.Contains(t, out, "<table>")
	require.NotContains(t, out, "onclick")

	long := strings.Repeat("a", maxMarkdown+10)
	require.Less(t, len(renderMarkdown(long)), maxMarkdown+100, "descriptions are cut")
}

func TestTheme(t *testing.T) {
	require.Equal(t, "#ffffff", string(newTheme("#1f4e79").OnPrimary))
	require.Equal(t, "#111111", string(newTheme("#ffd700").OnPrimary))
	require.Equal(t, "#111111", string(newTheme("#ffffff").OnPrimary))
	require.Equal(t, "#ffffff", string(newTheme("#000000").OnPrimary))
}

func TestFrench(t *testing.T) {
	require.Equal(t, "24\u202f189", frLocale.number(24189))
	require.Equal(t, "1\u202f000\u202f000", frLocale.number(1000000))
	require.Equal(t, "-5", frLocale.number(-5))
	require.Equal(t, "512 o", frLocale.size(512))
	require.Equal(t, "1,5 Mo", frLocale.size(1_500_000))
	require.Equal(t, "mars 2025", frLocale.month("2025-03"))
	require.Equal(t, "nope", frLocale.month("nope"))
}

func BenchmarkRenderMarkdown(b *testing.B) {
	src := strings.Repeat("## Budget\n\nLe **budget primitif** voté, [source](https://example.test).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n", 40)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		renderMarkdown(src)
	}
}
