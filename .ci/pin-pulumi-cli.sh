#!/usr/bin/env bash
# Pins the sha256 of a Pulumi CLI release archive in .ci/pulumi-cli.sha256, the file
# .ci/install-pulumi-cli.sh checks every CI download against.
#
#   npm run pin-pulumi-cli -- 3.276.0
#
# Run it once per version, on a trusted machine (your workstation, not a CI runner: it refuses
# to run on one). It downloads pulumi-v<version>-linux-x64.tar.gz and
# pulumi-<version>-checksums.txt from the release, checks that the archive's sha256 is the one
# the checksums file lists, and adds the "<sha256>  <archive>" line. A version pinned already
# with the same sha256 is left alone; a different one is an error (someone or something changed
# the release or the pin: find out which before you touch it). Commit the line in its own pull
# request, reviewed by someone who runs this command again on their own machine and compares.
#
# Exit status: 0 pinned (or already pinned), 1 failed, 2 bad usage.
# Release and pin locations can be overridden for tests only: see .ci/lib/pulumi-release.sh.
set -euo pipefail
# shellcheck source=lib/pulumi-release.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pulumi-release.sh"

version="${1:-}"
if [[ "$version" == "-h" || "$version" == "--help" ]]; then
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi
if ! release_version_ok "$version" || [[ $# -ne 1 ]]; then
    echo "usage: npm run pin-pulumi-cli -- <version such as 3.276.0>; got '$*'" >&2
    exit 2
fi
if [[ "${TF_BUILD:-}" == "True" || ( "${GITHUB_ACTIONS:-}" == "true" && "${ACT:-}" != "true" ) ]]; then
    echo "pin-pulumi-cli runs on a trusted machine, not on a CI runner: a pin made where it is checked proves nothing." >&2
    exit 1
fi

release_locations
archive="$(release_archive "$version")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "Downloading ${archive} and pulumi-${version}-checksums.txt from ${releases}/v${version}/" >&2
published="$(release_published_sha256 "$version" "$archive" "$work")"
if [[ ! "$published" =~ ^[0-9a-f]{64}$ ]]; then
    echo "pulumi-${version}-checksums.txt lists no sha256 for ${archive}; nothing pinned" >&2
    exit 1
fi
actual="$(release_fetch_archive "$version" "$archive" "$work")"
if [[ "$actual" != "$published" ]]; then
    echo "the downloaded ${archive} has sha256 ${actual}, but the release's checksums file lists ${published}; nothing pinned" >&2
    exit 1
fi

line="${actual}  ${archive}"
pinned=""
if [[ -f "$pins" ]]; then
    pinned="$(release_listed "$pins" "$archive")"
fi
if [[ "$pinned" == "$actual" ]]; then
    echo "${archive} is pinned already, with the same sha256 (${actual}): nothing to change."
    exit 0
fi
if [[ -n "$pinned" ]]; then
    echo "${PINS_FILE_NAME} pins ${archive} to ${pinned}, but the release serves ${actual}: not changing it. Find out which is right before you edit the line by hand." >&2
    exit 1
fi
printf '%s\n' "$line" >> "$pins"
echo "Pinned in ${PINS_FILE_NAME}: ${line}"
echo "Commit it in its own pull request; the reviewer runs the same command on their machine and compares."
