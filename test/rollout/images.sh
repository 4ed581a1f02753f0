#!/usr/bin/env bash
# Builds the container images of the rolling-update proof as OCI archives, without a registry or
# a Docker engine: a busybox-static root filesystem packed by umoci.
#   <out>/pause.tar      gracekeeper.local/pause:1          the pod sandbox: sleeps, exits on TERM
#   <out>/app.tar        gracekeeper.local/test-app:1       sleeps 3 s, then busybox httpd on :8080;
#                                                           exits at once on SIGTERM, like many apps
#   <out>/keepalive.tar  gracekeeper.local/keepalive-app:1  app/main.go (Go, static): HTTP/1.1
#                                                           keep-alive; drains on SIGTERM
# Each archive's index names its image (io.containerd.image.name), so that
# `ctr -n k8s.io images import <tar>` stores it under that name.
# Usage: test/rollout/images.sh OUT_DIR
set -euo pipefail
out=${1:?usage: images.sh OUT_DIR}
busybox=${BUSYBOX:-/bin/busybox}
for cmd in umoci tar; do
  command -v "$cmd" >/dev/null || { echo "images.sh: $cmd not found (apt-get install umoci)" >&2; exit 127; }
done
go_cmd=${GO:-go}
command -v "$go_cmd" >/dev/null || { echo "images.sh: Go toolchain '$go_cmd' not found (builds app/main.go)" >&2; exit 127; }
file_ok=$("$busybox" --list 2>/dev/null | grep -cxE 'sh|sleep|httpd') || true
[[ $file_ok == 3 ]] || { echo "images.sh: $busybox is not a busybox with sh, sleep and httpd (apt-get install busybox-static)" >&2; exit 127; }

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/gk-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The keep-alive app: a static binary, no module dependencies.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(cd "$here/app" && CGO_ENABLED=0 GOTOOLCHAIN=local "$go_cmd" build -trimpath -o "$work/keepalive-app" .)

# name ref script [binary copied to /bin/app]
build() {
  local name=$1 ref=$2 script=$3 binary=${4:-}
  local layout=$work/$name bundle=$work/$name-bundle
  umoci init --layout "$layout"
  umoci new --image "$layout:1"
  umoci unpack --image "$layout:1" "$bundle" >/dev/null
  local root=$bundle/rootfs
  mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  cp "$busybox" "$root/bin/busybox"
  for applet in sh sleep httpd wget cat ls ps kill; do ln -sf busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  printf 'ok\n' >"$root/www/index.html"
  [[ -z $binary ]] || install -m 0755 "$binary" "$root/bin/app"
  umoci repack --image "$layout:1" "$bundle" >/dev/null
  umoci config --image "$layout:1" --config.entrypoint /bin/sh --config.entrypoint -c \
    --config.entrypoint "$script" --config.env PATH=/bin --config.workingdir /
  umoci gc --layout "$layout"
  # Name the manifest as containerd expects, then pack the layout as an OCI archive.
  node -e '
    const fs = require("fs"); const [file, ref] = process.argv.slice(1);
    const index = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const m of index.manifests) m.annotations = { ...m.annotations, "io.containerd.image.name": ref };
    fs.writeFileSync(file, JSON.stringify(index));' "$layout/index.json" "$ref"
  tar -C "$layout" -cf "$out/$name.tar.tmp" .
  mv "$out/$name.tar.tmp" "$out/$name.tar"
}

# The sandbox: PID 1 ignores signals it has no handler for, so trap them.
build pause gracekeeper.local/pause:1 'trap "exit 0" TERM INT; sleep 2147483647 & wait'
# The app: not listening for 3 s after start; SIGTERM ends it at once (sh, PID 1, exits; the
# kernel then kills httpd with the rest of the PID namespace).
build app gracekeeper.local/test-app:1 'trap "exit 0" TERM INT; sleep 3; httpd -f -p 8080 -h /www & wait'
# The keep-alive app is PID 1 itself (exec), so SIGTERM reaches its handler.
build keepalive gracekeeper.local/keepalive-app:1 'exec /bin/app' "$work/keepalive-app"
echo "images.sh: wrote $out/pause.tar $out/app.tar $out/keepalive.tar"
