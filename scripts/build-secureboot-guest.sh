#!/usr/bin/env bash
#
# build-secureboot-guest.sh - the Secure Boot test disks (EFI system partitions) for Hangar's tests.
#
# Made only from Debian packages, booting the same kernel and initramfs as the test guest
# (scripts/build-test-guest.sh; its kernel is Debian's signed cloud kernel):
#
#   esp-signed.img    FAT disk: /EFI/BOOT/BOOTX64.EFI = shimx64.efi.signed (shim-signed, signed by
#                     Microsoft's UEFI CA), /EFI/BOOT/grubx64.efi = grubx64.efi.signed
#                     (grub-efi-amd64-signed, signed by Debian, trusted through shim), grub.cfg,
#                     vmlinuz (signed by Debian, checked by grub through shim), initrd.img.
#                     Under OVMF with Microsoft's keys the guest boots with Secure Boot on.
#   esp-unsigned.img  the same, but /EFI/BOOT/BOOTX64.EFI is GRUB without any signature
#                     (grub-efi-amd64-bin's monolithic grubx64.efi): the firmware must refuse it.
#   manifest.json     sha256 of the outputs.
#
# The disks are "superfloppies" (FAT from sector 0, no partition table), written with mtools:
# no root, no loop devices. Output in $OUT (default test/.guest/secureboot/), cached: when the
# inputs (this script, the test guest's kernel and initrd, the EFI binaries) have the same content
# hash as last time, it prints "secure boot guest up to date" and exits.
#
# Usage: scripts/build-secureboot-guest.sh [OUT_DIR]
# Needs (Debian packages): shim-signed, grub-efi-amd64-signed, grub-efi-amd64-bin, mtools, dosfstools,
# and what build-test-guest.sh needs.

set -euo pipefail

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)"
GUEST_DIR="${HANGAR_TEST_GUEST_DIR:-$REPO_ROOT/test/.guest}"
OUT="$(realpath -m "${1:-$GUEST_DIR/secureboot}")"
STAMP="$OUT/.stamp"

SHIM_SIGNED=/usr/lib/shim/shimx64.efi.signed
GRUB_SIGNED=/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
GRUB_UNSIGNED=/usr/lib/grub/x86_64-efi/monolithic/grubx64.efi
DISK_SIZE_MIB=64
# Not quiet: the kernel's "Secure boot enabled" line goes to the serial log too.
CMDLINE="console=ttyS0 panic=-1"

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-946684800}" LC_ALL=C TZ=UTC MTOOLS_SKIP_CHECK=1

log() { printf 'build-secureboot-guest: %s\n' "$*" >&2; }
die() { printf 'build-secureboot-guest: error: %s\n' "$*" >&2; exit 1; }

for f in "$SHIM_SIGNED" "$GRUB_SIGNED" "$GRUB_UNSIGNED"; do
	[[ -f "$f" ]] || die "$f missing (apt-get install -y shim-signed grub-efi-amd64-signed grub-efi-amd64-bin)"
done
for c in mcopy mmd mkfs.vfat sha256sum flock; do
	command -v "$c" >/dev/null 2>&1 || die "'$c' not found (apt-get install -y mtools dosfstools)"
done

# The kernel and initramfs of the test guest (built, or found up to date).
bash "$REPO_ROOT/scripts/build-test-guest.sh" "$GUEST_DIR" >&2
KERNEL="$GUEST_DIR/vmlinuz"
INITRD="$GUEST_DIR/initrd.img"

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

KEY="$(sha256sum "$SCRIPT_PATH" "$KERNEL" "$INITRD" "$SHIM_SIGNED" "$GRUB_SIGNED" "$GRUB_UNSIGNED" | cut -d' ' -f1 | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" && -s "$OUT/esp-signed.img" && -s "$OUT/esp-unsigned.img" ]]; then
	echo "secure boot guest up to date ($OUT)"
	exit 0
fi

WORK="$(mktemp -d "$OUT/.build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
rm -f "$STAMP"

cat >"$WORK/grub.cfg" <<EOF
set timeout=0
set default=0
menuentry "Hangar secure boot test guest" {
	linux /vmlinuz $CMDLINE
	initrd /initrd.img
}
EOF
touch -d "@$SOURCE_DATE_EPOCH" "$WORK/grub.cfg"

# make_esp FILE BOOTX64: a FAT disk whose removable-media boot path runs BOOTX64.
make_esp() {
	local img="$1" boot="$2"
	truncate -s "${DISK_SIZE_MIB}M" "$img"
	mkfs.vfat -F 32 -n HANGARESP -i 48534250 --invariant "$img" >/dev/null
	mmd -i "$img" ::/EFI ::/EFI/BOOT ::/EFI/debian
	cp "$boot" "$WORK/BOOTX64.EFI"
	cp "$GRUB_SIGNED" "$WORK/grubx64.efi"
	touch -d "@$SOURCE_DATE_EPOCH" "$WORK/BOOTX64.EFI" "$WORK/grubx64.efi"
	mcopy -m -i "$img" "$WORK/BOOTX64.EFI" "$WORK/grubx64.efi" "$WORK/grub.cfg" ::/EFI/BOOT/
	# Debian's signed GRUB reads $prefix/grub.cfg with prefix /EFI/debian.
	mcopy -m -i "$img" "$WORK/grub.cfg" ::/EFI/debian/
	mcopy -m -i "$img" "$KERNEL" ::/vmlinuz
	mcopy -m -i "$img" "$INITRD" ::/initrd.img
}

log "building ESP disks in $OUT"
make_esp "$WORK/esp-signed.img" "$SHIM_SIGNED"
make_esp "$WORK/esp-unsigned.img" "$GRUB_UNSIGNED"

cat >"$WORK/manifest.json" <<EOF
{
  "cmdline": "$CMDLINE",
  "files": {
    "esp-signed.img": { "sha256": "$(sha256sum "$WORK/esp-signed.img" | cut -d' ' -f1)", "boot": "$SHIM_SIGNED" },
    "esp-unsigned.img": { "sha256": "$(sha256sum "$WORK/esp-unsigned.img" | cut -d' ' -f1)", "boot": "$GRUB_UNSIGNED" }
  }
}
EOF
mv -f "$WORK/esp-signed.img" "$WORK/esp-unsigned.img" "$WORK/manifest.json" "$OUT/"
printf '%s\n' "$KEY" >"$STAMP"
log "done"
