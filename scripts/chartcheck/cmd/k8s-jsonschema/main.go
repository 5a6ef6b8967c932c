// Command k8s-jsonschema writes kubeconform's schemas for the pinned
// Kubernetes version (k8sschema.KubernetesVersion), from the swagger.json of
// the k8s.io/kubernetes module, and prints the -schema-location to use:
//
//	loc="$(go run ./cmd/k8s-jsonschema)"   # in scripts/chartcheck, GOWORK=off
//	helm template r charts/relais -f charts/relais/ci/distributed.yaml |
//	  kubeconform -strict -summary -schema-location "$loc" -skip ServiceMonitor
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/relais-data/relais/scripts/chartcheck/internal/k8sschema"
)

func main() {
	out := flag.String("out", "", "directory to write (default: a cache directory, reused while it is complete)")
	flag.Parse()
	dir, err := ensure(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-jsonschema:", err)
		os.Exit(1)
	}
	fmt.Println(k8sschema.Location(dir))
}

func ensure(out string) (string, error) {
	if out == "" {
		return k8sschema.Ensure()
	}
	swagger, err := k8sschema.Swagger(k8sschema.KubernetesVersion)
	if err != nil {
		return "", err
	}
	return out, k8sschema.Generate(swagger, out)
}
