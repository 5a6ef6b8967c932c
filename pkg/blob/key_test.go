package blob

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateKey(t *testing.T) {
	for _, key := range []string{
		"a", "a/b", "datasets/5d1/resources/r9/data.csv", "données/été 2024.csv",
		"a..b", "a/b..", "x.tmp", "a-b_c~d", "a b", strings.Repeat("k", MaxSegmentLen),
		strings.Repeat("k/", MaxKeyLen/2-1) + "kk",
	} {
		if err := ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", key, err)
		}
	}
	for _, key := range []string{
		"", "/", "/a", "a/", "a//b", ".", "..", "../a", "a/../b", "a/..", "./a", ".a", "a/.b",
		`a\b`, "a\x00", "a\x1f", "a\x7f", "\xc3", strings.Repeat("k", MaxKeyLen+1),
		strings.Repeat("k", MaxSegmentLen+1),
	} {
		if err := ValidateKey(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for _, p := range []string{"", "a", "a/", "a/b", "a/b/", "données/"} {
		if err := validatePrefix(p); err != nil {
			t.Errorf("validatePrefix(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"/", "//", "a//", "../", "..", "/a", "a\x00", `a\`, ".", "a/./"} {
		if err := validatePrefix(p); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("validatePrefix(%q) = %v, want ErrInvalidKey", p, err)
		}
	}
}

// FuzzKey checks that every key ValidateKey accepts is a clean, local path
// that stays under any root it is joined to, and that its rules hold.
func FuzzKey(f *testing.F) {
	for _, seed := range []string{
		"a/b", "../etc/passwd", "a/../../b", "/abs", `..\..\x`, "a\x00b", "a//b", "a/", ".hidden",
		"données/été.csv", "\xff", "a/./b", "C:/x", "~/x", "a/b/", "...", "a/.../b",
	} {
		f.Add(seed)
	}
	const root = "/srv/relais/blobs"
	f.Fuzz(func(t *testing.T, key string) {
		err := ValidateKey(key)
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ValidateKey(%q) = %v, not ErrInvalidKey", key, err)
			}
			return
		}
		switch {
		case !filepath.IsLocal(key):
			t.Fatalf("accepted %q, which is not a local path", key)
		case filepath.Clean(key) != key:
			t.Fatalf("accepted %q, which cleans to %q", key, filepath.Clean(key))
		case !strings.HasPrefix(filepath.Join(root, key), root+"/"):
			t.Fatalf("accepted %q, which escapes %s", key, root)
		case len(key) == 0 || len(key) > MaxKeyLen || !utf8.ValidString(key):
			t.Fatalf("accepted %q: length or encoding", key)
		case strings.ContainsAny(key, "\\\x00") || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			t.Fatalf("accepted %q, which holds a backslash or a control character", key)
		}
		for seg := range strings.SplitSeq(key, "/") {
			if seg == "" || seg[0] == '.' || len(seg) > MaxSegmentLen {
				t.Fatalf("accepted %q with segment %q", key, seg)
			}
		}
		if err := validatePrefix(key); err != nil {
			t.Fatalf("valid key %q is not a valid prefix: %v", key, err)
		}
		if err := validatePrefix(key + "/"); err != nil {
			t.Fatalf("valid key %q + / is not a valid prefix: %v", key, err)
		}
	})
}
