#!/usr/bin/env bash
# Builds the lab VM image that labs/qemu.yaml boots: a small Debian 12 guest made with
# debootstrap from Debian's mirror (Debian packages only), with
#   - a lab user `attest` (passwordless sudo) that the harness logs into with a key pair made here,
#   - a pinned ssh host key (known_hosts written next to the image), no root password,
#   - auditd installed (attest loads the pack's rules at preflight), a serial console on ttyS0,
#   - what harmless stock Linux atomics need to run as written (the nightly coverage run,
#     tests/harness/coverage_vm_test.cpp): `at` with atd running (T1053.002-2), dmidecode
#     (T1497.001-1), D-Bus so the lab user's `systemctl status` works (T1053.002-2's
#     prerequisite), sbin in every user's PATH as Debian 13 has it (`which atd`), and the
#     account ARTUser whose password T1531-4 changes (locked, no password).
# No loop mount: the root directory becomes an ext4 image with `mkfs.ext4 -d`, then qcow2
# (internal snapshots need qcow2). The guest boots its own kernel and initrd with -kernel/-initrd.
#
# The image lands in a cache outside the clone, keyed by its inputs (suite, package list and
# the text of configure_guest and make_image below): ${ATTEST_CACHE:-/var/cache/attest}/
# lab-image-<key>/; labs/images/debian12 is a symlink to it. A second call with the same
# inputs is a no-op. The debootstrap result is cached too (keyed by suite, mirror and package
# list), so a change to the guest configuration does not download again. Needs root
# (debootstrap, chroot). Prints the image directory on its last line; `--path` only prints it
# (exit status 1 when it is not built yet).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
SUITE=bookworm
MIRROR="${ATTEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=(openssh-server auditd curl tar sudo python3 procps iproute2 kmod
          linux-image-cloud-amd64 initramfs-tools systemd-sysv udev ifupdown isc-dhcp-client
          at dmidecode dbus)
DISK_SIZE=2G
HOSTNAME_GUEST=attest-vm1
LAB_USER=attest

log() { echo "lab-image: $*" >&2; }

# The guest: everything that decides what the image is (its text is part of the cache key).
configure_guest() {
    local root=$1 out=$2
    log "configuring the guest"
    echo "$HOSTNAME_GUEST" > "$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$HOSTNAME_GUEST" > "$root/etc/hosts"
    echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$root/etc/fstab"
    # Audit records name the guest (node=attest-vm1): evidence shows where it was seen.
    sed -i 's/^name_format = .*/name_format = hostname/' "$root/etc/audit/auditd.conf"
    cat > "$root/etc/network/interfaces" <<'EOF'
auto lo
iface lo inet loopback
auto eth0
iface eth0 inet dhcp
EOF
    # No root password: root logins are refused; the lab user elevates with sudo.
    chroot "$root" passwd -l root >/dev/null
    chroot "$root" useradd -m -s /bin/bash "$LAB_USER"
    echo "$LAB_USER ALL=(ALL) NOPASSWD: ALL" > "$root/etc/sudoers.d/attest"
    chmod 0440 "$root/etc/sudoers.d/attest"
    # sshd's session PATH lacks sbin; pam_env applies this one after it (stock atomics test
    # for daemons with `which atd`).
    echo 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"' \
        > "$root/etc/environment"
    chroot "$root" useradd -m -s /bin/bash ARTUser

    # The harness's key pair and the guest's pinned host key.
    ssh-keygen -q -t ed25519 -N "" -C attest-harness -f "$out/id_ed25519"
    install -d -m 0700 -o 1000 -g 1000 "$root/home/$LAB_USER/.ssh"
    install -m 0600 -o 1000 -g 1000 "$out/id_ed25519.pub" "$root/home/$LAB_USER/.ssh/authorized_keys"
    rm -f "$root"/etc/ssh/ssh_host_*
    ssh-keygen -q -t ed25519 -N "" -C "$HOSTNAME_GUEST" -f "$root/etc/ssh/ssh_host_ed25519_key"
    cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$out/host_ed25519_key.pub"
    cat > "$root/etc/ssh/sshd_config.d/attest.conf" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
PermitRootLogin no
UseDNS no
EOF

    # A faster, quieter boot under TCG: nothing periodic may change the guest behind a scenario.
    for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
        chroot "$root" systemctl disable "$unit" >/dev/null 2>&1 || true
    done
    chroot "$root" systemctl enable auditd ssh atd >/dev/null 2>&1
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
}

# The boot files and the disk: an ext4 image made from the directory, then qcow2.
make_image() {
    local root=$1 out=$2 work=$3
    kernel="$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)"
    initrd="$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)"
    cp "$kernel" "$out/vmlinuz"
    cp "$initrd" "$out/initrd.img"

    log "making the disk (mkfs.ext4 -d, no loop mount)"
    mkfs.ext4 -q -F -d "$root" -L root "$work/disk.raw" "$DISK_SIZE"
    qemu-img convert -O qcow2 "$work/disk.raw" "$out/disk.qcow2"
    rm -f "$work/disk.raw"
    cat > "$out/image.env" <<EOF
hostname=$HOSTNAME_GUEST
user=$LAB_USER
suite=$SUITE
kernel=$(basename "$kernel")
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
    touch "$out/complete"
}

cache="${ATTEST_CACHE:-/var/cache/attest}"
key_text="$SUITE ${PACKAGES[*]} $DISK_SIZE $HOSTNAME_GUEST $LAB_USER
$(declare -f configure_guest make_image)"
image="$cache/lab-image-$(echo "$key_text" | sha256sum | cut -c1-16)"
base="$cache/debootstrap-$(echo "$SUITE $MIRROR ${PACKAGES[*]}" | sha256sum | cut -c1-16)"

link_image() {
    mkdir -p "$here/labs/images"
    ln -sfn "$image" "$here/labs/images/debian12"
}

# The cached root file system of the package list, made once.
bootstrap_base() {
    local work=$1 started=$SECONDS
    log "debootstrap $SUITE from $MIRROR (a few minutes)"
    local include
    include="$(IFS=,; echo "${PACKAGES[*]}")"
    debootstrap --variant=minbase --include="$include" "$SUITE" "$work/base" "$MIRROR" \
        > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/base" --numeric-owner -cf "$base.tar.part" .
    mv "$base.tar.part" "$base.tar"
    rm -rf --one-file-system "$work/base"
    log "debootstrap done ($((SECONDS - started)) s), kept as $base.tar"
}

main() {
    if [ "${1:-}" = --path ]; then  # where the image is (or would be); builds nothing
        echo "$image"
        [ -f "$image/complete" ]
        return
    fi
    if [ -f "$image/complete" ]; then
        log "cached: $image"
        link_image
        echo "$image"
        return 0
    fi
    [ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 2; }
    for tool in debootstrap mkfs.ext4 qemu-img ssh-keygen; do
        command -v "$tool" >/dev/null || { log "$tool missing (scripts/install-deps.sh)"; exit 2; }
    done
    mkdir -p "$cache"
    work="$(mktemp -d "$cache/.lab-image-build.XXXXXX")"
    # debootstrap mounts proc and sys inside its root: never delete through a mount.
    trap 'umount -l "$work"/base/proc "$work"/base/sys 2>/dev/null || true
          rm -rf --one-file-system "$work"' EXIT
    local started=$SECONDS
    [ -f "$base.tar" ] || bootstrap_base "$work"
    mkdir -p "$work/root" "$work/out"
    tar -C "$work/root" --numeric-owner -xf "$base.tar"
    configure_guest "$work/root" "$work/out"
    make_image "$work/root" "$work/out" "$work"
    rm -rf "$image"
    mv "$work/out" "$image"
    link_image
    log "built $image in $((SECONDS - started)) s"
    echo "$image"
}

# Parsed whole before it runs: editing this file during a build cannot change the build.
main "$@"
exit
