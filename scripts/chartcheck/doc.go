// Package chartcheck checks charts/relais, the Dockerfile and the Tiltfile
// offline, from the test command (scripts/chart-check.sh): it renders every
// scenario of charts/relais/ci with the Helm SDK, decodes each manifest
// strictly into Kubernetes' typed objects, validates it with kubeconform
// against JSON schemas generated from the swagger.json of the k8s.io/kubernetes
// module, and asserts the properties the chart promises.
package chartcheck
