#!/usr/bin/env bash
#
# build-test-guest.sh - build the tiny Linux guest used by Hangar's tests.
#
# The guest is made only from Debian packages:
#   * kernel  : the Debian "cloud" kernel (resolved from linux-image-cloud-amd64),
#               downloaded with `apt-get download` and unpacked with `dpkg-deb -x`
#               (it is NOT installed on the host);
#   * userland: busybox-static, plus a small /init shell script written below.
#
# Outputs (in $OUT, default test/.guest/):
#   vmlinuz        the kernel
#   initrd.img     gzip'ed newc cpio initramfs (busybox + /init + a few modules)
#   guest.iso      BIOS-bootable ISO (isolinux) booting vmlinuz + initrd.img
#   disk.qcow2     64 MiB BIOS-bootable disk (FAT + syslinux) booting the same
#   manifest.json  banner, prompt, kernel version, cmdlines, sha256 of outputs
#   cache/         downloaded kernel .deb (kept between builds)
#
# Once booted, the guest:
#   * prints exactly the line "HANGAR-TEST-GUEST READY" on ttyS0 (and tty0);
#   * powers off when the ACPI power button is pressed (QMP system_powerdown);
#   * runs a root shell with the prompt "guest# " on ttyS0 (and tty1);
#   * loads virtio-blk/virtio-net/virtio-scsi/ata_piix drivers, so hot-plugged
#     disks show up in /proc/partitions, and runs DHCP on eth0 if it exists;
#   * runs qemu-ga (the binary and its shared libraries are copied from this
#     host's Debian qemu-guest-agent package) on the virtio-serial port
#     org.qemu.guest_agent.0 when the VM has one, logging verbosely to
#     /var/log/qemu-ga.log (so the log shows each command, e.g. fsfreeze);
#   * ignores the ACPI power button when the kernel command line holds
#     "hangar.acpi=ignore" (a guest only the agent can shut down).
#
# Variant: HANGAR_GUEST_KERNEL=generic builds the same guest on Debian's
# generic kernel (linux-image-amd64), which has the 9p modules the cloud kernel
# lacks (9p, 9pnet_virtio are loaded at boot), plus virtiofs and virtio_gpu;
# default output test/.guest-9p/.
#
# Usage:
#   scripts/build-test-guest.sh [OUT_DIR]
#   HANGAR_TEST_GUEST_DIR=/some/dir scripts/build-test-guest.sh
#
# The build is cached: when the outputs exist and the inputs (this script, the
# kernel package version, the versions of the Debian tools used) have not
# changed, it prints "test guest up to date" and exits immediately.
# The build is reproducible: two builds produce identical bytes.
#
# Needs (Debian packages): apt, dpkg, coreutils, cpio, gzip, xz-utils,
# busybox-static, xorriso, isolinux, syslinux, syslinux-common, mtools,
# dosfstools, qemu-utils.

set -euo pipefail

# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)"

GUEST_KERNEL="${HANGAR_GUEST_KERNEL:-cloud}"
case "$GUEST_KERNEL" in
cloud) DEFAULT_OUT="$REPO_ROOT/test/.guest" KERNEL_METAPACKAGE="linux-image-cloud-amd64" ;;
generic) DEFAULT_OUT="$REPO_ROOT/test/.guest-9p" KERNEL_METAPACKAGE="linux-image-amd64" ;;
*) echo "build-test-guest: HANGAR_GUEST_KERNEL must be cloud or generic" >&2; exit 2 ;;
esac
OUT="$(realpath -m "${1:-${HANGAR_TEST_GUEST_DIR:-$DEFAULT_OUT}}")"
CACHE="$OUT/cache"
STAMP="$OUT/.stamp"

# Line printed by the guest once it is ready, and its shell prompt.
BANNER="HANGAR-TEST-GUEST READY"
PROMPT="guest# "
GUEST_HOSTNAME="hangar-guest"

# Kernel command line to use with `qemu -kernel vmlinuz -initrd initrd.img`.
DEFAULT_CMDLINE="console=ttyS0 quiet panic=-1"
# Command line baked into the ISO and the disk: banner on both VGA and serial.
# The last console= is /dev/console, so kernel messages go to the serial port.
BOOT_CMDLINE="console=tty0 console=ttyS0 quiet panic=-1"

# Kernel modules to put in the initramfs (their dependencies are added
# automatically; modules that are built into the kernel are skipped).
MODULES=(
	button        # ACPI power button -> "Power Button" input device
	evdev         # /dev/input/event* to read that button
	virtio_pci    # virtio transport
	virtio_blk    # virtio disks (also hot-plugged ones)
	virtio_scsi   # virtio-scsi disks
	virtio_net    # virtio NIC (pulls in net_failover, failover)
	ata_piix      # IDE disks / CD-ROMs of the i440fx "pc" machine
	sd_mod        # SCSI/ATA disks
	sr_mod        # SCSI/ATA CD-ROMs
	virtio_console # virtio-serial ports (the guest agent's channel)
)
# The generic kernel's 9p file system over virtio (shared folders).
[[ "$GUEST_KERNEL" == generic ]] && MODULES+=(9p 9pnet_virtio)
# ... virtiofs (shared folders through virtiofsd; pulls in fuse) and the virtio GPU's DRM driver
# (virtio-vga: the display follows the console size, /sys/class/drm/card0-Virtual-1/modes).
[[ "$GUEST_KERNEL" == generic ]] && MODULES+=(virtiofs fuse virtio_gpu)

# The guest agent: Debian's qemu-ga binary and the shared libraries it links.
QEMU_GA=/usr/sbin/qemu-ga

DISK_SIZE_MIB=64

# Fixed timestamp for every file we produce (reproducible builds).
# Not 0: FAT cannot store dates before 1980.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-946684800}" # 2000-01-01
export LC_ALL=C TZ=UTC

# Where the Debian packages put the boot loader files.
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
ISOHYBRID_MBR=/usr/lib/ISOLINUX/isohdpfx.bin
SYSLINUX_MODULES=/usr/lib/syslinux/modules/bios
BUSYBOX=/bin/busybox

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

log() { printf 'build-test-guest: %s\n' "$*" >&2; }
die() { printf 'build-test-guest: error: %s\n' "$*" >&2; exit 1; }

require_cmd() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 ||
			die "'$cmd' not found (install: apt-get install -y cpio gzip xz-utils busybox-static xorriso isolinux syslinux syslinux-common mtools dosfstools qemu-utils)"
	done
}

# Give a file or directory tree a fixed mtime.
fix_mtime() { find "$@" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Print "NAME VERSION" of the kernel image package that the metapackage
# currently points at, e.g. "linux-image-6.1.0-56-cloud-amd64 6.1.192-2".
# Uses a single `apt-cache show` (it is the slow part of the up-to-date check).
resolve_kernel_package() {
	local depends name version
	depends="$(apt-cache show --no-all-versions "$KERNEL_METAPACKAGE" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n1)" || true
	[[ -n "$depends" ]] || return 1
	# "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2), ..." -> first package
	name="$(printf '%s\n' "$depends" | sed 's/[,|].*//; s/ *(.*//; s/ //g')"
	version="$(printf '%s\n' "$depends" | sed -n 's/^[^,|(]*(= *\([^)]*\)).*/\1/p')"
	if [[ -z "$version" ]]; then
		version="$(apt-cache show --no-all-versions "$name" | sed -n 's/^Version: //p' | head -n1)"
	fi
	[[ "$name" == linux-image-* && -n "$version" ]] || return 1
	printf '%s %s\n' "$name" "$version"
}

# Fresh machines and containers often have empty or stale package lists.
# Refresh them once, if we may (as root); otherwise let the caller fail.
APT_UPDATED=
apt_update_once() {
	[[ -z "$APT_UPDATED" && $EUID -eq 0 ]] || return 0
	APT_UPDATED=1
	log "refreshing the package lists (apt-get update)"
	apt-get update -qq
}

# --------------------------------------------------------------------------
# 0. Up to date?
# --------------------------------------------------------------------------

require_cmd apt-cache apt-get dpkg-deb dpkg-query sha256sum flock

# One build at a time per output folder (test runners may start several):
# a second caller waits here, then finds the guest up to date.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

# The shared libraries qemu-ga needs (and the dynamic loader), as host paths.
qemu_ga_libs() {
	[[ -x "$QEMU_GA" ]] || return 0
	ldd "$QEMU_GA" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u
}

# Sets KERNEL_PKG_NAME, KERNEL_PKG_VERSION, DEB (its file in the cache) and
# STAMP_KEY (a hash of everything that influences the output bytes).
resolve_inputs() {
	local pkg
	if ! pkg="$(resolve_kernel_package)"; then
		apt_update_once
		pkg="$(resolve_kernel_package)" ||
			die "cannot resolve $KERNEL_METAPACKAGE (run 'apt-get update' as root)"
	fi
	read -r KERNEL_PKG_NAME KERNEL_PKG_VERSION <<<"$pkg"
	# apt-get download names the file NAME_VERSION_ARCH.deb, ':' -> '%3a'.
	DEB="$CACHE/${KERNEL_PKG_NAME}_${KERNEL_PKG_VERSION//:/%3a}_amd64.deb"
	STAMP_KEY="$(
		{
			sha256_of "$SCRIPT_PATH"
			echo "$KERNEL_PKG_NAME=$KERNEL_PKG_VERSION"
			echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
			dpkg-query -W busybox-static isolinux syslinux syslinux-common mtools \
				dosfstools xorriso cpio gzip qemu-utils qemu-guest-agent 2>/dev/null || true
			# the agent's libraries: their bytes end up in the initramfs
			for lib in $(qemu_ga_libs); do sha256sum "$lib"; done
		} | sha256sum | cut -d' ' -f1
	)"
}
resolve_inputs

OUTPUTS=(vmlinuz initrd.img guest.iso disk.qcow2 manifest.json)

up_to_date() {
	local f
	[[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_KEY" ]] || return 1
	for f in "${OUTPUTS[@]}"; do [[ -s "$OUT/$f" ]] || return 1; done
}

if up_to_date; then
	echo "test guest up to date ($OUT)"
	exit 0
fi

require_cmd cpio gzip xz xorriso mcopy mkfs.vfat syslinux qemu-img ldd
[[ -x "$QEMU_GA" ]] || die "$QEMU_GA missing (apt-get install -y qemu-guest-agent)"
[[ -x "$BUSYBOX" ]] || die "$BUSYBOX missing (apt-get install -y busybox-static)"
dpkg-query -W busybox-static >/dev/null 2>&1 ||
	die "busybox-static is required (a dynamically linked busybox cannot run in the guest)"
for f in "$ISOLINUX_BIN" "$ISOHYBRID_MBR" "$SYSLINUX_MODULES/ldlinux.c32"; do
	[[ -f "$f" ]] || die "$f missing (apt-get install -y isolinux syslinux-common)"
done

log "building test guest in $OUT (kernel package $KERNEL_PKG_NAME $KERNEL_PKG_VERSION)"
mkdir -p "$CACHE"
rm -f "$STAMP"

WORK="$(mktemp -d "$OUT/.build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --------------------------------------------------------------------------
# 1. Kernel: download (once) and unpack the Debian package
# --------------------------------------------------------------------------

# Fails with "Can't find a source" when the package lists are stale, or
# when the version is only known because it is installed on this host.
download_kernel() {
	local apt_opts=()
	# As root, apt drops privileges to the _apt user, which may not be able
	# to write into $CACHE; downloading a public package as root is harmless.
	[[ $EUID -eq 0 ]] && apt_opts=(-o APT::Sandbox::User=root)
	log "downloading $KERNEL_PKG_NAME=$KERNEL_PKG_VERSION"
	(cd "$CACHE" && apt-get download -q "${apt_opts[@]}" "$KERNEL_PKG_NAME=$KERNEL_PKG_VERSION")
}

if [[ ! -s "$DEB" ]]; then
	if ! download_kernel; then
		[[ -z "$APT_UPDATED" && $EUID -eq 0 ]] || die "cannot download $KERNEL_PKG_NAME"
		apt_update_once
		resolve_inputs # the lists may now name a newer kernel
		[[ -s "$DEB" ]] || download_kernel
	fi
	[[ -s "$DEB" ]] || die "download did not produce $DEB"
	# Drop kernels of previous versions.
	find "$CACHE" -maxdepth 1 -name 'linux-image-*.deb' ! -path "$DEB" -delete
fi

log "unpacking $(basename "$DEB")"
dpkg-deb -x "$DEB" "$WORK/kernel"

vmlinuz=("$WORK"/kernel/boot/vmlinuz-*)
[[ -f "${vmlinuz[0]}" ]] || die "no vmlinuz-* in $DEB"
KVER="${vmlinuz[0]##*/vmlinuz-}"
MODDIR="$WORK/kernel/lib/modules/$KVER"
[[ -d "$MODDIR" ]] || die "no lib/modules/$KVER in $DEB"

# --------------------------------------------------------------------------
# 2. Kernel modules and their dependencies
# --------------------------------------------------------------------------
#
# Debian's package has no modules.dep (depmod runs at install time), so the
# dependencies are read from each module's own .modinfo "depends=" field,
# which is what depmod would record too.

declare -A MOD_FILE=()  # module name -> file, relative to $MODDIR
declare -A VISITED=()
LOAD_ORDER=()           # modules, dependencies first

# Kernel module names use '_' where file names may use '-'.
mod_name() {
	local n="${1##*/}"
	n="${n%%.ko*}"
	printf '%s\n' "${n//-/_}"
}

while IFS= read -r f; do
	MOD_FILE["$(mod_name "$f")"]="$f"
done < <(cd "$MODDIR" && find kernel -name '*.ko*')

declare -A BUILTIN=()
while IFS= read -r f; do
	BUILTIN["$(mod_name "$f")"]=1
done <"$MODDIR/modules.builtin"

# Print a module file's contents, decompressed (busybox insmod cannot read .xz).
module_contents() {
	case "$1" in
	*.ko) cat "$1" ;;
	*.ko.xz) xz -dc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) die "unsupported module compression: $1" ;;
	esac
}

module_depends() {
	module_contents "$MODDIR/${MOD_FILE[$1]}" | tr '\0' '\n' |
		sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}

# Depth-first walk: a module is appended after all of its dependencies.
add_module() {
	local name="$1" dep
	[[ -z "${VISITED[$name]:-}" ]] || return 0
	VISITED["$name"]=1
	if [[ -n "${BUILTIN[$name]:-}" ]]; then
		log "module $name is built into the kernel"
		return 0
	fi
	[[ -n "${MOD_FILE[$name]:-}" ]] || die "module $name not found in $KERNEL_PKG_NAME"
	for dep in $(module_depends "$name"); do
		add_module "${dep//-/_}" # "t10-pi" -> t10_pi, like mod_name
	done
	LOAD_ORDER+=("$name")
}

for m in "${MODULES[@]}"; do
	add_module "$m"
done
log "modules: ${LOAD_ORDER[*]}"

# --------------------------------------------------------------------------
# 3. Initramfs root
# --------------------------------------------------------------------------

ROOT="$WORK/initramfs"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules}
chmod 1777 "$ROOT/tmp"

# busybox and one symlink per applet (bin/sh, sbin/insmod, ...).
cp "$BUSYBOX" "$ROOT/bin/busybox"
while IFS= read -r applet; do
	case "$applet" in
	*/*) [[ -e "$ROOT/$applet" ]] || ln -s /bin/busybox "$ROOT/$applet" ;;
	*) ;; # "linuxrc": not wanted, /init is ours
	esac
done < <("$BUSYBOX" --list-full)

# qemu-ga and its libraries at the same paths as on this (Debian) host.
mkdir -p "$ROOT/var/log" "$ROOT/lib64"
cp "$QEMU_GA" "$ROOT/usr/sbin/qemu-ga"
for lib in $(qemu_ga_libs); do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
ln -s /run "$ROOT/var/run"
cat >"$ROOT/etc/os-release" <<'EOF'
PRETTY_NAME="Hangar test guest"
NAME="Hangar test guest"
ID=hangar-test-guest
ID_LIKE=debian
VERSION_ID="1"
EOF
# qemu-ga's guest-shutdown runs "/sbin/shutdown -h -P|-H|-r +0 MESSAGE"; busybox has no such applet.
cat >"$ROOT/sbin/shutdown" <<'EOF'
#!/bin/sh
# guest-shutdown from qemu-ga: power off (or reboot with -r) at once.
echo "shutdown: $* (from the guest agent)" >/dev/console
sync
case " $* " in
*" -r "*) reboot -f ;;
*" -H "*) halt -f ;;
*) poweroff -f ;;
esac
EOF
chmod 755 "$ROOT/sbin/shutdown"

# Modules, decompressed, plus the order to load them in.
for m in "${LOAD_ORDER[@]}"; do
	module_contents "$MODDIR/${MOD_FILE[$m]}" >"$ROOT/lib/modules/$m.ko"
done
printf '%s\n' "${LOAD_ORDER[@]}" >"$ROOT/etc/modules"

# Values shared with /init (constants of this script only, never user input).
{
	printf 'BANNER=%q\n' "$BANNER"
	printf 'PS1=%q\n' "$PROMPT"
	printf 'GUEST_HOSTNAME=%q\n' "$GUEST_HOSTNAME"
} >"$ROOT/etc/guest.conf"

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\n' >"$ROOT/etc/group"
printf '%s\n' "$GUEST_HOSTNAME" >"$ROOT/etc/hostname"
: >"$ROOT/etc/resolv.conf"
cat >"$ROOT/etc/profile" <<'EOF'
# Read by the guest's login shells.
. /etc/guest.conf
export PS1 HOME=/root PATH=/sbin:/bin:/usr/sbin:/usr/bin
cd /root
EOF

# The guest's PID 1.
cat >"$ROOT/init" <<'EOF'
#!/bin/sh
# PID 1 of the Hangar test guest (generated by scripts/build-test-guest.sh).

export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
. /etc/guest.conf

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run

hostname "$GUEST_HOSTNAME"

# Drivers, dependencies first (see /etc/modules).
while read -r mod; do
	insmod "/lib/modules/$mod.ko" || echo "init: failed to load $mod" >&2
done </etc/modules

ip link set lo up

# Power off on an ACPI power-button press (QEMU: QMP system_powerdown).
# The event device is opened here, before the banner, so a press that comes
# right after the banner is queued and not lost. One read = one event.
power_button=
for dev in /sys/class/input/event*; do
	if [ "$(cat "$dev/device/name" 2>/dev/null)" = "Power Button" ]; then
		power_button="${dev##*/}"
		break
	fi
done

case " $(cat /proc/cmdline) " in
*" hangar.acpi=ignore "*)
	echo "init: ignoring the ACPI power button (hangar.acpi=ignore)"
	power_button=
	;;
esac

if [ -n "$power_button" ]; then
	exec 3<"/dev/input/$power_button"
	(
		dd bs=24 count=1 of=/dev/null <&3 2>/dev/null
		echo "init: power button pressed, powering off"
		sync
		poweroff -f
	) &
	exec 3<&-
elif ! grep -q 'hangar.acpi=ignore' /proc/cmdline; then
	echo "init: no ACPI power button found" >&2
fi

# The guest agent, on the virtio-serial port named org.qemu.guest_agent.0
# (no udev here: find the port by its name in sysfs; ports appear shortly
# after virtio_console is loaded).
agent_port=
serial_devices=$(grep -l 0x0003 /sys/bus/virtio/devices/*/device 2>/dev/null)
[ -n "$serial_devices" ] && for _ in 1 2 3 4 5 6 7 8 9 10; do
	for port in /sys/class/virtio-ports/vport*; do
		if [ "$(cat "$port/name" 2>/dev/null)" = org.qemu.guest_agent.0 ]; then
			agent_port="/dev/${port##*/}"
		fi
	done
	[ -n "$agent_port" ] && break
	sleep 0.2
done
if [ -n "$agent_port" ]; then
	mkdir -p /dev/virtio-ports
	ln -sf "$agent_port" /dev/virtio-ports/org.qemu.guest_agent.0
	qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 \
		-l /var/log/qemu-ga.log -v -t /run </dev/null >/dev/null 2>&1 &
	echo "init: guest agent started on $agent_port"
fi

# DHCP on the first NIC, in the background (QEMU user-mode NAT serves DHCP).
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 3 >/tmp/udhcpc.log 2>&1 &
fi

# Tell the host we are ready: on the serial port and on the VGA console.
for tty in ttyS0 tty0; do
	echo "$BANNER" 2>/dev/null >"/dev/$tty"
done

# Root shells on the serial port and the first VT. busybox init starts them
# (login shells: /etc/profile sets the prompt), respawns them when they exit,
# gives them a controlling terminal (job control, Ctrl-C) and reaps orphans.
# (Shells started with `&` from this script would inherit an ignored SIGINT.)
: >/etc/inittab
for tty in ttyS0 tty1; do
	if (: <>"/dev/$tty") 2>/dev/null; then
		echo "$tty::respawn:-/bin/sh" >>/etc/inittab
	fi
done
exec /sbin/init
EOF
chmod 755 "$ROOT/init"

# udhcpc calls this with the lease in environment variables.
cat >"$ROOT/etc/udhcpc.script" <<'EOF'
#!/bin/sh
# udhcpc event hook: apply the DHCP lease to $interface.
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound | renew)
	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}"
	for gw in $router; do
		ip route replace default via "$gw" dev "$interface"
		break
	done
	: >/etc/resolv.conf
	for ns in $dns; do echo "nameserver $ns" >>/etc/resolv.conf; done
	;;
esac
exit 0
EOF
chmod 755 "$ROOT/etc/udhcpc.script"

# --------------------------------------------------------------------------
# 4. initrd.img: sorted, owner root, fixed mtimes, no gzip name/time
# --------------------------------------------------------------------------

fix_mtime "$ROOT"
(
	cd "$ROOT"
	find . -mindepth 1 | sed 's|^\./||' | sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible
) | gzip -9 -n >"$WORK/initrd.img"

cp "${vmlinuz[0]}" "$WORK/vmlinuz"
touch -d "@$SOURCE_DATE_EPOCH" "$WORK/vmlinuz" "$WORK/initrd.img"

# syslinux/isolinux configuration shared by the ISO and the disk.
# PROMPT 0 + TIMEOUT 1 (tenths of a second): boot at once.
boot_config() {
	cat <<EOF
DEFAULT hangar
PROMPT 0
TIMEOUT 1
SAY Booting Hangar test guest...
LABEL hangar
	LINUX /vmlinuz
	INITRD /initrd.img
	APPEND $BOOT_CMDLINE
EOF
}

# --------------------------------------------------------------------------
# 5. guest.iso: El Torito (isolinux), also bootable as a disk (isohybrid)
# --------------------------------------------------------------------------

ISO_ROOT="$WORK/iso"
mkdir -p "$ISO_ROOT/isolinux"
cp "$WORK/vmlinuz" "$WORK/initrd.img" "$ISO_ROOT/"
cp "$ISOLINUX_BIN" "$SYSLINUX_MODULES/ldlinux.c32" "$ISO_ROOT/isolinux/"
boot_config >"$ISO_ROOT/isolinux/isolinux.cfg"
fix_mtime "$ISO_ROOT"

# xorriso takes its timestamps from SOURCE_DATE_EPOCH. It always prints a
# version banner on stderr, so its messages are only shown if it fails.
if ! xorriso -as mkisofs -quiet \
	-o "$WORK/guest.iso" \
	-V HANGAR_GUEST -R -J \
	-b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	-isohybrid-mbr "$ISOHYBRID_MBR" \
	"$ISO_ROOT" 2>"$WORK/xorriso.log"; then
	cat "$WORK/xorriso.log" >&2
	die "xorriso failed"
fi

# --------------------------------------------------------------------------
# 6. disk.qcow2: FAT filesystem on the whole disk + syslinux, no mounting
# --------------------------------------------------------------------------
#
# The FAT filesystem starts at sector 0 ("superfloppy", no partition table):
# the BIOS runs syslinux's boot sector, which loads ldlinux.sys, which reads
# syslinux.cfg. Everything is written with mtools, so no root or loop device.

RAW="$WORK/disk.raw"
truncate -s "${DISK_SIZE_MIB}M" "$RAW"
mkfs.vfat -F 16 -n HANGARGUEST -i 48414e47 --invariant "$RAW" >/dev/null

boot_config >"$WORK/syslinux.cfg"
touch -d "@$SOURCE_DATE_EPOCH" "$WORK/syslinux.cfg"
export MTOOLS_SKIP_CHECK=1
# -m keeps the (fixed) modification times.
mcopy -m -i "$RAW" "$WORK/vmlinuz" "$WORK/initrd.img" "$WORK/syslinux.cfg" ::/
syslinux --install "$RAW"

qemu-img convert -q -f raw -O qcow2 "$RAW" "$WORK/disk.qcow2"
rm -f "$RAW"

# --------------------------------------------------------------------------
# 7. manifest.json and installation of the outputs
# --------------------------------------------------------------------------

json_files=""
for f in vmlinuz initrd.img guest.iso disk.qcow2; do
	json_files+="${json_files:+,}
    \"$f\": { \"sha256\": \"$(sha256_of "$WORK/$f")\", \"bytes\": $(stat -c %s "$WORK/$f") }"
done
json_modules="$(printf '"%s", ' "${LOAD_ORDER[@]}")"

cat >"$WORK/manifest.json" <<EOF
{
  "banner": "$BANNER",
  "prompt": "$PROMPT",
  "hostname": "$GUEST_HOSTNAME",
  "guestKernel": "$GUEST_KERNEL",
  "agent": "/usr/sbin/qemu-ga",
  "kernelVersion": "$KVER",
  "kernelPackage": "$KERNEL_PKG_NAME",
  "kernelPackageVersion": "$KERNEL_PKG_VERSION",
  "cmdline": "$DEFAULT_CMDLINE",
  "bootCmdline": "$BOOT_CMDLINE",
  "modules": [${json_modules%, }],
  "files": {$json_files
  }
}
EOF

for f in "${OUTPUTS[@]}"; do
	mv -f "$WORK/$f" "$OUT/$f"
done
printf '%s\n' "$STAMP_KEY" >"$STAMP"

log "done: ${OUTPUTS[*]} in $OUT"
