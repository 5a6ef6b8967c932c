package chartcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	appsv1 "k8s.io/api/apps/v1"
)

// Tilt cannot be installed here: the Tiltfile runs on go.starlark.net
// against stand-ins of the Tilt built-ins it uses, which record their
// calls. That catches syntax errors, undefined names and wrong arguments;
// then the recorded calls are checked against the repository: the paths
// exist, the chart renders with the same values, every k8s_resource names a
// workload of that rendering, and the image Tilt builds is the one the pods
// run.
func TestTiltfile(t *testing.T) {
	for _, mode := range []string{"", "allInOne"} {
		t.Run("mode="+mode, func(t *testing.T) {
			calls := runTiltfile(t, mode)
			checkTiltCalls(t, calls)
		})
	}
}

type tiltCall struct {
	Name   string
	Args   starlark.Tuple
	Kwargs map[string]starlark.Value
}

func (c tiltCall) arg(i int, kw string) starlark.Value {
	if v, ok := c.Kwargs[kw]; ok {
		return v
	}
	if i >= 0 && i < len(c.Args) {
		return c.Args[i]
	}
	return nil
}

func runTiltfile(t *testing.T, mode string) []tiltCall {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "Tiltfile"))
	if err != nil {
		t.Fatal(err)
	}
	var calls []tiltCall
	// Each stand-in takes the parameters Tilt's own built-in takes (so an
	// unknown keyword fails, as it would in Tilt) and records the call.
	standIn := func(name string, params ...string) *starlark.Builtin {
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			c := tiltCall{Name: name, Args: args, Kwargs: map[string]starlark.Value{}}
			if len(args) > len(params) {
				return nil, fmt.Errorf("%s: %d positional arguments, takes %d", name, len(args), len(params))
			}
			for _, kv := range kwargs {
				k := string(kv[0].(starlark.String))
				if !slices.Contains(params, k) {
					return nil, fmt.Errorf("%s: unexpected keyword argument %q", name, k)
				}
				c.Kwargs[k] = kv[1]
			}
			calls = append(calls, c)
			switch name {
			case "helm", "blob":
				return starlark.String(name + "-yaml"), nil
			}
			return starlark.None, nil
		})
	}
	cfgValues := starlark.NewDict(1)
	if mode != "" {
		_ = cfgValues.SetKey(starlark.String("mode"), starlark.String(mode))
	}
	predeclared := starlark.StringDict{
		// https://docs.tilt.dev/api.html, the parameters this Tiltfile may use.
		"local_resource": standIn("local_resource", "name", "cmd", "deps", "trigger_mode", "resource_deps", "ignore",
			"auto_init", "serve_cmd", "cmd_bat", "serve_cmd_bat", "allow_parallel", "links", "tags", "env", "serve_env",
			"readiness_probe", "dir", "serve_dir", "labels"),
		"docker_build": standIn("docker_build", "ref", "context", "build_args", "dockerfile", "dockerfile_contents",
			"live_update", "match_in_env_vars", "ignore", "only", "entrypoint", "target", "ssh", "network", "secret",
			"extra_tag", "container_args", "cache_from", "pull", "platform"),
		"k8s_yaml":     standIn("k8s_yaml", "yaml", "allow_duplicates"),
		"k8s_resource": standIn("k8s_resource", "workload", "new_name", "port_forwards", "extra_pod_selectors", "trigger_mode", "resource_deps", "objects", "auto_init", "pod_readiness", "links", "labels", "discovery_strategy"),
		"helm":         standIn("helm", "paths", "name", "namespace", "values", "set", "kube_version", "skip_crds"),
		"blob":         standIn("blob", "contents"),
		"sync":         standIn("sync", "local_path", "remote_path"),
		"run":          standIn("run", "cmd", "trigger", "echo_off"),
		"config": &starlarkstruct.Module{Name: "config", Members: starlark.StringDict{
			"define_string": standIn("config.define_string", "name", "args", "usage"),
			"parse": starlark.NewBuiltin("config.parse", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
				return cfgValues, nil
			}),
		}},
		"TRIGGER_MODE_MANUAL": starlark.MakeInt(1),
		"TRIGGER_MODE_AUTO":   starlark.MakeInt(0),
	}
	thread := &starlark.Thread{
		Name: "Tiltfile",
		Load: func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
			if module != "ext://restart_process" {
				return nil, fmt.Errorf("load %s: no stand-in for this extension", module)
			}
			// The extension's docker_build_with_restart takes docker_build's
			// parameters (and restart_file, trigger).
			return starlark.StringDict{"docker_build_with_restart": standIn("docker_build_with_restart", "ref", "context",
				"entrypoint", "live_update", "base_suffix", "restart_file", "trigger", "exit_policy", "build_args",
				"dockerfile", "dockerfile_contents", "ignore", "only", "target", "ssh", "network", "secret",
				"extra_tag", "container_args", "cache_from", "pull", "platform")}, nil
		},
		Print: func(_ *starlark.Thread, msg string) { t.Log("Tiltfile:", msg) },
	}
	// Tilt's dialect: top-level if and for, global reassignment.
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	if _, err := starlark.ExecFileOptions(opts, thread, "Tiltfile", src, predeclared); err != nil {
		if e, ok := err.(*starlark.EvalError); ok {
			t.Fatalf("Tiltfile: %s", e.Backtrace())
		}
		t.Fatalf("Tiltfile: %v", err)
	}
	return calls
}

func str(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return ""
}

func strs(v starlark.Value) []string {
	var out []string
	if l, ok := v.(*starlark.List); ok {
		for i := range l.Len() {
			out = append(out, str(l.Index(i)))
		}
	}
	return out
}

func checkTiltCalls(t *testing.T, calls []tiltCall) {
	t.Helper()
	exists := func(what, p string) {
		if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
			t.Errorf("%s: %s does not exist", what, p)
		}
	}
	var helmCall, buildCall *tiltCall
	localResources := map[string]bool{}
	for i, c := range calls {
		switch c.Name {
		case "helm":
			helmCall = &calls[i]
		case "docker_build", "docker_build_with_restart":
			buildCall = &calls[i]
		case "local_resource":
			localResources[str(c.arg(0, "name"))] = true
			for _, d := range strs(c.arg(2, "deps")) {
				exists("local_resource deps", d)
			}
		}
	}
	if helmCall == nil || buildCall == nil {
		t.Fatal("the Tiltfile must build the image and deploy the chart with helm()")
	}
	chartPath := str(helmCall.arg(0, "paths"))
	if filepath.Clean(filepath.Join(repoRoot, chartPath)) != filepath.Clean(chartDir) {
		t.Errorf("helm() deploys %s, not charts/relais", chartPath)
	}
	var files []string
	for _, f := range strs(helmCall.arg(-1, "values")) {
		exists("helm values", f)
		files = append(files, filepath.Join(repoRoot, f))
	}
	release, ns := str(helmCall.arg(-1, "name")), str(helmCall.arg(-1, "namespace"))
	set := strs(helmCall.arg(-1, "set"))
	ms, err := renderRelease(t, release, ns, files, set...)
	ms = mustDecode(t, files, set, ms, err)

	// The image Tilt builds is the one every relais pod runs.
	ref := str(buildCall.arg(0, "ref"))
	context := str(buildCall.arg(1, "context"))
	dockerfile := str(buildCall.Kwargs["dockerfile"])
	exists("docker_build dockerfile", dockerfile)
	for _, p := range podTemplates(ms) {
		if !p.Relais {
			continue
		}
		for _, c := range p.Spec.Spec.Containers {
			if name, _, _ := strings.Cut(c.Image, ":"); name != ref {
				t.Errorf("%s runs %s, but Tilt builds %s", p.Owner, c.Image, ref)
			}
		}
	}
	// The binary the local_resource builds is in the image's context, and
	// live update syncs it where the entrypoint runs it.
	var binary string
	for _, c := range calls {
		if c.Name == "local_resource" {
			if m := strings.Fields(str(c.arg(1, "cmd"))); slices.Contains(m, "-o") {
				binary = m[slices.Index(m, "-o")+1]
			}
		}
	}
	if filepath.Dir(binary) != filepath.Clean(context) {
		t.Errorf("the binary %s is not in the image context %s", binary, context)
	}
	entry := strs(buildCall.Kwargs["entrypoint"])
	var synced bool
	for _, c := range calls {
		if c.Name == "sync" && str(c.arg(0, "local_path")) == binary && len(entry) > 0 && str(c.arg(1, "remote_path")) == entry[0] {
			synced = true
		}
	}
	if !synced {
		t.Errorf("live_update must sync %s to the entrypoint %v", binary, entry)
	}
	df, err := os.ReadFile(filepath.Join(repoRoot, dockerfile))
	if err != nil || !strings.Contains(string(df), filepath.Base(binary)+" "+entry[0]) {
		t.Errorf("%s must COPY %s to %s", dockerfile, filepath.Base(binary), entry[0])
	}

	// Every k8s_resource is a workload of the rendering (or a
	// local_resource), and so is every resource it depends on.
	workloads := map[string]bool{}
	for _, d := range ofKind[*appsv1.Deployment](ms) {
		workloads[d.Name] = true
	}
	for _, s := range ofKind[*appsv1.StatefulSet](ms) {
		workloads[s.Name] = true
	}
	known := func(n string) bool { return workloads[n] || localResources[n] }
	for _, c := range calls {
		if c.Name != "k8s_resource" && c.Name != "local_resource" {
			continue
		}
		if c.Name == "k8s_resource" && !workloads[str(c.arg(0, "workload"))] {
			t.Errorf("k8s_resource(%q): no such workload in the chart (have %v)", str(c.arg(0, "workload")), workloads)
		}
		for _, d := range strs(c.Kwargs["resource_deps"]) {
			if !known(d) {
				t.Errorf("%s(%q) depends on unknown resource %q", c.Name, str(c.arg(0, "")), d)
			}
		}
	}
}
