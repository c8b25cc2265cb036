#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Example /etc/libvirt/hooks/qemu for libvirt < 6.5, which runs only this one
# script (no qemu.d directory). It hands every call to tscgate's hook with
# the same arguments and stdin, and keeps its exit status and output.
#
# Install:  install -m 0755 qemu-wrapper.sh /etc/libvirt/hooks/qemu
# then restart libvirtd once: it looks for hook scripts only at start-up.
#
# If you already have a hooks/qemu script, call tscgate from it instead for
# `migrate begin` and `restore begin` (and pass its stdout on as the domain
# XML: for those two operations a non-empty stdout replaces the domain).
# `make` writes the installed hook's path below (hooks/qemu-wrapper).
TSCGATE_HOOK=@QEMUHOOKDIR@/50-tscgate
exec "$TSCGATE_HOOK" "$@"
