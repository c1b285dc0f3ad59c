//go:build tools

// Package act pins nektos/act, the runner `npm run test:workflows` executes the GitHub workflows
// with (see README.md beside this file).
package act

import _ "github.com/nektos/act"
