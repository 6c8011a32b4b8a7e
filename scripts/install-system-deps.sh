#!/usr/bin/env bash
# Debian/Ubuntu packages the tests need: Chromium (browser tests), emscripten and Eigen
# (WebDNN's WebAssembly backend in 2pack.py), OpenMPI (mpiexec for multi-process training;
# its mpicc and headers build mpi4py), Fashion-MNIST (--dataset fashion-mnist, the clothes
# page). Installs only what is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v em++ >/dev/null 2>&1 || missing+=(emscripten)
[ -d /usr/include/eigen3 ] || missing+=(libeigen3-dev)
command -v mpiexec >/dev/null 2>&1 || missing+=(openmpi-bin)
command -v mpicc >/dev/null 2>&1 || missing+=(libopenmpi-dev)
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: please install ${missing[*]} with your system's package manager" >&2
  exit 1
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
