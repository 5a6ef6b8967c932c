// Command etcd is etcd's own server (go.etcd.io/etcd/server/v3/etcdmain)
// built from the Go module proxy at the version pinned in go.mod: the store
// of the kube-apiserver that scripts/kube-apiserver.sh starts for the chart
// checks' `helm install --dry-run=server`. etcd's server module carries
// replace directives, so `go install module@version` cannot build it; this
// wrapper module requires it instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
