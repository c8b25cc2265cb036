#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook on gating ops with broken input: fail-closed with one clear
# stderr line and one log record; fail-open and audit mode from the policy.
. "${top_srcdir:-.}/tests/hook/lib.sh"

GUEST=$FIX/domains/explicit-2100.xml
PREFIX="tscgate: guest 'web1' migrate denied (fail-closed)"
PREFIX_UUID="tscgate: guest 'web1' (6f0f8a64-0c1e-4f4d-9d0b-2f6c1a7b8e01) migrate denied (fail-closed)"

# deny_case NAME CONFIG INPUT WANT_REASON WANT_LINE ARGS...
deny_case() {
    name=$1 conf=$2 input=$3 want_reason=$4 want_line=$5
    shift 5
    rm -f "$WORK/$name.audit"
    run_hook "$conf" "$WORK/$name.run" "$WORK/$name" "$input" "$@"
    tg_check "$name: exit 1" [ "$rc" -eq 1 ]
    tg_check "$name: stdout empty" is_empty "$WORK/$name.out"
    tg_check "$name: stderr line" one_line_equals "$WORK/$name.err" "$want_line"
    if [ -f "$WORK/$name.audit" ]; then
        tg_check "$name: one audit line, reason $want_reason" \
            fields_are "$WORK/$name.audit" reason="$want_reason"
    fi
}

good=$(new_config good hostb-2100.xml)
AUDIT=$WORK/good.audit

# --- argv and stdin ---
printf '' > "$WORK/empty.in"
deny_case missing-subop "$good" "$GUEST" usage-error \
    "tscgate: guest 'web1' migrate denied (fail-closed): wrong arguments: expected GUEST OP SUBOP EXTRA as libvirt passes them, got 2" \
    web1 migrate
deny_case empty-stdin "$good" "$WORK/empty.in" input-error \
    "$PREFIX: stdin:1: not well-formed XML: document is empty" web1 migrate begin -
deny_case garbage-stdin "$good" "$FIX/domains/garbage.txt" input-error \
    "$PREFIX: stdin:1: not well-formed XML: Start tag expected, '<' not found" web1 migrate begin -
deny_case not-a-domain "$good" "$FIX/hosts/hostb-2100.xml" input-error \
    "$PREFIX: stdin:1: root element is <capabilities>, expected <domain> (\`virsh dumpxml\` output)" web1 migrate begin -
printf '<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n<domain><name>&x;</name></domain>\n' > "$WORK/doctype.in"
deny_case doctype "$good" "$WORK/doctype.in" input-error \
    "$PREFIX: stdin:2: DOCTYPE declarations are not accepted" web1 migrate begin -

# --- host facts ---
broken=$(new_config broken-host host-broken.xml)
deny_case broken-host-xml "$broken" "$GUEST" host-facts-error \
    "$PREFIX_UUID: $broken/host.xml:12: not well-formed XML: AttValue: ' expected" \
    web1 migrate begin -

# --- policy and hook.conf ---
badpol=$(new_config bad-policy hostb-2100.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1"><mode>sometimes</mode></policy>\n' > "$badpol/policy.xml"
deny_case invalid-policy "$badpol" "$GUEST" policy-error \
    "$PREFIX: $badpol/policy.xml:1: <mode> 'sometimes' is not one of: enforce, audit" web1 migrate begin -

looser=$(new_config loose-policy hostb-2100.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1"/>\n' > "$looser/policy.xml"
chmod 666 "$looser/policy.xml"
deny_case untrusted-policy "$looser" "$GUEST" policy-error \
    "$PREFIX: $looser/policy.xml: writable by group and others (owner uid $MY_UID, mode 0666); run chmod go-w" web1 migrate begin -

# The policy's inventory files are trusted like policy.xml itself.
invpol=$(new_config loose-inventory hostb-2100.xml)
mkdir "$invpol/hosts"
cp "$FIX/hosts/hostb-2100.xml" "$invpol/hosts/hostb.xml"
chmod 755 "$invpol/hosts"
chmod 664 "$invpol/hosts/hostb.xml"
printf '<policy xmlns="urn:tscgate:policy:1" version="1"><inventory><host-directory path="hosts"/></inventory></policy>\n' > "$invpol/policy.xml"
chmod 644 "$invpol/policy.xml"
deny_case untrusted-inventory-file "$invpol" "$GUEST" policy-error \
    "$PREFIX: $invpol/hosts/hostb.xml: writable by group (owner uid $MY_UID, mode 0664); run chmod go-w" web1 migrate begin -
chmod 644 "$invpol/hosts/hostb.xml"
chmod 777 "$invpol/hosts"
deny_case untrusted-inventory-dir "$invpol" "$GUEST" policy-error \
    "$PREFIX: $invpol/hosts: writable by group and others (owner uid $MY_UID, mode 0777); run chmod go-w" web1 migrate begin -
chmod 755 "$invpol/hosts"
run_hook "$invpol" "$WORK/trusted-inventory.run" "$WORK/trusted-inventory" "$GUEST" web1 migrate begin -
tg_check "trusted-inventory: exit 0" [ "$rc" -eq 0 ]

nondir=$(new_config policy-dir hostb-2100.xml)
mkdir "$nondir/policy.xml"
chmod 755 "$nondir/policy.xml"
deny_case policy-is-dir "$nondir" "$GUEST" policy-error \
    "$PREFIX: $nondir/policy.xml: is a directory, not a regular file" web1 migrate begin -

badconf=$(new_config bad-conf hostb-2100.xml)
printf '[hook]\naudit-fil=/tmp/x\n' > "$badconf/hook.conf"
# No audit file (hook.conf is broken) and no journald or syslog in this
# test: the record is kept in the runtime directory, and the line says so.
deny_case invalid-hook-conf "$badconf" "$GUEST" hook-conf-error \
    "$PREFIX: $badconf/hook.conf: unknown key 'audit-fil' in [hook] (known: audit-file, deadline) (log record not delivered to journald or syslog, kept in $WORK/invalid-hook-conf.run/undelivered.log)" web1 migrate begin -
tg_check "invalid-hook-conf: record kept in the runtime directory" \
    fields_are "$WORK/invalid-hook-conf.run/undelivered.log" reason=hook-conf-error outcome=denied

# --- the gate cannot be run at all: the trampoline fails closed ---
rc=0
env -i LC_ALL=C PATH=/usr/bin:/bin TSCGATE_GATE="$WORK/no-such-gate" \
    "$HOOK" web1 migrate begin - < "$GUEST" > "$WORK/nogate.out" 2> "$WORK/nogate.err" || rc=$?
tg_check "no gate: exit 1" [ "$rc" -eq 1 ]
tg_check "no gate: stdout empty" is_empty "$WORK/nogate.out"
tg_check "no gate: stderr line" one_line_equals "$WORK/nogate.err" \
    "tscgate: cannot run $WORK/no-such-gate: No such file or directory"

# --- fail-open: allowed unchanged, logged loudly ---
open=$(new_config fail-open host-broken.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n  <failure>fail-open</failure>\n</policy>\n' > "$open/policy.xml"
chmod 644 "$open/policy.xml"
run_hook "$open" "$WORK/fo.run" "$WORK/fail-open" "$GUEST" web1 migrate begin -
tg_check "fail-open: exit 0" [ "$rc" -eq 0 ]
tg_check "fail-open: stdout empty (domain unchanged)" is_empty "$WORK/fail-open.out"
tg_check "fail-open: stderr empty" is_empty "$WORK/fail-open.err"
tg_check "fail-open: audit verdict error, outcome allowed, priority crit" \
    fields_are "$WORK/fail-open.audit" verdict=error outcome=allowed priority=2 reason=host-facts-error
tg_check "fail-open: message says so" grep -q "cannot be checked, allowed (fail-open)" "$WORK/fail-open.audit"

# fail-open does not turn a decided denial into an allow.
open2=$(new_config fail-open-deny hostc-2596.xml)
cp "$open/policy.xml" "$open2/policy.xml"
run_hook "$open2" "$WORK/fo2.run" "$WORK/fail-open-deny" "$GUEST" web1 migrate begin -
tg_check "fail-open, real denial: exit 1" [ "$rc" -eq 1 ]
tg_check "fail-open, real denial: stderr one line" [ "$(wc -l < "$WORK/fail-open-deny.err")" -eq 1 ]

# --- audit mode: a denial is logged and the operation allowed, with the record ---
aud=$(new_config audit hostc-2596.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n  <mode>audit</mode>\n</policy>\n' > "$aud/policy.xml"
chmod 644 "$aud/policy.xml"
run_hook "$aud" "$WORK/audit.run" "$WORK/audit" "$GUEST" web1 migrate begin -
tg_check "audit mode: exit 0" [ "$rc" -eq 0 ]
tg_check "audit mode: stderr empty" is_empty "$WORK/audit.err"
tg_check "audit mode: record with verdict deny" \
    grep -q 'verdict="deny" reason="explicit-outside-tolerance"' "$WORK/audit.out"
tg_check "audit mode: stdout validates" validates "$WORK/audit.out"
tg_check "audit mode: only <metadata> differs" only_metadata_differs "$GUEST" "$WORK/audit.out"
tg_check "audit mode: logged verdict deny, mode audit, outcome allowed" \
    fields_are "$WORK/audit.audit" verdict=deny mode=audit outcome=allowed reason=explicit-outside-tolerance
tg_check "audit mode: message 'deny (audit: allowed)'" grep -q "migrate deny (audit: allowed): " "$WORK/audit.audit"

tg_done
