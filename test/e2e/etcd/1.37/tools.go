//go:build tools

// Package tools records the etcd server command that ../../build-k8s.sh builds, so that
// `go mod tidy` keeps every module it needs in go.mod and go.sum.
package tools

import _ "go.etcd.io/etcd/server/v3"
