#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `tscgate config test` over a table of broken configuration directories:
# each one the built gate refuses (run as libvirt runs it) is reported by
# config test as an error (exit 1), naming the same problem; each one the
# gate only works around is a warning (exit 0). And `policy validate`,
# which checks content only, says so.
. "${top_srcdir:-.}/tests/hook/lib.sh"

TG=$TG_BUILDDIR/src/cli/tscgate
GUEST=$FIX/domains/explicit-2100.xml     # allowed on hostb when nothing is broken

# ct CONF RUNTIME OUTPREFIX: config test on CONF as the gate would see it
ct() {
    ct_rc=0
    env TSCGATE_RUNTIME_DIR="$2" TSCGATE_TRUST_UID="$MY_UID" \
        TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" TSCGATE_SYSLOG_SOCKET="$WORK/no-syslog" \
        "$TG" config test "$1" > "$3.ct" 2>&1 </dev/null || ct_rc=$?
}

# row NAME KIND WANT_CODE WANT_TEXT: break a fresh configuration with
# break_NAME CONF RUN, then run the gate and config test on it. KIND refuse:
# gate exit 1 with WANT_CODE in its record and WANT_TEXT in its line,
# config test exit 1 with WANT_TEXT in an error line. KIND warn: gate exit 0,
# config test exit 0 with WANT_TEXT in a warning line.
row() {
    name=$1 kind=$2 want_code=$3 want_text=$4
    conf=$(new_config "$name" hostb-2100.xml)
    run=$WORK/$name.run
    mkdir -p "$run" && chmod 700 "$run"
    "break_$name" "$conf" "$run"
    run_hook "$conf" "$run" "$WORK/$name" "$GUEST" web1 migrate begin -
    ct "$conf" "$run" "$WORK/$name"
    if [ "$kind" = refuse ]; then
        tg_check "$name: the gate refuses" [ "$rc" -eq 1 ]
        tg_check "$name: the gate says why" grep -qF -- "$want_text" "$WORK/$name.err"
        if [ -s "$WORK/$name.audit" ]; then
            tg_check "$name: the gate's record: $want_code" fields_are "$WORK/$name.audit" reason="$want_code"
        fi
        tg_check "$name: config test exit 1" [ "$ct_rc" -eq 1 ]
        tg_check "$name: config test reports it" grep -qF -- "error: " "$WORK/$name.ct"
        tg_check "$name: config test names the problem" \
            sh -c 'grep "^error: " "$1" | grep -qF -- "$2"' - "$WORK/$name.ct" "$want_text"
        tg_check "$name: config test names the gate's code" \
            grep -qF -- "(the hook fails: $want_code)" "$WORK/$name.ct"
    else
        tg_check "$name: the gate decides (exit 0)" [ "$rc" -eq 0 ]
        tg_check "$name: config test exit 0" [ "$ct_rc" -eq 0 ]
        tg_check "$name: config test warns" \
            sh -c 'grep "^warning: " "$1" | grep -qF -- "$2"' - "$WORK/$name.ct" "$want_text"
    fi
    [ "$ct_rc" -eq "$([ "$kind" = refuse ] && echo 1 || echo 0)" ] || tg_diag "$(cat "$WORK/$name.ct")"
}

POLICY='<policy xmlns="urn:tscgate:policy:1" version="1"/>'

break_policy_0664() { printf '%s\n' "$POLICY" > "$1/policy.xml"; chmod 664 "$1/policy.xml"; }
row policy_0664 refuse policy-error "policy.xml: writable by group"

break_hookconf_typo() { printf '[hook]\naudit-fle=/var/log/tscgate/audit.log\n' > "$1/hook.conf"; }
row hookconf_typo refuse hook-conf-error "unknown key 'audit-fle' in [hook]"

break_hookconf_deadline() { printf '[hook]\ndeadline=0\n' > "$1/hook.conf"; }
row hookconf_deadline refuse hook-conf-error "deadline '0' is not a whole number"

break_host_fifo() { rm -f "$1/host.xml"; mkfifo -m 644 "$1/host.xml"; }
row host_fifo refuse host-facts-error "host.xml: is a FIFO, not a regular file"

break_host_broken() { cp "$FIX/hosts/host-broken.xml" "$1/host.xml"; }
row host_broken refuse host-facts-error "host.xml:12: not well-formed XML"

break_dir_group_writable() { chmod 775 "$1"; }
row dir_group_writable refuse hook-conf-error "writable by group"

break_policy_content() {
    printf '<policy xmlns="urn:tscgate:policy:1" version="1"><mode>sometimes</mode><failure>maybe</failure></policy>\n' > "$1/policy.xml"
    chmod 644 "$1/policy.xml"
}
row policy_content refuse policy-error "<mode> 'sometimes' is not one of: enforce, audit"
tg_check "policy_content: config test lists every problem, not just the first" \
    grep -qF "<failure> 'maybe'" "$WORK/policy_content.ct"

if [ "$MY_UID" -eq 0 ]; then
    # NFS root_squash: files on the export appear owned by nobody
    break_inventory_squashed() {
        mkdir -m 755 "$1/hosts"
        cp "$FIX/hosts/hostb-2100.xml" "$1/hosts/hostb.xml"
        cp "$FIX/hosts/hostc-2596.xml" "$1/hosts/hostc.xml"
        chmod 644 "$1/hosts/"*.xml
        chown 65534 "$1/hosts/hostc.xml"
        printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n<inventory><host-directory path="hosts"/></inventory>\n</policy>\n' > "$1/policy.xml"
        chmod 644 "$1/policy.xml"
    }
    row inventory_squashed refuse policy-error "hosts/hostc.xml: owned by uid 65534"
    break_policy_squashed() { printf '%s\n' "$POLICY" > "$1/policy.xml"; chmod 644 "$1/policy.xml"; chown 65534 "$1/policy.xml"; }
    row policy_squashed refuse policy-error "policy.xml: owned by uid 65534"
else
    tg_diag "not root: the rows with files owned by another uid are skipped"
fi

# What the gate works around: config test warns, exit 0.
break_runtime_group_writable() {
    chmod 770 "$2"
    printf '%s\n' "$POLICY" > "$1/policy.xml"; chmod 644 "$1/policy.xml"   # its cache is there
}
row runtime_group_writable warn "" "runtime directory: $WORK/runtime_group_writable.run: writable by group"
tg_check "runtime_group_writable: the gate notes it" grep -q 'note="policy: .*writable by group' "$WORK/runtime_group_writable.audit"

break_audit_symlink() {
    ln -s "$WORK/elsewhere.log" "$WORK/audit-link.log"
    printf '[hook]\naudit-file=%s\n' "$WORK/audit-link.log" > "$1/hook.conf"
}
row audit_symlink warn "" "audit file $WORK/audit-link.log is a symbolic link"

# A sound configuration: exit 0, no error.
conf=$(new_config sound hostb-2100.xml)
mkdir -p "$WORK/sound.run" && chmod 700 "$WORK/sound.run"
ct "$conf" "$WORK/sound.run" "$WORK/sound"
tg_check "sound: config test exit 0" [ "$ct_rc" -eq 0 ]
tg_check "sound: no error" sh -c '! grep -q "^error" "$1"' - "$WORK/sound.ct"
tg_check "sound: says what the hook uses" grep -q "host hostb, TSC 2100050000 Hz" "$WORK/sound.ct"

# --json: the same problems as one object
conf=$(new_config js hostb-2100.xml)
printf '%s\n' "$POLICY" > "$conf/policy.xml"; chmod 666 "$conf/policy.xml"
rc=0
env TSCGATE_RUNTIME_DIR="$WORK/js.run" TSCGATE_TRUST_UID="$MY_UID" "$TG" config test --json "$conf" > "$WORK/js.out" 2>/dev/null || rc=$?
tg_check "config test --json: exit 1, refused, the policy's problem" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["refused"] is True, d
assert any(p["severity"] == "error" and p["code"] == "policy-error" and "writable by group and others" in p["message"] for p in d["problems"]), d
' "$WORK/js.out"

# policy validate checks the content only, and says so
rc=0; "$TG" policy validate "$WORK/policy_0664.conf/policy.xml" > "$WORK/pv.out" 2>&1 || rc=$?
tg_check "policy validate: content valid (exit 0)" [ "$rc" -eq 0 ]
tg_check "policy validate: says it checks content only, points to config test" \
    grep -q "content only.*tscgate config test" "$WORK/pv.out"

tg_done
