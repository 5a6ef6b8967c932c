// Command kube-submit sends Kubernetes objects to the API server of
// $KUBECONFIG, as scripts/chart-check.sh needs around
// `helm install --dry-run=server` (which renders against the server but
// submits nothing):
//
//	kube-submit -create < fixtures.yaml         # create for real (namespaces, CRDs)
//	helm install … --dry-run=server -o json |
//	  kube-submit -helm-release -n NAMESPACE    # every manifest and hook, server-side dry run
//
// The dry run creates each object with dryRun=All and fieldValidation=Strict,
// so the real API server defaults, validates and admits it (unknown or
// duplicate fields, CRD schemas, admission plugins) without storing it. Any
// error, and any warning the server returns (deprecations, Pod Security
// warnings, dubious names), fails the command: a chart that installs with
// warnings is not clean. With -create, CustomResourceDefinitions are waited
// for until the server serves them.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	create := flag.Bool("create", false, "create the objects for real (default: server-side dry run)")
	helmRelease := flag.Bool("helm-release", false, "stdin is a release as `helm install -o json` prints it: submit its manifest and hooks")
	namespace := flag.String("n", "default", "namespace of namespaced objects that name none")
	flag.Parse()
	if err := run(os.Stdin, *namespace, *create, *helmRelease); err != nil {
		fmt.Fprintln(os.Stderr, "kube-submit:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, namespace string, create, helmRelease bool) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	if helmRelease {
		if data, err = releaseManifests(data); err != nil {
			return err
		}
	}
	objs, err := decode(data)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return errors.New("no object on stdin")
	}
	warnings := &warningLog{}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return err
	}
	cfg.WarningHandler = warnings
	s := &submitter{namespace: namespace, warnings: warnings}
	if err := s.connect(cfg); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var failed []string
	for _, obj := range objs {
		if err := s.submit(ctx, obj, create); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d objects refused:\n  %s", len(failed), len(objs), strings.Join(failed, "\n  "))
	}
	fmt.Printf("kube-submit: %d objects %s\n", len(objs), map[bool]string{true: "created", false: "accepted (server-side dry run)"}[create])
	return nil
}

// releaseManifests joins the manifest and the hooks' manifests of a Helm
// release printed as JSON.
func releaseManifests(data []byte) ([]byte, error) {
	var rel struct {
		Manifest string `json:"manifest"`
		Hooks    []struct {
			Manifest string `json:"manifest"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(data, &rel); err != nil {
		return nil, fmt.Errorf("helm release JSON: %w", err)
	}
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		docs = append(docs, h.Manifest)
	}
	return []byte(strings.Join(docs, "\n---\n")), nil
}

// decode splits a YAML stream into objects, skipping empty documents.
func decode(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return objs, nil
		} else if err != nil {
			return nil, fmt.Errorf("decode object %d: %w", len(objs)+1, err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

type submitter struct {
	namespace string
	warnings  *warningLog
	client    dynamic.Interface
	dc        *discovery.DiscoveryClient
	disco     discovery.CachedDiscoveryInterface
	mapper    *restmapper.DeferredDiscoveryRESTMapper
}

func (s *submitter) connect(cfg *rest.Config) error {
	var err error
	if s.dc, err = discovery.NewDiscoveryClientForConfig(cfg); err != nil {
		return err
	}
	s.disco = memory.NewMemCacheClient(s.dc)
	s.mapper = restmapper.NewDeferredDiscoveryRESTMapper(s.disco)
	s.client, err = dynamic.NewForConfig(cfg)
	return err
}

// submit creates one object, for real or as a dry run, and fails on any
// warning the server returned for it.
func (s *submitter) submit(ctx context.Context, obj *unstructured.Unstructured, create bool) error {
	gvk := obj.GroupVersionKind()
	name := fmt.Sprintf("%s %s", gvk.Kind, obj.GetName())
	mapping, err := s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	res := s.client.Resource(mapping.Resource)
	var ri dynamic.ResourceInterface = res
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = s.namespace
		}
		ri = res.Namespace(ns)
	}
	opts := metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}
	if !create {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	s.warnings.take()
	_, err = ri.Create(ctx, obj, opts)
	if create && apierrors.IsAlreadyExists(err) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if w := s.warnings.take(); len(w) > 0 {
		return fmt.Errorf("%s: server warnings: %s", name, strings.Join(w, "; "))
	}
	if create && gvk.Kind == "CustomResourceDefinition" {
		return s.waitServed(ctx, obj)
	}
	return nil
}

// waitServed waits until discovery lists the kind a created
// CustomResourceDefinition defines, then forgets the cached discovery so
// that the next objects can be of that kind.
func (s *submitter) waitServed(ctx context.Context, crd *unstructured.Unstructured) error {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	if len(versions) == 0 {
		return fmt.Errorf("CustomResourceDefinition %s: no version", crd.GetName())
	}
	version, _, _ := unstructured.NestedString(versions[0].(map[string]any), "name")
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		list, err := s.dc.ServerResourcesForGroupVersion(group + "/" + version)
		if err != nil {
			return false, nil // not served yet
		}
		for _, r := range list.APIResources {
			if r.Kind == kind {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CustomResourceDefinition %s: %s/%s %s not served: %w", crd.GetName(), group, version, kind, err)
	}
	s.disco.Invalidate()
	s.mapper.Reset()
	return nil
}

// warningLog keeps the warnings the API server sends in response headers.
type warningLog struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningLog) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

// take returns the warnings received since the last call.
func (w *warningLog) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	msgs := w.msgs
	w.msgs = nil
	return msgs
}
