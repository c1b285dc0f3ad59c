#!/usr/bin/env bash
# Builds nektos/act, at the version go.mod pins, into <repo>/.engine/act-<version>/act and prints
# that folder's absolute path as the last line on stdout. Progress goes to stderr. A second run
# with the same go.mod, go.sum, build script and Go version does nothing. See tools/act/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { echo "act: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
	say "go is not on PATH, so act cannot be built here."
	say "Either install Go (see tools/act/go.mod for the version) and rerun 'npm run act',"
	say "or point the workflow tests at an act binary of the same version: ACT_BIN=<path to act>"
	exit 1
fi

version=$(sed -n 's#^\(require\)\{0,1\}[[:space:]]*github.com/nektos/act \(v[^[:space:]]*\).*#\2#p' "$here/go.mod" | head -n1)
if [ -z "$version" ]; then
	say "cannot read the github.com/nektos/act version from $here/go.mod"
	exit 1
fi
out="$root/.engine/act-$version"
mkdir -p "$out"

# One build at a time (the tests and CI may both ask).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out/.lock"
	flock 9
fi

stamp() {
	(
		cd "$here"
		go version
		sha256sum go.mod go.sum build.sh tools.go
	) | sha256sum | cut -d' ' -f1
}
want=$(stamp)
if [ -x "$out/act" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$want" ]; then
	say "up to date: act $version in $out"
	echo "$out"
	exit 0
fi

rm -f "$out/stamp"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly" # go.sum is authoritative: never rewrite it while building
cd "$here"
start=$SECONDS
say "building act $version (a cold build takes a few minutes on 2 cores)..."
CGO_ENABLED=0 go build -trimpath -o "$out/act.tmp" github.com/nektos/act
mv -f "$out/act.tmp" "$out/act"
echo "$want" >"$out/stamp"
say "built act $version in $((SECONDS - start))s: $out"
echo "$out"
