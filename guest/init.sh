#!/bin/sh
# /init of bt86's default guest initramfs (busybox only). Mounts the kernel file systems, loads
# the kernel modules listed in /etc/modules.order (dependencies first) with the parameters given
# on the kernel command line as MODULE.PARAM=VALUE (as modprobe would, e.g. libata.dma=0), and
# with "bt86.fbcon" on the command line also /etc/modules.optional (the bochs DRM driver: a
# framebuffer console on the VGA's VBE framebuffer), then runs an interactive shell on the
# console. With "bt86.poweroff" on the command line it instead reports a few time-dependent
# values (after an idle second) and powers off, so a run needs no typing (the -icount
# determinism test, docs/deterministic.md). Boot tests read the "bt86-guest:" lines on the serial
# console.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
modules=$(cat /etc/modules.order)
case " $(cat /proc/cmdline) " in *" bt86.fbcon "*) modules="$modules $(cat /etc/modules.optional)" ;; esac
for m in $modules; do
  params=$(for w in $(cat /proc/cmdline); do case "$w" in "$m".*=*) echo "${w#"$m".}" ;; esac; done)
  insmod /lib/modules/$m.ko $params || echo "bt86-guest: insmod $m $params failed"
done
echo "bt86-guest: ready (kernel $(uname -r), $(wc -l < /etc/modules.order) modules)"
case " $(cat /proc/cmdline) " in *" bt86.poweroff "*)
  sleep 1
  echo "bt86-guest: uptime $(cat /proc/uptime)"
  echo "bt86-guest: date $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "bt86-guest: timer interrupts $(grep '^ *0:' /proc/interrupts)"
  echo "bt86-guest: powering off"
  poweroff -f ;;
esac
export PS1='bt86:\w# '
while true; do
  setsid cttyhack sh -l
  echo "bt86-guest: shell exited, starting a new one"
done
