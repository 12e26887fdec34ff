#!/usr/bin/env bash
# System packages Hangar needs on Debian/Ubuntu, and the extra ones its test suite needs.
#   scripts/install-system-packages.sh           runtime: QEMU, qemu-img, OVMF
#   scripts/install-system-packages.sh --test    also: the test guest's build tools, Chromium, sshd
set -euo pipefail

# swtpm + swtpm-tools: TPM 2.0 (tpm/); ovmf also ships the Secure Boot firmware and its descriptors
# xorriso writes cloud-init NoCloud seeds (src-main/cloudinit/seed-iso.ts)
# osinfo-db: what Hangar knows of OSes (src-main/os/); Hangar falls back to OS families without it
runtime=(qemu-system-x86 qemu-utils ovmf swtpm swtpm-tools xorriso osinfo-db)
test_tools=(
  # the tiny test guest (scripts/build-test-guest.sh): qemu-guest-agent's qemu-ga is copied into it
  busybox-static cpio xz-utils xorriso isolinux syslinux syslinux-common mtools dosfstools qemu-guest-agent
  # OS detection is compared with libosinfo's own osinfo-detect / osinfo-query
  libosinfo-bin
  # the Secure Boot test disks (scripts/build-secureboot-guest.sh): signed shim + GRUB, and an unsigned GRUB
  shim-signed grub-efi-amd64-signed grub-efi-amd64-bin
  # UI tests drive Debian's Chromium
  chromium fonts-dejavu-core fonts-wqy-microhei
  # LAN-host tests run a real sshd in a network namespace
  openssh-server openssh-client iproute2
  # shell completion tests
  zsh
  # native modules (better-sqlite3, node-pty, ssh2) build from source: no prebuilt binaries are
  # reachable here; ccache keeps the compiled objects by content hash so CI's npm ci reuses them
  python3 make g++ ccache
  # the calendar-bound suites run again under a shifted clock
  faketime
  # the Debian cloud-init guest (scripts/build-cloud-guest.sh)
  debootstrap e2fsprogs dosfstools mtools syslinux syslinux-common
)

packages=("${runtime[@]}")
if [[ "${1:-}" == "--test" ]]; then packages+=("${test_tools[@]}"); fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
