// Package k8sschema turns the OpenAPI v2 document of Kubernetes
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes module, fetched
// from the Go module proxy) into the JSON schemas kubeconform reads:
// one file per kind, named <kind>-<group>-<version>.json, standalone (the
// definitions it uses are copied in) and strict (objects reject unknown
// fields), like the kubernetes-json-schema sets kubeconform downloads
// otherwise. Nothing is fetched from anywhere but the Go module proxy.
package k8sschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// KubernetesVersion is the Kubernetes release whose API the chart is
// checked against: the swagger.json of k8s.io/kubernetes at this version,
// and the KubeVersion the chart is rendered for. Keep its minor version
// equal to k8s.io/api's in go.mod (v0.37.x ↔ v1.37.x; a test checks it).
const KubernetesVersion = "v1.37.2"

// Location is the kubeconform -schema-location template of a directory
// made by Generate.
func Location(dir string) string {
	return filepath.Join(dir, "{{ .ResourceKind }}{{ .KindSuffix }}.json")
}

// Ensure returns a directory of schemas for KubernetesVersion, generating it
// under the user's cache directory (or $RELAIS_K8S_SCHEMA_DIR) the first
// time: a warm machine skips the download and the generation.
func Ensure() (string, error) {
	base := os.Getenv("RELAIS_K8S_SCHEMA_DIR")
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir() // no $HOME: still cached for this boot
		}
		base = filepath.Join(cache, "relais", "kubeconform")
	}
	dir := filepath.Join(base, KubernetesVersion+"-standalone-strict")
	stamp := filepath.Join(dir, ".complete")
	if _, err := os.Stat(stamp); err == nil {
		return dir, nil
	}
	swagger, err := Swagger(KubernetesVersion)
	if err != nil {
		return "", err
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := Generate(swagger, tmp); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Swagger downloads k8s.io/kubernetes at version through the Go module
// proxy (`go mod download`, cached in the module cache) and returns the path
// of its api/openapi-spec/swagger.json.
func Swagger(version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", "k8s.io/kubernetes@"+version)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside any module
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download k8s.io/kubernetes@%s: %w: %s", version, err, stderr.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download: %w", err)
	}
	if info.Error != "" {
		return "", errors.New(info.Error)
	}
	return filepath.Join(info.Dir, "api", "openapi-spec", "swagger.json"), nil
}

type schema = map[string]any

// Generate writes one standalone strict schema per kind of the swagger
// document at swaggerPath into outDir, and returns nil or the first error.
func Generate(swaggerPath, outDir string) error {
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]schema `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", swaggerPath, err)
	}
	if len(doc.Definitions) == 0 {
		return fmt.Errorf("%s: no definitions", swaggerPath)
	}
	defs := map[string]schema{}
	for name, d := range doc.Definitions {
		defs[name] = convert(d).(schema)
	}
	// A Quantity is written "128Mi" or 1.5.
	defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = schema{"oneOf": []any{schema{"type": "string"}, schema{"type": "number"}}}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(defs))
	for name := range doc.Definitions {
		names = append(names, name)
	}
	sort.Strings(names)
	written := map[string]bool{}
	for _, name := range names {
		gvks, _ := doc.Definitions[name]["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			file := FileName(group, version, kind)
			if written[file] {
				continue
			}
			written[file] = true
			out := standalone(name, defs)
			// kind and apiVersion must be the ones this file is for.
			props := out["properties"].(schema)
			apiVersion := version
			if group != "" {
				apiVersion = group + "/" + version
			}
			props["apiVersion"] = schema{"type": "string", "enum": []any{apiVersion}}
			props["kind"] = schema{"type": "string", "enum": []any{kind}}
			b, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(outDir, file), b, 0o644); err != nil {
				return err
			}
		}
	}
	if len(written) == 0 {
		return fmt.Errorf("%s: no kinds", swaggerPath)
	}
	return nil
}

// FileName is kubeconform's name for a kind's schema: deployment-apps-v1.json,
// service-v1.json, networkpolicy-networking-v1.json.
func FileName(group, version, kind string) string {
	suffix := "-" + strings.ToLower(version)
	if group != "" {
		suffix = "-" + strings.ToLower(strings.Split(group, ".")[0]) + suffix
	}
	return strings.ToLower(kind) + suffix + ".json"
}

// standalone is the definition name with every definition it reaches
// copied under "definitions" (recursive types stay references).
func standalone(name string, defs map[string]schema) schema {
	top := deepCopy(defs[name]).(schema)
	used := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case schema:
			if ref, ok := v["$ref"].(string); ok {
				n := strings.TrimPrefix(ref, "#/definitions/")
				if !used[n] {
					used[n] = true
					walk(defs[n])
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(top)
	if len(used) > 0 {
		d := schema{}
		for n := range used {
			d[n] = deepCopy(defs[n])
		}
		top["definitions"] = d
	}
	return top
}

// convert rewrites one OpenAPI v2 schema into JSON Schema as kubeconform's
// strict sets have it: IntOrString and Quantity accept their two JSON
// types; objects with properties reject unknown fields; optional fields
// may be null (the API server treats null as absent); the x- extensions go.
func convert(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v["format"] == "int-or-string" {
			return schema{"oneOf": []any{schema{"type": "string"}, schema{"type": "integer"}}}
		}
		out := schema{}
		for k, c := range v {
			if strings.HasPrefix(k, "x-") {
				continue
			}
			if k == "properties" {
				props := schema{}
				for pn, p := range c.(map[string]any) {
					props[pn] = convert(p)
				}
				out[k] = props
				continue
			}
			out[k] = convert(c)
		}
		if props, ok := out["properties"].(schema); ok {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
			required := map[string]bool{}
			if rs, ok := v["required"].([]any); ok {
				for _, r := range rs {
					required[r.(string)] = true
				}
			}
			for pn, p := range props {
				if required[pn] {
					continue
				}
				props[pn] = nullable(p.(schema))
			}
		}
		return out
	default:
		if l, ok := v.([]any); ok {
			out := make([]any, len(l))
			for i, c := range l {
				out[i] = convert(c)
			}
			return out
		}
		return v
	}
}

// nullable lets an optional property be null too.
func nullable(p schema) schema {
	switch t := p["type"].(type) {
	case string:
		p["type"] = []any{t, "null"}
		return p
	case nil:
		if _, ok := p["$ref"]; ok {
			return schema{"anyOf": []any{p, schema{"type": "null"}}}
		}
		if _, ok := p["oneOf"]; ok {
			return schema{"anyOf": []any{p, schema{"type": "null"}}}
		}
	}
	return p
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case schema:
		out := make(schema, len(v))
		for k, c := range v {
			out[k] = deepCopy(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = deepCopy(c)
		}
		return out
	default:
		return v
	}
}
