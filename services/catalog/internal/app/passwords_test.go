package app

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	h := hashPassword("correct horse battery")
	if ok, legacy := checkPassword(h, "correct horse battery"); !ok || legacy {
		t.Fatalf("argon2id: ok=%v legacy=%v", ok, legacy)
	}
	if ok, _ := checkPassword(h, "correct horse battery!"); ok {
		t.Fatal("a wrong password matched")
	}
	// The PBKDF2 hashes stored before argon2id still match, and say so.
	salt := []byte("0123456789abcdef")
	key, _ := pbkdf2.Key(sha256.New, "ancien mot de passe", salt, 1000, 32)
	old := fmt.Sprintf("pbkdf2-sha256$1000$%s$%s", base64.RawURLEncoding.EncodeToString(salt), base64.RawURLEncoding.EncodeToString(key))
	if ok, legacy := checkPassword(old, "ancien mot de passe"); !ok || !legacy {
		t.Fatalf("pbkdf2: ok=%v legacy=%v", ok, legacy)
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=99999999,t=1,p=1$YQ$YQ", "pbkdf2-sha256$0$a$b", "md5$x"} {
		if ok, _ := checkPassword(bad, "x"); ok {
			t.Fatalf("malformed hash %q matched", bad)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add(hashPassword("graine de fuzz"), "graine de fuzz")
	f.Add("pbkdf2-sha256$1$YQ$YQ", "a")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		checkPassword(hash, pw) // any stored string: no panic, no runaway cost
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		hashPassword("un mot de passe de test")
	}
}
