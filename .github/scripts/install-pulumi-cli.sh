#!/usr/bin/env bash
# Installs the Pulumi CLI at one exact version from its GitHub release, after checking the sha256
# of the archive. Both CI systems use it instead of `curl https://get.pulumi.com | sh`.
#
#   bash .github/scripts/install-pulumi-cli.sh 3.276.0
#
# The expected checksum is the line for the archive in .github/pulumi-cli.sha256, pinned in this
# repository. A version with no pinned line is checked against the release's own
# pulumi-<version>-checksums.txt instead, with a warning in the run: that catches a download
# corrupted or swapped on the way, not a release replaced at its source. Pin it.
#
# PULUMI_REQUIRE_PIN=1 refuses that fallback: with no pinned line the script fails before
# downloading anything. The jobs that hold deploy credentials (deploy and rotate, in both CI
# systems) set it; previews may run on the fallback, with its warning.
#
# Installs into $PULUMI_INSTALL_DIR (default $HOME/.pulumi/bin) and puts that on PATH for the
# job's later steps: GITHUB_PATH on GitHub Actions, task.prependpath on Azure Pipelines.
# PULUMI_RELEASES_URL (tests only) replaces https://github.com/pulumi/pulumi/releases/download.
set -euo pipefail

version="${1:-}"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "usage: install-pulumi-cli.sh <version such as 3.276.0>; got '${version}'" >&2
    exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pins="${PULUMI_CLI_PINS:-$here/../pulumi-cli.sha256}"
releases="${PULUMI_RELEASES_URL:-https://github.com/pulumi/pulumi/releases/download}"
dest="${PULUMI_INSTALL_DIR:-$HOME/.pulumi/bin}"
archive="pulumi-v${version}-linux-x64.tar.gz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

warn() {
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then echo "::warning::$1"; fi
    if [[ -n "${TF_BUILD:-}" ]]; then echo "##vso[task.logissue type=warning]$1"; fi
    echo "warning: $1" >&2
}

download() {
    # Redirects (GitHub sends release assets to its CDN) may only go to https.
    curl --fail --silent --show-error --location --proto-redir '=https' --retry 3 --output "$2" "$1"
}

# The sha256 listed for the archive in a `sha256sum`-style file ("<hex>  <name>"), if any.
listed() {
    awk -v name="$archive" '$1 !~ /^#/ && ($2 == name || $2 == "*" name) { print $1; exit }' "$1"
}

expected=""
if [[ -f "$pins" ]]; then
    expected="$(listed "$pins")"
fi
if [[ -z "$expected" && "${PULUMI_REQUIRE_PIN:-}" == "1" ]]; then
    message="No pinned checksum for ${archive} in .github/pulumi-cli.sha256, and PULUMI_REQUIRE_PIN=1: not installing an unpinned CLI where deploy credentials are. On a trusted machine, add the sha256 of the release archive to .github/pulumi-cli.sha256 (that file says how)."
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then echo "::error::$message"; fi
    if [[ -n "${TF_BUILD:-}" ]]; then echo "##vso[task.logissue type=error]$message"; fi
    echo "$message" >&2
    exit 1
fi
if [[ -z "$expected" ]]; then
    download "$releases/v${version}/pulumi-${version}-checksums.txt" "$work/checksums.txt"
    expected="$(listed "$work/checksums.txt")"
    if [[ -z "$expected" ]]; then
        echo "pulumi-${version}-checksums.txt lists no checksum for ${archive}" >&2
        exit 1
    fi
    warn "No pinned checksum for ${archive} in .github/pulumi-cli.sha256: checked against the release's own checksums file only. Pin it by adding the line: ${expected}  ${archive}"
fi
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    echo "the checksum for ${archive} is not 64 lowercase hex digits: '${expected}'" >&2
    exit 1
fi

download "$releases/v${version}/${archive}" "$work/$archive"
actual="$(sha256sum "$work/$archive" | cut -d ' ' -f 1)"
if [[ "$actual" != "$expected" ]]; then
    echo "checksum mismatch for ${archive}: expected ${expected}, downloaded ${actual}; not installing" >&2
    exit 1
fi

tar -xzf "$work/$archive" -C "$work"
mkdir -p "$dest"
cp -R "$work/pulumi/." "$dest/"
installed="$(PULUMI_SKIP_UPDATE_CHECK=true "$dest/pulumi" version)"
if [[ "$installed" != "v${version}" ]]; then
    echo "installed pulumi reports '${installed}', expected v${version}" >&2
    exit 1
fi

if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$dest" >> "$GITHUB_PATH"; fi
if [[ -n "${TF_BUILD:-}" ]]; then echo "##vso[task.prependpath]$dest"; fi
echo "Installed Pulumi CLI v${version} (sha256 ${actual}) into ${dest}"
