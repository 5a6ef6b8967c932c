// Command kube-apiserver is Kubernetes' API server
// (k8s.io/kubernetes/cmd/kube-apiserver/app) built from the Go module proxy
// at the version pinned in go.mod: scripts/kube-apiserver.sh starts it on
// loopback, over the etcd of ../etcd, for the chart checks'
// `helm install --dry-run=server`. k8s.io/kubernetes is not meant to be a
// dependency (its go.mod points the k8s.io staging modules at local
// paths), so this wrapper module pins each staging module to the matching
// published version with a replace directive; main is the same as
// cmd/kube-apiserver's.
package main

import (
	"os"
	_ "time/tzdata" // for timeZone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
