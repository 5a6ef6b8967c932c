package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"-a=1 --b 2 -c", "-- x", "---x", "-=", "-h", "--a", "-a -b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		flags, err := parseArgs(args, func(name string) (bool, bool) {
			return strings.HasPrefix(name, "b"), !strings.HasPrefix(name, "x")
		})
		if err != nil {
			return
		}
		require.LessOrEqual(t, len(flags), len(args))
		for _, fl := range flags {
			require.NotEmpty(t, fl.name)
			require.NotEqual(t, byte('-'), fl.name[0])
		}
	})
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "1", "-3", "5s", "a, b,c", "true", "1e300", "0x10", ","} {
		f.Add(s)
	}
	types := []reflect.Type{
		reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[int8](),
		reflect.TypeFor[uint64](), reflect.TypeFor[float32](), reflect.TypeFor[time.Duration](),
		reflect.TypeFor[[]string](), reflect.TypeFor[[]int](), reflect.TypeFor[*int](),
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			v, err := parseValue(typ, s)
			if err != nil {
				continue
			}
			require.Equal(t, typ, v.Type())
		}
		if d, err := parseValue(reflect.TypeFor[time.Duration](), s); err == nil {
			back, err := parseValue(reflect.TypeFor[time.Duration](), d.Interface().(time.Duration).String())
			require.NoError(t, err)
			require.Equal(t, d.Interface(), back.Interface())
		}
		if v, err := parseValue(reflect.TypeFor[[]string](), s); err == nil {
			list := v.Interface().([]string)
			back, err := parseValue(reflect.TypeFor[[]string](), strings.Join(list, ","))
			require.NoError(t, err)
			if len(list) == 1 && list[0] == "" {
				return // ",": one blank element joins back to "" which is the empty list
			}
			require.Equal(t, list, back.Interface())
		}
	})
}
