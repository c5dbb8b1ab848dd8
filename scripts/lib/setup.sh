# Shared by scripts/run, scripts/test and scripts/bench: install what a fresh Debian machine with
# the Swift toolchain lacks. Sourced, not run.
set -euo pipefail

WHARF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$WHARF_ROOT"

# System packages Wharf builds against or its tests drive.
WHARF_APT_PACKAGES=(libsqlite3-dev libmagic-dev libvips-dev libssl-dev pkg-config curl coreutils)

wharf_install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# How scripts/run and scripts/bench build release. Swift checks at run time that no two accesses
# to a class's stored property or a global overlap (exclusivity); those checks, most of them
# inside SwiftNIO, cost about an eighth of a static answer's CPU in user space. The release build
# leaves them out, as C servers have none; the debug build that scripts/test runs every test on
# keeps them, so a violation still fails there. The Swift runtime and Foundation are linked into
# the executable: their calls (a reference count for each object passed on) are then direct
# instead of through the dynamic linker's tables, about a tenth less CPU per static answer again
# (docs/benchmarks.md, 2026-12-06, evening and night). Its symbols are then not exported, so
# `wharf` takes the runtime's global executor hook by a linked reference (CExecutorHook), not by
# dlsym as SwiftNIO would, which finds nothing there (2026-12-07).
WHARF_RELEASE_BUILD=(-c release -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib)

if ! command -v swift >/dev/null 2>&1; then
    echo "The Swift toolchain (swift) is not on PATH; install Swift 6.x first." >&2
    exit 1
fi
wharf_install_packages "${WHARF_APT_PACKAGES[@]}"
