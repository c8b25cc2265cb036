#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# 50 simultaneous gating runs on one host, cold probe cache: one probe, one
# cache file (no temp file left), 50 identical outputs, 50 whole audit lines.
. "${top_srcdir:-.}/tests/hook/lib.sh"

N=50
conf=$(new_config conc)          # no host.xml: facts come from the probe cache
run=$WORK/run                    # created by the first hook
GUEST=$FIX/domains/paravirt.xml

i=0
while [ "$i" -lt "$N" ]; do
    ( rc=0
      env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin \
          TSCGATE_CONFIG_DIR="$conf" TSCGATE_RUNTIME_DIR="$run" TSCGATE_GATE="$GATE_CMD" \
          TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
          TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" \
          timeout 300 "$HOOK" web2 migrate begin - < "$GUEST" > "$WORK/c$i.out" 2> "$WORK/c$i.err" || rc=$?
      echo "$rc" > "$WORK/c$i.rc" ) &
    i=$((i + 1))
done
wait

rc0=$(cat "$WORK/c0.rc")
same=0 same_out=0
i=0
while [ "$i" -lt "$N" ]; do
    [ "$(cat "$WORK/c$i.rc")" = "$rc0" ] && same=$((same + 1))
    cmp -s "$WORK/c0.out" "$WORK/c$i.out" && cmp -s "$WORK/c0.err" "$WORK/c$i.err" && same_out=$((same_out + 1))
    i=$((i + 1))
done
tg_check "all $N runs end alike (exit $rc0)" [ "$same" -eq "$N" ]
tg_check "all $N runs print the same" [ "$same_out" -eq "$N" ]
if [ "$rc0" -eq 0 ]; then
    tg_check "output validates" validates "$WORK/c0.out"
else
    tg_check "denial is one stderr line" [ "$(wc -l < "$WORK/c0.err")" -eq 1 ]
fi

boot_id=$(cat /proc/sys/kernel/random/boot_id)
tg_check "exactly one file in the runtime dir, the cache" \
    [ "$(ls -A "$run" | tr '\n' ' ')" = "hostfacts-$boot_id.xml " ]
tg_check "audit file has $N lines" [ "$(wc -l < "$WORK/conc.audit")" -eq "$N" ]
tg_check "every audit line is whole" \
    [ "$(grep -c '^time=2026-11-25T08:00:00Z message=".*" priority=[0-9] verdict=[a-z-]* outcome=[a-z]* reason=[a-z-]* .* op=migrate mode=enforce host_facts=probe[a-z-]*$' "$WORK/conc.audit")" -eq "$N" ]
probed=$(grep -c ' host_facts=probe$' "$WORK/conc.audit")
hits=$(grep -c ' host_facts=probe-cache$' "$WORK/conc.audit")
if [ -z "${TSCGATE_VALGRIND:-}" ]; then
    tg_check "one run probed, $((N - 1)) read the cache" [ "$probed" -eq 1 ]
    tg_check "$((N - 1)) cache hits" [ "$hits" -eq $((N - 1)) ]
else
    # Under memcheck one probe outlasts the probe cache's bounded lock wait
    # (1 s; it never blocks): runs that gave up waiting probe for
    # themselves, and every run still either probed or read the cache.
    tg_check "every run probed or read the cache ($probed probed, $hits hits)" \
        [ "$probed" -ge 1 -a $((probed + hits)) -eq "$N" ]
fi

# A corrupt cache is replaced by a fresh probe.
printf 'garbage' > "$run/hostfacts-$boot_id.xml"
rm -f "$WORK/conc.audit"
run_hook "$conf" "$run" "$WORK/again" "$GUEST" web2 migrate begin -
tg_check "corrupt cache: same result as before" cmp -s "$WORK/c0.out" "$WORK/again.out"
tg_check "corrupt cache: probed again" fields_are "$WORK/conc.audit" host_facts=probe
tg_check "corrupt cache: replaced by valid facts" grep -q '<capabilities>' "$run/hostfacts-$boot_id.xml"

tg_done
