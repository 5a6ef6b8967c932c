package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// settable reports whether parseValue supports t.
func settable(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isText(t) || t == durationType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		e := t.Elem()
		return e.Kind() != reflect.Slice && settable(e)
	}
	return false
}

// parseValue parses the text form of a value of type t, as written in an
// environment variable or a flag.
func parseValue(t reflect.Type, s string) (reflect.Value, error) {
	if t.Kind() == reflect.Pointer {
		ev, err := parseValue(t.Elem(), s)
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(ev)
		return p, nil
	}
	if isText(t) {
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return reflect.Value{}, fmt.Errorf("invalid %s %q: %w", t, s, err)
		}
		return p.Elem(), nil
	}
	if t == durationType {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid duration %q (want e.g. 5s, 1m30s)", s)
		}
		return reflect.ValueOf(d), nil
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid bool %q (want true or false)", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, numError(t, s, err)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, numError(t, s, err)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), t.Bits())
		if err != nil {
			return reflect.Value{}, numError(t, s, err)
		}
		v.SetFloat(f)
	case reflect.Slice:
		return parseSlice(t, s)
	default:
		return reflect.Value{}, fmt.Errorf("unsupported type %s", t)
	}
	return v, nil
}

// parseSlice parses a comma-separated list; an empty or blank string gives an
// empty, non-nil slice so that it can clear a default list.
func parseSlice(t reflect.Type, s string) (reflect.Value, error) {
	if strings.TrimSpace(s) == "" {
		return reflect.MakeSlice(t, 0, 0), nil
	}
	parts := strings.Split(s, ",")
	v := reflect.MakeSlice(t, 0, len(parts))
	for _, p := range parts {
		e, err := parseValue(t.Elem(), strings.TrimSpace(p))
		if err != nil {
			return reflect.Value{}, err
		}
		v = reflect.Append(v, e)
	}
	return v, nil
}

func numError(t reflect.Type, s string, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		err = ne.Err
	}
	return fmt.Errorf("invalid %s %q: %w", t, s, err)
}
