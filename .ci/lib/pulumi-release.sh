# Sourced by .ci/install-pulumi-cli.sh and .ci/pin-pulumi-cli.sh: where Pulumi CLI releases and
# the pinned checksums are, how they are downloaded, and how a checksum line is read. Bash only
# (the installer runs before anything else is set up).
#
# Test-only overrides, honoured only with DBT_ADO_TEST_OVERRIDES=1 (the project's switch for
# test-only redirections; `.ci/step` refuses that switch on a real CI runner):
#   PULUMI_RELEASES_URL  replaces https://github.com/pulumi/pulumi/releases/download
#   PULUMI_CLI_PINS      replaces .ci/pulumi-cli.sha256
# Without the switch they are ignored, with a warning: a queue-time or variable-group variable
# must not choose where the CLI that runs with deploy credentials comes from.

release_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The file that pins the sha256 of every CLI archive CI installs; named in messages as it is in the repository.
PINS_FILE_NAME=".ci/pulumi-cli.sha256"
PULUMI_RELEASES_DEFAULT="https://github.com/pulumi/pulumi/releases/download"

release_warn() {
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then echo "::warning::$1"; fi
    if [[ -n "${TF_BUILD:-}" ]]; then echo "##vso[task.logissue type=warning]$1"; fi
    echo "warning: $1" >&2
}

release_error() {
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then echo "::error::$1"; fi
    if [[ -n "${TF_BUILD:-}" ]]; then echo "##vso[task.logissue type=error]$1"; fi
    echo "$1" >&2
}

# Sets `releases` and `pins` from the defaults, or from the test-only overrides when allowed.
release_locations() {
    releases="$PULUMI_RELEASES_DEFAULT"
    pins="$release_lib_dir/../pulumi-cli.sha256"
    if [[ "${DBT_ADO_TEST_OVERRIDES:-}" == "1" ]]; then
        releases="${PULUMI_RELEASES_URL:-$releases}"
        pins="${PULUMI_CLI_PINS:-$pins}"
        if [[ -n "${PULUMI_RELEASES_URL:-}" ]]; then echo "DBT_ADO_TEST_OVERRIDES=1: Pulumi releases come from ${PULUMI_RELEASES_URL}" >&2; fi
        if [[ -n "${PULUMI_CLI_PINS:-}" ]]; then echo "DBT_ADO_TEST_OVERRIDES=1: checksum pins come from ${PULUMI_CLI_PINS}" >&2; fi
    else
        local name
        for name in PULUMI_RELEASES_URL PULUMI_CLI_PINS; do
            if [[ -n "${!name:-}" ]]; then
                release_warn "${name} is set but ignored: it is a test-only override (DBT_ADO_TEST_OVERRIDES=1 enables it, outside CI only)."
            fi
        done
    fi
}

release_version_ok() {
    [[ "${1:-}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
}

# The linux-x64 release archive of a version: the only one CI runs.
release_archive() {
    echo "pulumi-v${1}-linux-x64.tar.gz"
}

release_download() {
    # Redirects (GitHub sends release assets to its CDN) may only go to https.
    curl --fail --silent --show-error --location --proto-redir '=https' --retry 3 --output "$2" "$1"
}

# The sha256 listed for archive $2 in the `sha256sum`-style file $1 ("<hex>  <name>"), if any.
release_listed() {
    awk -v name="$2" '$1 !~ /^#/ && ($2 == name || $2 == "*" name) { print $1; exit }' "$1"
}

# The command that pins a version, run once on a trusted machine (never a CI runner).
release_pin_command() {
    echo "npm run pin-pulumi-cli -- ${1}"
}

# The sha256 the release's pulumi-<version>-checksums.txt lists for archive $2 of version $1
# (empty when it lists none), downloaded into folder $3. Fails when the download does: callers
# assign its output (`x="$(...)"`), whose status `set -e` sees.
release_published_sha256() {
    release_download "$releases/v${1}/pulumi-${1}-checksums.txt" "$3/checksums.txt" || return 1
    release_listed "$3/checksums.txt" "$2"
}

# Downloads archive $2 of version $1 into folder $3 and prints its sha256.
release_fetch_archive() {
    release_download "$releases/v${1}/${2}" "$3/$2" || return 1
    sha256sum "$3/$2" | cut -d ' ' -f 1
}
