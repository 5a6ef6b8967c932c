package chartcheck

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// deploy/*-values.yaml render and validate like the ci scenarios;
// deploy/relais.yaml is a configuration the binary accepts.
func TestDeployExamples(t *testing.T) {
	v := newKubeconform(t)
	files, _ := filepath.Glob(filepath.Join(repoRoot, "deploy", "*-values.yaml"))
	if len(files) == 0 {
		t.Fatal("no deploy/*-values.yaml")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			lint(t, []string{f})
			ms := renderStrict(t, []string{f})
			for _, m := range ms {
				v.validate(t, m)
			}
			if filepath.Base(f) != "tilt-values.yaml" { // writable root for live update
				checkPods(t, ms)
			}
			checkReferences(t, ms, values(t, []string{f}))
			checkBinaryAcceptsConfig(t, ms)
		})
	}
	t.Run("relais.yaml", func(t *testing.T) {
		bin, err := relaisBinary()
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "config", "-config.file", filepath.Join(repoRoot, "deploy", "relais.yaml")).CombinedOutput()
		if err != nil {
			t.Fatalf("relais refuses deploy/relais.yaml: %v\n%s", err, out)
		}
	})
}

// The Dockerfile cannot be built here (no Docker engine): check what can
// be checked without one.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(raw), "\\\n", " ")
	var instrs []string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			instrs = append(instrs, line)
		}
	}
	find := func(prefix string) []string {
		var out []string
		for _, in := range instrs {
			if strings.HasPrefix(in, prefix) {
				out = append(out, in)
			}
		}
		return out
	}
	// The toolchain image is at least go.work's go version: the official
	// images set GOTOOLCHAIN=local and would refuse the workspace.
	wraw, err := os.ReadFile(filepath.Join(repoRoot, "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	work, err := modfile.ParseWork("go.work", wraw, nil)
	if err != nil {
		t.Fatal(err)
	}
	goArg := regexp.MustCompile(`^ARG GO_VERSION=(\S+)$`)
	var goVersion string
	for _, in := range instrs {
		if m := goArg.FindStringSubmatch(in); m != nil {
			goVersion = m[1]
		}
	}
	if goVersion == "" || versionLess(goVersion, work.Go.Version) {
		t.Errorf("ARG GO_VERSION=%s is older than go.work's go %s", goVersion, work.Go.Version)
	}
	froms := find("FROM ")
	if len(froms) != 2 || !strings.Contains(froms[0], "golang:${GO_VERSION}") || !strings.Contains(froms[0], " AS build") {
		t.Errorf("want a golang build stage and a final stage, got %v", froms)
	}
	runs := strings.Join(find("RUN "), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X github.com/relais-data/relais/services/relais.Version=${VERSION}", "./services/relais/cmd/relais"} {
		if !strings.Contains(runs+strings.Join(find("ENV "), " "), want) {
			t.Errorf("the build does not say %q", want)
		}
	}
	// -X silently does nothing for a wrong path: the binary the checks
	// build is linked with the same -X; it must report that version.
	x := regexp.MustCompile(`-X (\S+)=\$\{VERSION\}`).FindStringSubmatch(runs)
	if x == nil || x[1] != versionVar {
		t.Errorf("the build must set %s with -X, got %v", versionVar, x)
	}
	if os.Getenv("RELAIS_CHARTCHECK_BIN") == "" {
		bin, err := relaisBinary()
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "version").Output(); err != nil || strings.TrimSpace(string(out)) != "relais "+checkVersion {
			t.Errorf("relais version after -X %s=%s: %q %v", versionVar, checkVersion, out, err)
		}
	}
	for _, want := range []string{`USER 65532:65532`, `ENTRYPOINT ["relais"]`, `EXPOSE 8080 9090 9091`} {
		if !slices.Contains(instrs, want) {
			t.Errorf("the final image does not say %s", want)
		}
	}
	if i, j := slices.Index(instrs, froms[1]), slices.Index(instrs, "USER 65532:65532"); j < i {
		t.Error("USER must be set in the final stage")
	}
	// Every go.work module is in the build context (.dockerignore is an
	// allow-list: a new module outside pkg/, proto/ and services/ must be
	// added to it).
	allowed := dockerignoreAllows(t)
	for _, u := range work.Use {
		dir := strings.TrimPrefix(filepath.ToSlash(u.Path), "./")
		if !slices.ContainsFunc(allowed, func(a string) bool { return dir == a || strings.HasPrefix(dir, a+"/") }) {
			t.Errorf(".dockerignore keeps go.work module %s out of the build context (allowed: %v)", dir, allowed)
		}
	}
	for _, f := range []string{"go.work", "go.work.sum"} {
		if !slices.Contains(allowed, f) {
			t.Errorf(".dockerignore keeps %s out", f)
		}
	}
}

func dockerignoreAllows(t *testing.T) []string {
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var allowed []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "!") {
			allowed = append(allowed, strings.TrimSuffix(line[1:], "/"))
		}
	}
	return allowed
}

// versionLess compares Go versions such as 1.26 and 1.26.7.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
