//go:build tools

// Package engine pins the Pulumi CLI this project builds for its engine tests.
package engine

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
