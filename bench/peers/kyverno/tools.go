//go:build tools

// Package tools records the Kyverno command that ../build-kyverno.sh builds (the admission
// controller), so that `go mod tidy` keeps every module it needs in go.mod and go.sum.
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/kyverno"
)
