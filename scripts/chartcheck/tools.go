//go:build tools

// The command-line tools pinned by this module's go.mod, installed by
// scripts/tools.sh for people and the Tiltfile: helm (the same version as
// the SDK the tests render with) and kubeconform.
package chartcheck

import (
	_ "github.com/yannh/kubeconform/cmd/kubeconform"
	_ "helm.sh/helm/v3/cmd/helm"
)
