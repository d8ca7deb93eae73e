#!/usr/bin/env bash
# Prepare a Raspberry Pi OS / Debian board to run coupon-kiosk as a service.
# Run as root from a checkout:  sudo provisioning/device/setup.sh [--dry-run]
#   [--user kiosk] [--home /var/lib/coupon-kiosk] [--print-unit]
# It installs the Debian packages the drivers use (gpiod, unifont, i2c-tools, libusb-1.0-0;
# dosfstools, exfatprogs and polkitd for USB sticks), builds the project (Node >= 20.19),
# puts `kiosk` in /usr/local/bin, creates the service user and its 0700 home, installs the
# udev rules and the systemd unit, and enables the service. Keys come after,
# with `kiosk provision enroll`; then `kiosk doctor` says what is still wrong.
# Safe to run again. --dry-run prints every step and changes nothing;
# --print-unit prints the systemd unit as it would be installed, and stops.
set -euo pipefail

dry=0
print_unit=0
user=kiosk
home=/var/lib/coupon-kiosk
app=$(cd "$(dirname "$0")/../.." && pwd)
here="$app/provisioning/device"

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --print-unit) print_unit=1 ;;
    --user) user=$2; shift ;;
    --home) home=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

run() {
  echo "+ $*"
  if [ "$dry" = 0 ]; then "$@"; fi
}

# TEMPLATE with @USER@, @HOME_DIR@, @APP_DIR@ filled in, on stdout
fill() {
  sed -e "s|@USER@|$user|g" -e "s|@HOME_DIR@|$home|g" -e "s|@APP_DIR@|$app|g" "$1"
}

# write FILE from TEMPLATE
render() {
  echo "+ render $1 -> $2"
  if [ "$dry" = 0 ]; then
    fill "$1" > "$2.tmp"
    mv "$2.tmp" "$2"
  fi
}

if [ "$print_unit" = 1 ]; then
  fill "$here/coupon-kiosk.service"
  exit 0
fi

if [ "$dry" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (sudo), or with --dry-run to see the steps" >&2
  exit 1
fi

echo "== packages"
run apt-get update
# nodejs >= 20.19 is Debian's on current Raspberry Pi OS; g++/make/python3 build the native modules;
# libusb-1.0-0: node-hid's addon links libusb-1.0.so.0 (the HID scanner does not load without it)
run apt-get install -y nodejs npm python3 make g++ gpiod unifont i2c-tools libusb-1.0-0
# Debian 12 (bookworm) images ship Node 18: say so now rather than fail later in npm ci
echo "+ check node >= 20.19"
if [ "$dry" = 0 ] && ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup.sh: node $(node --version 2>/dev/null || echo 'not found') is too old: the kiosk needs Node >= 20.19 (Raspberry Pi OS on Debian 13 trixie has it; docs/technician.md)" >&2
  exit 1
fi

echo "== build"
run npm --prefix "$app" ci
run npm --prefix "$app" run build
run npm --prefix "$app" prune --omit=dev

# `kiosk` on the PATH for technicians (sudo -u kiosk kiosk doctor): a wrapper, so it follows this checkout
echo "== command"
echo "+ write /usr/local/bin/kiosk (runs $app/dist/device/cli/kiosk.js)"
if [ "$dry" = 0 ]; then
  printf '#!/bin/sh\nexec /usr/bin/node %s/dist/device/cli/kiosk.js "$@"\n' "$app" > /usr/local/bin/kiosk.tmp
  chmod 0755 /usr/local/bin/kiosk.tmp
  mv /usr/local/bin/kiosk.tmp /usr/local/bin/kiosk
fi

echo "== user and home"
if ! id "$user" >/dev/null 2>&1; then
  run useradd --system --home-dir "$home" --shell /usr/sbin/nologin --user-group "$user"
fi
for group in dialout i2c gpio plugdev; do
  if getent group "$group" >/dev/null; then run usermod -aG "$group" "$user"; fi
done
run install -d -m 0700 -o "$user" -g "$user" "$home"

echo "== I2C"
if command -v raspi-config >/dev/null; then run raspi-config nonint do_i2c 0; fi

echo "== udev"
render "$here/70-coupon-kiosk.rules" /etc/udev/rules.d/70-coupon-kiosk.rules
run udevadm control --reload-rules
run udevadm trigger

echo "== systemd"
# the unit's DeviceAllow= needs these drivers loaded before it starts
render "$here/coupon-kiosk-modules.conf" /etc/modules-load.d/coupon-kiosk.conf
run systemctl restart systemd-modules-load.service
render "$here/coupon-kiosk.service" /etc/systemd/system/coupon-kiosk.service

# USB export (issue 10): sticks mounted by systemd-mount from a udev rule, writable by the
# kiosk user, unmounted by it after an export (polkit); the unit's ReadWritePaths has /media.
echo "== USB sticks"
run apt-get install -y dosfstools exfatprogs polkitd
run install -d -m 0755 /media /etc/polkit-1/rules.d
render "$here/71-coupon-kiosk-usb.rules" /etc/udev/rules.d/71-coupon-kiosk-usb.rules
render "$here/70-coupon-kiosk-usb.polkit.rules" /etc/polkit-1/rules.d/70-coupon-kiosk-usb.rules
run udevadm control --reload-rules
# --- end USB sticks

run systemctl daemon-reload
run systemctl enable coupon-kiosk.service

cat <<NEXT
== next
1. Enroll (scan the setup QR from coupon-platform enroll-token, then Enter):
     sudo -u $user kiosk provision enroll --home $home --setup-code -
   (offline: provision import --bundle FILE; docs/technician.md)
2. Configure the hardware in $home/config.json (docs/operations.md, docs/hardware.md).
3. Check:  sudo -u $user kiosk doctor --home $home
4. Start:  systemctl start coupon-kiosk; logs: journalctl -u coupon-kiosk -o cat
NEXT
