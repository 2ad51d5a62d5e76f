#!/usr/bin/env bash
# Build the Dockerfile without Docker's daemon and without the internet beyond the package registries:
# Debian's buildah (chroot isolation, vfs storage). Only what cannot be reached from here is replaced,
# through build arguments the Dockerfile declares:
#   - the base image: a Debian bookworm root filesystem made by mmdebstrap (python3.11), standing in for
#     python:3.11-slim (BASE_IMAGE names another one to use instead);
#   - pip: the indexes, find-links folders and CA bundle pip is configured with on this machine, passed as
#     PIP_* build arguments, with their local folders mounted read-only into the RUN steps;
#   - trl: the source archive of the exact commit from ../shared/vendor (TRL_SOURCE), not GitHub;
#   - the assets stage: `detoxlab assets fetch` runs for real against servers on 127.0.0.1
#     (scripts/image/standin_servers.py: a small hub for HF_ENDPOINT and moto's S3), which serve the real
#     configs and tokenizers with random weights of the real shapes and DialogSum from ../shared/data.
#   - for the gradescope target, Gradescope's base image (Docker Hub): a Debian bookworm root filesystem
#     without Python and with /autograder, so that gradescope/setup.sh installs Python 3.11 itself
#     (GRADESCOPE_BASE names another one to use instead).
# Usage: scripts/build-image.sh [--tag TAG] [--target lab|grader|gradescope|build] [--no-assets]
#   --target      lab (default: the student's image), grader (course staff's), gradescope, build
#   --no-assets   build on an empty assets stage (no servers, no models: the mini profile only)
# Environment: TORCH_VARIANT (cpu by default; pypi builds the CUDA image, torch from requirements-cuda.lock),
# DETOXLAB_SHARED (default ../shared), IMAGE_WORK (default /var/tmp/detoxlab-image: the
# base root filesystem and the served stand-ins, kept between builds), BUILD_TIMEOUT (seconds, default 3600),
# IMAGE_MIN_FREE_GB (the free disk a build needs, default 18: see "disk" below).
# Prints the build's wall time and the image's size; records both in $IMAGE_WORK/build-<tag>.json. The image
# the tag named before is removed once nothing else names it (each rebuild would otherwise leave 2-3 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=detoxlab:lab TARGET=lab ASSETS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    --no-assets) ASSETS=0; shift ;;
    *) echo "build-image: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
SHARED=$(cd "${DETOXLAB_SHARED:-../shared}" 2>/dev/null && pwd) \
  || { echo "build-image: ${DETOXLAB_SHARED:-../shared} not found; set DETOXLAB_SHARED" >&2; exit 2; }
WORK=${IMAGE_WORK:-/var/tmp/detoxlab-image}
mkdir -p "$WORK"
buildah_() { buildah --storage-driver vfs "$@"; }

# --- disk --------------------------------------------------------------------------------------------------
# vfs keeps every layer as a whole copy of the file system, and a multi-stage build holds several stages
# (each about 2.5 GB: the venv) at once, so a build fails late, at a commit, when the disk runs short: the
# grader target's build (--no-assets) peaked at 16.5 GB above what the disk held before, and kept 6.5 GB
# (the image and the base; docs/container.md). Say so before the build starts, with what is free and what to remove.
store=$(buildah_ info --format '{{.store.GraphRoot}}')
mkdir -p "$store"
free_gb=$(df --output=avail -B1G "$store" | tail -1 | tr -d ' ')
need_gb=${IMAGE_MIN_FREE_GB:-18}
if [ "$free_gb" -lt "$need_gb" ]; then
  echo "build-image: $free_gb GB free at $store, a build needs about $need_gb GB (IMAGE_MIN_FREE_GB);" \
       "free some: buildah --storage-driver vfs images (rmi the old ones; rmi --prune removes the untagged)" >&2
  exit 2
fi

# --- tools, from Debian's packages -------------------------------------------------------------------------
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "build-image: install ${missing[*]} (Debian packages) or run as root" >&2; exit 2; }
  echo "build-image: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

args=()
# --- the base images ---------------------------------------------------------------------------------------
# make_base NAME DESCRIPTION [buildah config options...] -- [mmdebstrap options...]: a Debian bookworm root
# filesystem from mmdebstrap, imported as image NAME (once: an image already there is kept)
make_base() {
  local name=$1 description=$2 container config=()
  shift 2
  while [ "$1" != -- ]; do config+=("$1"); shift; done
  shift
  buildah_ inspect --type image "$name" >/dev/null 2>&1 && return 0
  echo "build-image: making $name with mmdebstrap ($description)"
  mmdebstrap --quiet --variant=minbase "$@" bookworm "$WORK/base.tar"
  container=$(buildah_ from scratch)
  buildah_ add "$container" "$WORK/base.tar" / >/dev/null
  buildah_ config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
    "${config[@]}" "$container"
  buildah_ commit --quiet "$container" "$name" >/dev/null
  buildah_ rm "$container" >/dev/null
  rm -f "$WORK/base.tar"
}
BASE=${BASE_IMAGE:-localhost/detoxlab-base:bookworm-python3.11}
[ -n "${BASE_IMAGE:-}" ] || make_base "$BASE" "Debian bookworm, python3.11" --cmd '["python3.11"]' -- \
  --include=python3.11,python3.11-venv,ca-certificates,passwd
args+=(--build-arg "PYTHON_IMAGE=$BASE")

if [ "$TARGET" = gradescope ] && [ -z "${GRADESCOPE_BASE:-}" ]; then
  GRADESCOPE_BASE=localhost/detoxlab-gradescope-standin:bookworm
  make_base "$GRADESCOPE_BASE" "Debian bookworm, no Python, /autograder" --workingdir /autograder \
    --cmd '["/bin/bash"]' -- --include=ca-certificates --customize-hook='mkdir -p "$1/autograder/source" "$1/autograder/submission" "$1/autograder/results"'
fi
[ -z "${GRADESCOPE_BASE:-}" ] || args+=(--build-arg "GRADESCOPE_BASE=$GRADESCOPE_BASE")
[ -z "${TORCH_VARIANT:-}" ] || args+=(--build-arg "TORCH_VARIANT=$TORCH_VARIANT")   # pypi: the CUDA image

# --- pip as configured here --------------------------------------------------------------------------------
mounts=()
mount_local() {   # mount the local folders and files a pip setting names, read-only, at the same paths
  local item path
  for item in $2; do
    path=${item#file://}
    # a local "simple" index links to its files beside it (../files/...): mount the index's parent
    [ "$1" = index ] && path=$(dirname "$path")
    case "$path" in /*) [ -e "$path" ] && mounts+=(-v "$path:$path:ro") ;; esac
  done
}
for key in index-url extra-index-url find-links cert; do
  variable=PIP_$(echo "$key" | tr a-z- A-Z_)
  value=${!variable:-$(python3 -m pip config get "global.$key" 2>/dev/null || true)}
  value=$(echo "$value" | tr '\n' ' ' | sed 's/ *$//')
  [ -n "$value" ] || continue
  args+=(--build-arg "$variable=$value")
  case "$key" in *index-url) mount_local index "$value" ;; *) mount_local path "$value" ;; esac
done

# --- trl from the vendored archive -------------------------------------------------------------------------
commit=$(sed -n 's/^ARG TRL_COMMIT=\([0-9a-f]*\)$/\1/p' Dockerfile)
archive="$SHARED/vendor/trl-$commit.tar.gz"
[ -f "$archive" ] || { echo "build-image: $archive not found (the trl source archive of commit $commit)" >&2; exit 2; }
mounts+=(-v "$SHARED/vendor:/vendor:ro")
args+=(--build-arg "TRL_SOURCE=file:///vendor/trl-$commit.tar.gz")

# --- the assets stage: local servers -----------------------------------------------------------------------
servers=
stop_servers() { [ -z "$servers" ] || kill "$servers" 2>/dev/null || true; }
trap stop_servers EXIT
if [ "$ASSETS" = 1 ] && [ "$TARGET" != build ]; then
  [ -x .venv/bin/python ] || { echo "build-image: run bash scripts/setup.sh first (the servers use .venv)" >&2; exit 2; }
  DETOXLAB_DATA_DIR="$SHARED/data" .venv/bin/python scripts/image/standin_servers.py make "$WORK/standins"
  hub_port=${HUB_PORT:-18765} s3_port=${S3_PORT:-18766}
  .venv/bin/python scripts/image/standin_servers.py serve "$WORK/standins" --hub-port "$hub_port" --s3-port "$s3_port" \
    > "$WORK/servers.log" 2>&1 &
  servers=$!
  for _ in $(seq 60); do grep -q '^standin-servers: hub' "$WORK/servers.log" && break; sleep 1; done
  grep -q '^standin-servers: hub' "$WORK/servers.log" || { cat "$WORK/servers.log" >&2; exit 1; }
  args+=(--build-arg "HF_ENDPOINT=http://127.0.0.1:$hub_port" --build-arg "DETOXLAB_S3_ENDPOINT=http://127.0.0.1:$s3_port")
elif [ "$ASSETS" = 0 ]; then
  args+=(--build-arg DETOXLAB_FETCH_PROFILE=none)
fi

echo "build-image: buildah bud --target $TARGET -t $TAG (base $BASE; $free_gb GB free)"
previous=$(buildah_ inspect --type image --format '{{.FromImageID}}' "$TAG" 2>/dev/null || true)
started=$(date +%s)
timeout --signal=TERM --kill-after=30 "${BUILD_TIMEOUT:-3600}" \
  buildah --storage-driver vfs bud --isolation chroot --target "$TARGET" -t "$TAG" \
    "${args[@]}" "${mounts[@]}" -f Dockerfile . \
  || { status=$?; [ "$status" = 124 ] && echo "build-image: stopped after ${BUILD_TIMEOUT:-3600} s (BUILD_TIMEOUT)" >&2; exit "$status"; }
seconds=$(( $(date +%s) - started ))
# the image the tag named before, unless it was rebuilt identically or another tag still names it
current=$(buildah_ inspect --type image --format '{{.FromImageID}}' "$TAG")
if [ -n "$previous" ] && [ "$previous" != "$current" ] && buildah_ rmi "$previous" >/dev/null 2>&1; then
  echo "build-image: removed the image $TAG named before (${previous:0:12})"
fi
size=$(buildah_ images --format '{{.Size}}' "$TAG" | head -1)   # as buildah reports it, uncompressed
record="$WORK/build-${TAG//[:\/]/_}.json"
printf '{"tag": "%s", "target": "%s", "assets": %s, "build_seconds": %d, "size": "%s"}\n' \
  "$TAG" "$TARGET" "$([ "$ASSETS" = 1 ] && echo true || echo false)" "$seconds" "$size" > "$record"
echo "build-image: $TAG built in $((seconds / 60)) min $((seconds % 60)) s; size $size ($record)"
