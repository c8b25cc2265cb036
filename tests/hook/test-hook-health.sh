#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
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

# A host.xml made from `virsh capabilities` states the TSC rate and
# scaling, no health facts: those are read from this host, and a policy
# that denies an unsynchronised clock, or one whose synchronisation is
# unknown, applies to them.
EXPLICIT=$FIX/domains/explicit-2100.xml
caps=$(new_config caps intel-2100mhz-noscale.xml)
cat > "$caps/policy.xml" <<'POL'
<policy xmlns="urn:tscgate:policy:1" version="1">
  <unknown clock-sync="deny"/>
  <unsynchronized-clock>deny</unsynchronized-clock>
</policy>
POL
chmod 644 "$caps/policy.xml"
case $NOW in
    *"<tscgate:clock-synchronized known='yes'"*'>yes<'*) want=0 want_reason=explicit-within-tolerance ;;
    *"<tscgate:clock-synchronized known='yes'"*'>no<'*) want=1 want_reason=dest-clock-unsynchronized ;;
    *) want=1 want_reason=dest-clock-sync-unknown ;;
esac
run_hook "$caps" "$WORK/caps.run" "$WORK/caps" "$EXPLICIT" web1 migrate begin -
tg_check "capabilities host.xml: this host's clock decides ($want_reason)" \
    [ "$(audit_field "$WORK/caps.audit" 1 reason)" = "$want_reason" ]
tg_check "capabilities host.xml: exit $want" [ "$rc" -eq "$want" ]
tg_check "capabilities host.xml: facts from host.xml and the probe" \
    [ "$(audit_field "$WORK/caps.audit" 1 host_facts)" = host.xml+probe ]

# A host.xml that states a health fact speaks for it: an unsynchronised
# clock stated there denies whatever this host's clock says.
stated=$(new_config stated probe-unsynced.xml)
cp "$caps/policy.xml" "$stated/policy.xml"
run_hook "$stated" "$WORK/stated.run" "$WORK/stated" "$EXPLICIT" web1 migrate begin -
tg_check "host.xml states clock-synchronized no: denied" \
    [ "$(audit_field "$WORK/stated.audit" 1 reason)" = dest-clock-unsynchronized ]

tg_done
