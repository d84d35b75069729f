#!/bin/sh
# /init of bt86's default guest initramfs (busybox only). Mounts the kernel file systems, loads
# the kernel modules listed in /etc/modules.order (dependencies first), then runs an interactive
# shell on the console. Boot tests read the "bt86-guest:" lines on the serial console.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules.order); do
  insmod /lib/modules/$m.ko || echo "bt86-guest: insmod $m failed"
done
echo "bt86-guest: ready (kernel $(uname -r), $(wc -l < /etc/modules.order) modules)"
export PS1='bt86:\w# '
while true; do
  setsid cttyhack sh -l
  echo "bt86-guest: shell exited, starting a new one"
done
