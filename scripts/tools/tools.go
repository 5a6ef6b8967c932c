//go:build tools

// Package tools pins the versions of the code generators the repo uses.
// `go install` from this module builds exactly these versions.
package tools

import (
	_ "github.com/bufbuild/buf/cmd/buf"
	_ "google.golang.org/grpc/cmd/protoc-gen-go-grpc"
	_ "google.golang.org/protobuf/cmd/protoc-gen-go"
)
