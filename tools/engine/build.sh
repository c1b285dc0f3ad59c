#!/usr/bin/env bash
# Builds the real Pulumi engine (CLI) from Go modules, our language host and the launchers into
# <repo>/.engine/pulumi-<version>/bin, and prints that folder's absolute path as the last line on
# stdout. Progress goes to stderr. A second run with the same go.mod, go.sum, sources and Go
# version does nothing. See tools/engine/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { echo "engine: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
	say "go is not on PATH, so the Pulumi engine cannot be built here."
	say "Either install Go (see tools/engine/go.mod for the version) and rerun 'npm run engine',"
	say "or point the tests at an installed Pulumi CLI of the same version:"
	say "  PULUMI_ENGINE_BIN=<folder holding pulumi, pulumi-language-nodejs,"
	say "                    pulumi-resource-pulumi-nodejs and pulumi-analyzer-policy>"
	exit 1
fi

version=$(sed -n 's#^\(require\)\{0,1\}[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^[:space:]]*\).*#\2#p' \
	"$here/go.mod" | head -n1)
if [ -z "$version" ]; then
	say "cannot read the github.com/pulumi/pulumi/pkg/v3 version from $here/go.mod"
	exit 1
fi
out="$root/.engine/pulumi-$version"
bin="$out/bin"
mkdir -p "$bin"

# One build at a time (tests may start several).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out/.lock"
	flock 9
fi

stamp() {
	(
		cd "$here"
		go version
		find go.mod go.sum build.sh tools.go cmd launchers -type f | LC_ALL=C sort | xargs sha256sum
	) | sha256sum | cut -d' ' -f1
}
want=$(stamp)
tools=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-analyzer-policy)
have_all=true
for t in "${tools[@]}"; do [ -x "$bin/$t" ] || have_all=false; done
if $have_all && [ "$(cat "$out/stamp" 2>/dev/null)" = "$want" ]; then
	say "up to date: pulumi $version in $bin"
	echo "$bin"
	exit 0
fi

rm -f "$out/stamp"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly" # go.sum is authoritative: never rewrite it while building (the machine's own flags kept)
cd "$here"
start=$SECONDS
say "building pulumi $version (a cold build compiles the whole CLI: about 8 minutes on 2 cores)..."
go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
	-o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
mv -f "$bin/pulumi.tmp" "$bin/pulumi"
say "testing pulumi-language-nodejs (go test)..."
go test ./cmd/pulumi-language-nodejs >&2
say "building pulumi-language-nodejs..."
go build -o "$bin/pulumi-language-nodejs.tmp" ./cmd/pulumi-language-nodejs
mv -f "$bin/pulumi-language-nodejs.tmp" "$bin/pulumi-language-nodejs"
for l in pulumi-resource-pulumi-nodejs pulumi-analyzer-policy; do
	install -m 0755 "launchers/$l" "$bin/$l"
done
echo "$want" >"$out/stamp"
say "built pulumi $version in $((SECONDS - start))s: $bin"
echo "$bin"
