//go:build tools

// Package tools records the Helm 4 command that ../build.sh builds, so that `go mod tidy` keeps
// every module it needs in go.mod and go.sum.
package tools

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
