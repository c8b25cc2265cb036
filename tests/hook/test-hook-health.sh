#!/bin/sh
# This host's health facts at the moment of the run: clock
# synchronisation, clocksources, the kernel's TSC-unstable mark and the
# cpufreq policy are read at every run, never taken from the per-boot
# probe cache (src/host/tg-hostcache.h), and a host.xml that does not
# state them (one made from `virsh capabilities`) gets them probed.
. "${top_srcdir:-.}/tests/hook/lib.sh"

BOOT_ID=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) ||
    tg_skip_all "no /proc/sys/kernel/random/boot_id"
TSCGATE=$TG_BUILDDIR/src/cli/tscgate
NOW=$("$TSCGATE" probe --no-kvm 2>/dev/null) || tg_skip_all "tscgate probe failed"
# The host's own state decides what the fresh facts say: the cases below
# need a TSC the kernel did not mark unstable.
case $NOW in
    *"<tscgate:tsc-unstable known='yes'"*'>yes<'*)
        tg_skip_all "this host's TSC is marked unstable" ;;
esac

GUEST=$FIX/domains/tsc-sensitive-boot.xml   # nominal 2100000000 Hz (boot record)

# A probe cache written at an earlier run of this boot, when the kernel
# had (so the cache says) marked the TSC unstable: a 2.1 GHz host.
conf=$(new_config stale)
run=$WORK/stale.run
mkdir -p "$run"
chmod 700 "$run"
cp "$FIX/hosts/hostg-unstable.xml" "$run/hostfacts-$BOOT_ID.xml"
chmod 644 "$run/hostfacts-$BOOT_ID.xml"
run_hook "$conf" "$run" "$WORK/stale" "$GUEST" web1 migrate begin -
tg_check "stale cache: facts from the cache" \
    [ "$(audit_field "$WORK/stale.audit" 1 host_facts)" = probe-cache ]
tg_check "stale cache: the cached unstable mark is not this run's" \
    [ "$(audit_field "$WORK/stale.audit" 1 reason)" != dest-tsc-unstable ]
tg_check "stale cache: allowed (exit 0)" [ "$rc" -eq 0 ]

tg_done
