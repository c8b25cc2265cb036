#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every non-gating op exits 0 and prints nothing, without reading stdin or
# configuration, whatever the input, configuration or host state: a failing
# `reconnect` hook kills a running guest, a failing `prepare`/`start` keeps
# it from booting (tsc-facts.md section 3).
. "${top_srcdir:-.}/tests/hook/lib.sh"

# Inputs: empty, garbage, 10 MB, a real domain.
printf '' > "$WORK/empty.in"
head -c 4096 /dev/urandom > "$WORK/garbage.in"
yes '<domain><name>x</name></domain>' | head -c 10485760 > "$WORK/big.in"
cp "$FIX/domains/explicit-2100.xml" "$WORK/domain.in"

# Configurations: a good one; a corrupt one (garbage policy, host.xml and
# hook.conf); one whose policy.xml is a FIFO with no writer (reading it
# would hang) inside a directory nobody may enter; and a config "dir" that
# is a regular file. The gate path is bogus on purpose: it must not be run.
good=$(new_config good hostb-2100.xml)
corrupt=$WORK/corrupt.conf
mkdir -p "$corrupt"
printf 'garbage <<<' > "$corrupt/policy.xml"
printf 'garbage <<<' > "$corrupt/host.xml"
printf '[[[' > "$corrupt/hook.conf"
chmod 666 "$corrupt/policy.xml"
locked=$WORK/locked.conf
mkdir -p "$locked"
mkfifo "$locked/policy.xml"
mkfifo "$locked/host.xml"
chmod 000 "$locked"
printf 'not a directory' > "$WORK/file.conf"

# A runtime dir that cannot be created either.
badrun=$WORK/file.conf/run

# ops as libvirt passes them (docs/hooks.rst), a made-up one, and sub-ops of
# migrate/restore that are not `begin`.
ops='prepare:begin start:begin started:begin stopped:end release:end reconnect:begin attach:begin frobnicate:begin migrate:end restore:end'

for op_sub in $ops; do
    op=${op_sub%%:*} sub=${op_sub#*:}
    for input in empty garbage big domain; do
        for conf in "$good" "$corrupt" "$locked" "$WORK/file.conf"; do
            cname=$(basename "$conf" .conf)
            name="$op-$sub-$input-$cname"
            rc=0
            env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                TSCGATE_CONFIG_DIR="$conf" TSCGATE_RUNTIME_DIR="$badrun" \
                TSCGATE_GATE="$WORK/must-not-run" \
                timeout 10 "$HOOK" g "$op" "$sub" - < "$WORK/$input.in" \
                > "$WORK/p.out" 2> "$WORK/p.err" || rc=$?
            if silent "$rc" "$WORK/p"; then
                tg_ok "$name"
            else
                tg_not_ok "$name: exit $rc, stdout $(wc -c < "$WORK/p.out") bytes, stderr: $(head -c 200 "$WORK/p.err")"
            fi
        done
    done
    # Through a pipe, too: the writer may get EPIPE, the hook still exits 0.
    rc=0
    cat "$WORK/big.in" | env -i LC_ALL=C PATH=/usr/bin:/bin TSCGATE_GATE="$WORK/must-not-run" \
        timeout 10 "$HOOK" g "$op" "$sub" - > "$WORK/p.out" 2> "$WORK/p.err" || rc=$?
    tg_check "$op $sub: 10 MB through a pipe" silent "$rc" "$WORK/p"
done

# Odd argument counts: nothing to gate.
for args in "" "g" "g started" "g started begin - extra more"; do
    rc=0
    # shellcheck disable=SC2086
    env -i LC_ALL=C PATH=/usr/bin:/bin TSCGATE_GATE="$WORK/must-not-run" \
        "$HOOK" $args < "$WORK/garbage.in" > "$WORK/p.out" 2> "$WORK/p.err" || rc=$?
    tg_check "argv '$args': exit 0, silent" silent "$rc" "$WORK/p"
done

chmod 755 "$locked"
tg_done
