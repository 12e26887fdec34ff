#!/usr/bin/env bash
#
# build-cloud-guest.sh - build the Debian cloud-init guest used by Hangar's cloud-init tests.
#
# A real Debian 12 system, made only from Debian packages of the mirror apt on this machine uses:
#   1. debootstrap --variant=minbase bookworm (from the URI in /etc/apt/sources.list*);
#   2. in a chroot: cloud-init, openssh-server, ifupdown, isc-dhcp-client, systemd-sysv and the
#      cloud kernel linux-image-cloud-amd64 (cloud-init cannot go into debootstrap's --include:
#      package ordering fails there);
#   3. a BIOS-bootable disk made without mounting anything (no root-only loop devices), laid out
#      the way grub-install lays out a BIOS disk: GRUB 2 from Debian's grub-pc-bin (installed in the
#      chroot, so the mirror's version), an MBR with one active partition = the root filesystem,
#      ext4 labelled cloudimg-rootfs, filled with `mkfs.ext4 -d`; GRUB's boot.img in the MBR and its
#      core.img (made with the chroot's grub-mkimage) in the gap before the partition; converted to a
#      compressed qcow2. So a VM made from the library image boots from its own disk, with no
#      kernel fields, like a distribution's cloud image.
#      Why GRUB and not syslinux/extlinux: the earlier syslinux 6.04 stage (on a FAT boot partition)
#      hung right after its banner under SeaBIOS; extlinux can only be installed on a mounted
#      filesystem; GRUB reads ext4 itself, follows /vmlinuz and /initrd.img (a kernel upgrade inside
#      the guest keeps booting), talks on the serial console, and is what Debian's images boot with.
# The cloud kernel has virtio but no AHCI, which is why Hangar attaches the NoCloud seed as a virtio
# disk. vmlinuz and initrd.img are also written beside the disk (for direct kernel boot, if wanted).
#
# Outputs (in $OUT, default test/.cloud-guest/): disk.qcow2 vmlinuz initrd.img manifest.json
# Cached by content hash: this script + the versions the mirror offers for the packages above.
# If the mirror cannot be reached, the build fails with a sentence that says so.
set -euo pipefail

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)"
OUT="$(realpath -m "${1:-${HANGAR_CLOUD_GUEST_DIR:-$REPO_ROOT/test/.cloud-guest}}")"
CACHE="$OUT/cache"
STAMP="$OUT/.stamp"
SUITE=bookworm
PACKAGES=(systemd-sysv udev sudo cloud-init cloud-guest-utils openssh-server ifupdown isc-dhcp-client netbase linux-image-cloud-amd64 grub-pc-bin)
CMDLINE="root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0 net.ifnames=0 quiet"
MIN_DISK_MIB=2048
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

log() { printf 'build-cloud-guest: %s\n' "$*" >&2; }
die() { printf 'build-cloud-guest: error: %s\n' "$*" >&2; exit 1; }

for c in debootstrap chroot mkfs.ext4 python3 qemu-img apt-cache sha256sum flock; do
	command -v "$c" >/dev/null || die "'$c' not found (apt-get install -y debootstrap e2fsprogs python3 qemu-utils)"
done

# The Debian mirror apt is configured with (deb822 or one-line format).
MIRROR="$(
	{
		sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -E '/debian/?$' | grep -v security | head -n1
)" || true
[[ -n "$MIRROR" ]] || die "no Debian mirror found in /etc/apt/sources.list* (need a 'deb http://.../debian' entry)"

mkdir -p "$OUT" "$CACHE/debs"
exec 9>"$OUT/.lock"
flock 9

# Content hash: this script and the package versions the mirror offers now.
versions="$(apt-cache policy "${PACKAGES[@]}" 2>/dev/null | grep -E '^[a-z]|Candidate' | tr -d ' ' | paste -sd' ')"
STAMP_KEY="$({ sha256sum "$SCRIPT_PATH" | cut -d' ' -f1; echo "$MIRROR $SUITE"; echo "$versions"; } | sha256sum | cut -d' ' -f1)"
OUTPUTS=(disk.qcow2 vmlinuz initrd.img manifest.json)
up_to_date() {
	[[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_KEY" ]] || return 1
	local f; for f in "${OUTPUTS[@]}"; do [[ -s "$OUT/$f" ]] || return 1; done
}
if up_to_date; then echo "cloud guest up to date ($OUT)"; exit 0; fi
[[ $EUID -eq 0 ]] || die "building the cloud guest needs root (debootstrap, chroot): run it as root, as CI does"

# Fail with a sentence, never skip, when the mirror is unreachable.
if ! timeout 30 bash -c 'exec 3<>/dev/tcp/$0/80' "$(printf '%s' "$MIRROR" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')" 2>/dev/null; then
	die "the Debian mirror $MIRROR cannot be reached, so the cloud-init test image cannot be built"
fi

start=$(date +%s)
WORK="$(mktemp -d "$OUT/.build.XXXXXX")"
ROOT="$WORK/root"
cleanup() {
	umount "$ROOT/proc" "$ROOT/sys" "$ROOT/dev/pts" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

log "debootstrap --variant=minbase $SUITE from $MIRROR"
debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
	tail -n 20 "$WORK/debootstrap.log" >&2
	die "debootstrap from $MIRROR failed (is the Debian mirror reachable?)"
}
log "debootstrap done after $(( $(date +%s) - start )) s"

# apt inside the chroot: the same mirror, downloaded packages kept in our cache.
printf 'deb %s %s main\n' "$MIRROR" "$SUITE" >"$ROOT/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
# no fsync per file: the image is made in one go and thrown away on failure
echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/hangar-unsafe-io"; chmod 755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc" 2>/dev/null || log "could not mount /proc in the chroot (continuing)"
cp -l "$CACHE/debs/"*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || cp "$CACHE/debs/"*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true
chroot "$ROOT" apt-get update -q >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log" >&2; die "apt-get update from $MIRROR failed in the chroot (is the Debian mirror reachable?)"; }
# A small initramfs (only what a virtio root needs) boots much faster under TCG than MODULES=most.
mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
echo MODULES=list >"$ROOT/etc/initramfs-tools/conf.d/hangar-modules"
printf '%s\n' virtio_pci virtio_blk virtio_scsi sd_mod ext4 >>"$ROOT/etc/initramfs-tools/modules"
chroot "$ROOT" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$WORK/apt.log" 2>&1 || {
	tail -n 30 "$WORK/apt.log" >&2
	die "installing ${PACKAGES[*]} in the chroot failed"
}
cp -n "$ROOT"/var/cache/apt/archives/*.deb "$CACHE/debs/" 2>/dev/null || true
log "packages installed after $(( $(date +%s) - start )) s"

# Configuration of the image.
echo "LABEL=cloudimg-rootfs / ext4 defaults,errors=remount-ro 0 1" >"$ROOT/etc/fstab"
echo "debian" >"$ROOT/etc/hostname"
rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/dpkg/dpkg.cfg.d/hangar-unsafe-io" "$ROOT"/etc/ssh/ssh_host_*
: >"$ROOT/etc/machine-id"
cat >"$ROOT/etc/network/interfaces" <<'NET'
# cloud-init writes the NIC's configuration into interfaces.d/50-cloud-init
auto lo
iface lo inet loopback
source /etc/network/interfaces.d/*
NET
mkdir -p "$ROOT/etc/cloud/cloud.cfg.d"
cat >"$ROOT/etc/cloud/cloud.cfg.d/90-hangar-test-image.cfg" <<'CFG'
# Hangar's test image: only the NoCloud seed (no network metadata services to time out on),
# and fast host keys under TCG.
datasource_list: [ NoCloud, None ]
ssh_genkeytypes: [ ed25519, ecdsa ]
CFG
# Fewer things to start under TCG.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
	e2scrub_reap.service systemd-timesyncd.service getty@tty1.service; do
	chroot "$ROOT" systemctl mask "$unit" >/dev/null 2>&1 || true
done
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/locale/* \
	"$ROOT"/var/log/*.log "$ROOT"/var/cache/debconf/*-old "$ROOT"/tmp/*
umount "$ROOT/proc" 2>/dev/null || true

kernel=("$ROOT"/boot/vmlinuz-*)
initrd=("$ROOT"/boot/initrd.img-*)
[[ -f "${kernel[0]}" && -f "${initrd[0]}" ]] || die "no kernel or initrd in the chroot's /boot"
KVER="${kernel[0]##*/vmlinuz-}"
cp "${kernel[0]}" "$WORK/vmlinuz"
cp "${initrd[0]}" "$WORK/initrd.img"

# GRUB: its modules where grub-install puts them, a grub.cfg, and a core.img that finds the root
# filesystem by its label (whatever the disk's BIOS number) and then reads $prefix/grub.cfg.
kpath=/boot/vmlinuz-$KVER; ipath=/boot/initrd.img-$KVER
[[ -e "$ROOT/vmlinuz" && -e "$ROOT/initrd.img" ]] && { kpath=/vmlinuz; ipath=/initrd.img; }
mkdir -p "$ROOT/boot/grub/i386-pc"
cp "$ROOT"/usr/lib/grub/i386-pc/*.mod "$ROOT"/usr/lib/grub/i386-pc/*.lst "$ROOT/boot/grub/i386-pc/"
cat >"$ROOT/boot/grub/grub.cfg" <<CFG
# Hangar's cloud test image (scripts/build-cloud-guest.sh): one entry; the serial console too.
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry 'Debian GNU/Linux 12 (cloud kernel)' {
	linux $kpath $CMDLINE
	initrd $ipath
}
CFG
cat >"$ROOT/tmp/early.cfg" <<'CFG'
search --no-floppy --label cloudimg-rootfs --set=root
set prefix=($root)/boot/grub
CFG
chroot "$ROOT" grub-mkimage -O i386-pc -o /tmp/core.img -p /boot/grub -c /tmp/early.cfg \
	biosdisk part_msdos ext2 search search_label normal linux serial terminal echo test configfile >"$WORK/grub.log" 2>&1 || {
	cat "$WORK/grub.log" >&2
	die "grub-mkimage failed in the chroot"
}
mv "$ROOT/tmp/core.img" "$WORK/core.img"
cp "$ROOT/usr/lib/grub/i386-pc/boot.img" "$WORK/boot.img"
rm -f "$ROOT/tmp/early.cfg"
(( $(stat -c %s "$WORK/core.img") <= 2047 * 512 )) || die "GRUB's core.img does not fit before the first partition"

used_mib=$(du -sm "$ROOT" | cut -f1)
root_mib=$(( used_mib + used_mib / 2 + 256 ))
(( 1 + root_mib <= MIN_DISK_MIB )) || MIN_DISK_MIB=$(( 1 + root_mib ))
root_mib=$(( MIN_DISK_MIB - 1 ))
log "root filesystem: ${used_mib} MiB used; disk ${MIN_DISK_MIB} MiB"

# Partition 1 (from 1 MiB to the end): the root filesystem.
truncate -s "${root_mib}M" "$WORK/root.ext4"
mkfs.ext4 -q -L cloudimg-rootfs -d "$ROOT" "$WORK/root.ext4"

truncate -s "${MIN_DISK_MIB}M" "$WORK/disk.raw"
# The MBR: GRUB's boot.img code (its first 440 bytes; it loads sector 1, where core.img goes: what
# grub-install does) and a partition table written here. core.img's own first sector lists the
# sectors that follow it, as grub-mkimage made it.
dd if="$WORK/boot.img" of="$WORK/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$WORK/core.img" of="$WORK/disk.raw" bs=512 seek=1 conv=notrunc status=none
python3 - "$WORK/disk.raw" 2048 $(( root_mib * 2048 )) <<'PYTHON'
import struct, sys
path, s1, n1 = sys.argv[1], *map(int, sys.argv[2:])
def entry(active, ptype, start, count):
    # CHS fields say "use LBA" (0xFE 0xFF 0xFF), as modern partitioners write them
    return struct.pack('<B3sB3sII', 0x80 if active else 0, b'\xfe\xff\xff', ptype, b'\xfe\xff\xff', start, count)
with open(path, 'r+b') as f:
    f.seek(440)
    f.write(struct.pack('<IH', 0x48414e47, 0))  # disk signature
    f.write(entry(True, 0x83, s1, n1) + bytes(48) + b'\x55\xaa')
PYTHON
dd if="$WORK/root.ext4" of="$WORK/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$WORK/root.ext4" "$WORK/core.img" "$WORK/boot.img"
touch -d @946684800 "$WORK/vmlinuz" "$WORK/initrd.img"
qemu-img convert -q -f raw -O qcow2 -c "$WORK/disk.raw" "$WORK/disk.qcow2"
rm -f "$WORK/disk.raw"

pkgs_json="$(chroot "$ROOT" dpkg-query -W -f '${Package}=${Version}\n' cloud-init openssh-server "linux-image-$KVER" | sed 's/.*/"&"/' | paste -sd,)"
cat >"$WORK/manifest.json" <<JSON
{
  "name": "debian-12-cloud-hangar-test",
  "kernelVersion": "$KVER",
  "cmdline": "$CMDLINE",
  "minDiskBytes": $(( MIN_DISK_MIB * 1024 * 1024 )),
  "mirror": "$MIRROR",
  "packages": [$pkgs_json],
  "disk": { "sha256": "$(sha256sum "$WORK/disk.qcow2" | cut -d' ' -f1)", "bytes": $(stat -c %s "$WORK/disk.qcow2") }
}
JSON
for f in "${OUTPUTS[@]}"; do mv -f "$WORK/$f" "$OUT/$f"; done
printf '%s\n' "$STAMP_KEY" >"$STAMP"
log "done in $(( $(date +%s) - start )) s: ${OUTPUTS[*]} in $OUT"
