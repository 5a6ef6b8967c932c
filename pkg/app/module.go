package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Module is one part of a process with a lifecycle.
type Module struct {
	// Name identifies the module in Deps, logs and errors.
	Name string
	// Deps names the modules that must start before this one (and stop
	// after it).
	Deps []string
	// Start must return once the module is started; long-running loops run
	// in goroutines. Its ctx stays valid until the module has been stopped
	// (or, when Start is interrupted by the end of Run's context, until then),
	// so goroutines may use it. A module whose loop dies reports it with
	// Fail(ctx, err).
	Start func(ctx context.Context) error
	// Stop may be nil. Its ctx carries the shutdown deadline.
	Stop func(ctx context.Context) error
	// Ready may be nil, which means ready once started. It is polled by
	// /readyz.
	Ready func() bool
}

// order returns the modules sorted so that every module comes after its
// dependencies: a depth-first walk in insertion order, visiting Deps in
// their listed order.
func order(modules []Module) ([]Module, error) {
	byName := make(map[string]int, len(modules))
	for i, m := range modules {
		if m.Name == "" {
			return nil, fmt.Errorf("module #%d has no name", i)
		}
		if m.Start == nil {
			return nil, fmt.Errorf("module %s has no Start", m.Name)
		}
		if _, dup := byName[m.Name]; dup {
			return nil, fmt.Errorf("module %s added twice", m.Name)
		}
		byName[m.Name] = i
	}
	for _, m := range modules {
		for _, d := range m.Deps {
			if _, ok := byName[d]; !ok {
				return nil, fmt.Errorf("module %s depends on unknown module %s", m.Name, d)
			}
		}
	}

	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(modules))
	out := make([]Module, 0, len(modules))
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			return cycleError(path, modules[i].Name)
		}
		state[i] = visiting
		path = append(path, modules[i].Name)
		for _, d := range modules[i].Deps {
			if err := visit(byName[d]); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[i] = done
		out = append(out, modules[i])
		return nil
	}
	for i := range modules {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func cycleError(path []string, back string) error {
	for i, name := range path {
		if name == back {
			return errors.New("dependency cycle: " + strings.Join(append(path[i:], back), " -> "))
		}
	}
	return errors.New("dependency cycle through " + back)
}
