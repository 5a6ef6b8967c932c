package config

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// ErrHelp is returned (wrapped) by Load when the arguments ask for help
// (-h, -help, --help). The caller usually prints Usage and exits 0.
var ErrHelp = flag.ErrHelp

// FileFlag is the flag, and with the prefix the environment variable
// (RELAIS_CONFIG_FILE), that names the YAML file to load.
const FileFlag = "config.file"

// flagArg is one parsed command-line flag.
type flagArg struct {
	name  string
	value string
}

// parseArgs splits command-line arguments into flags. It accepts -name=value,
// --name=value, -name value and --name value; a bool flag (isBool) given
// without "=value" means true and does not consume the next argument. A
// lone "--" ends the flags. Positional arguments are an error: the caller
// strips any subcommand before calling Load.
func parseArgs(args []string, known func(name string) (isBool, ok bool)) ([]flagArg, error) {
	var out []flagArg
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return nil, fmt.Errorf("unexpected argument %q", args[i+1])
			}
			break
		}
		if len(a) < 2 || a[0] != '-' {
			return nil, fmt.Errorf("unexpected argument %q (flags look like -name=value)", a)
		}
		body := strings.TrimPrefix(a[1:], "-")
		name, value, hasValue := strings.Cut(body, "=")
		if name == "" || name[0] == '-' {
			return nil, fmt.Errorf("bad flag syntax %q", a)
		}
		if name == "h" || name == "help" {
			return nil, ErrHelp
		}
		isBool, ok := known(name)
		if !ok {
			return nil, &unknownFlagError{name: name}
		}
		if !hasValue {
			switch {
			case isBool:
				value = "true"
			case i+1 < len(args):
				i++
				value = args[i]
			default:
				return nil, fmt.Errorf("flag -%s needs a value", name)
			}
		}
		out = append(out, flagArg{name: name, value: value})
	}
	return out, nil
}

// unknownFlagError is completed with suggestions by Load, which knows the
// flag names.
type unknownFlagError struct {
	name        string
	suggestions []string
}

func (e *unknownFlagError) Error() string {
	if len(e.suggestions) == 0 {
		return fmt.Sprintf("unknown flag -%s (-help lists the flags)", e.name)
	}
	dashed := make([]string, len(e.suggestions))
	for i, s := range e.suggestions {
		dashed[i] = "-" + s
	}
	return fmt.Sprintf("unknown flag -%s (did you mean %s?)", e.name, joinOr(dashed))
}

func isUnknownFlag(err error) (*unknownFlagError, bool) {
	var u *unknownFlagError
	ok := errors.As(err, &u)
	return u, ok
}
