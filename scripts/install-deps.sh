#!/usr/bin/env bash
# Installs the Debian packages edugov needs to build, test and run.
# Idempotent: asks apt only for packages that are missing, so a second run is instant.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git python3
  libssl-dev libboost-dev libboost-system-dev
  libsqlite3-dev sqlite3 libpq-dev libpqxx-dev
  nlohmann-json3-dev libyaml-cpp-dev libopencc-dev opencc libsodium-dev
  libcli11-dev libspdlog-dev libfmt-dev libxlsxwriter-dev
  libzip-dev zipcmp zipmerge ziptool libpugixml-dev libqrencode-dev
  libgtest-dev libgmock-dev
)
# The server prints PDF reports with headless Chromium, in TrueType CJK
# faces (宋体-like AR PL UMing, 黑体-like WenQuanYi Micro Hei) that Chromium
# embeds as small subsets; fonts-noto-cjk is for the web UI's screenshots.
RUN_PKGS=(chromium fonts-arphic-uming fonts-wqy-microhei)
TEST_PKGS=(postgresql fonts-noto-cjk poppler-utils wrk fet fet-data)

want=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi

echo "edugov: installing Debian packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
