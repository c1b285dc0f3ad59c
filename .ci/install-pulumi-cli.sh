#!/usr/bin/env bash
# Installs the Pulumi CLI at one exact version from its GitHub release, after checking the sha256
# of the archive. Both CI systems run it (through `.ci/step install`) instead of
# `curl https://get.pulumi.com | sh`.
#
#   bash .ci/install-pulumi-cli.sh 3.276.0
#
# The expected checksum is the line for the archive in .ci/pulumi-cli.sha256, pinned in this
# repository by `npm run pin-pulumi-cli -- <version>` on a trusted machine. A version with no
# pinned line is checked against the release's own pulumi-<version>-checksums.txt instead, with a
# warning in the run: that catches a download corrupted or swapped on the way, not a release
# replaced at its source. Pin it.
#
# PULUMI_REQUIRE_PIN=1 refuses that fallback: with no pinned line the script fails before
# downloading anything, printing the command that pins the version. `.ci/step install` sets it
# in every mode but `preview`, that is wherever deploy credentials are.
#
# Installs into $PULUMI_INSTALL_DIR (default $HOME/.pulumi/bin) and puts that on PATH for the
# job's later steps: GITHUB_PATH on GitHub Actions, task.prependpath on Azure Pipelines.
# Release and pin locations can be overridden for tests only: see .ci/lib/pulumi-release.sh.
set -euo pipefail
# shellcheck source=lib/pulumi-release.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pulumi-release.sh"

version="${1:-}"
if ! release_version_ok "$version"; then
    echo "usage: install-pulumi-cli.sh <version such as 3.276.0>; got '${version}'" >&2
    exit 2
fi

release_locations
dest="${PULUMI_INSTALL_DIR:-$HOME/.pulumi/bin}"
archive="$(release_archive "$version")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

expected=""
if [[ -f "$pins" ]]; then
    expected="$(release_listed "$pins" "$archive")"
fi
if [[ -z "$expected" && "${PULUMI_REQUIRE_PIN:-}" == "1" ]]; then
    release_error "No pinned checksum for ${archive} in ${PINS_FILE_NAME}, and PULUMI_REQUIRE_PIN=1: not installing an unpinned CLI where deploy credentials are. To pin it, on a trusted machine (not a CI runner) run: $(release_pin_command "$version") and commit the line it adds in its own pull request."
    exit 1
fi
if [[ -z "$expected" ]]; then
    expected="$(release_published_sha256 "$version" "$archive" "$work")"
    if [[ -z "$expected" ]]; then
        echo "pulumi-${version}-checksums.txt lists no checksum for ${archive}" >&2
        exit 1
    fi
    release_warn "No pinned checksum for ${archive} in ${PINS_FILE_NAME}: checked against the release's own checksums file only. Pin it on a trusted machine: $(release_pin_command "$version") (it adds the line ${expected}  ${archive})"
fi
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    echo "the checksum for ${archive} is not 64 lowercase hex digits: '${expected}'" >&2
    exit 1
fi

actual="$(release_fetch_archive "$version" "$archive" "$work")"
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
