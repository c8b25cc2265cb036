#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lifecycle operations that are not a move of a running guest
# (doc/tsc-model.md): an offline migration (the definition moves, no QEMU
# runs) and a restore on the host that saved the image.
. "${top_srcdir:-.}/tests/hook/lib.sh"

TSCGATE=$TG_BUILDDIR/src/cli/tscgate
PINNED=$FIX/domains/explicit-2100.xml          # pinned 2.1 GHz: outside 2.6 GHz's window
RECORDED=$FIX/domains/tsc-sensitive-boot.xml   # reads the TSC, a lineage record (2.1 GHz)

policy() {
    printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n%s\n</policy>\n' "$2" > "$1/policy.xml"
    chmod 644 "$1/policy.xml"
}
# with_resource IN OUT: the definition as libvirt formats a running guest's
# (qemuInitCgroup adds <resource><partition>).
with_resource() {
    sed 's|</vcpu>|&\n  <resource>\n    <partition>/machine</partition>\n  </resource>|' "$1" > "$2"
    grep -q '<partition>/machine</partition>' "$2" || { echo "cannot build $2"; exit 1; }
}

# ---- offline migration ----
detect=$(new_config detect hostc-2596.xml)
policy "$detect" '  <offline-migration>detect</offline-migration>'
run_hook "$detect" "$WORK/off1.run" "$WORK/off1" "$PINNED" web1 migrate begin -
tg_check "offline: allowed, nothing on stdout or stderr" silent "$rc" "$WORK/off1"
tg_check "offline: reason offline-migration" \
    [ "$(audit_field "$WORK/detect.audit" 1 reason)" = offline-migration ]

rm -f "$WORK/detect.audit"
run_hook "$detect" "$WORK/off2.run" "$WORK/off2" "$RECORDED" web1 migrate begin -
tg_check "offline with a record: allowed" [ "$rc" -eq 0 ]
tg_check "offline with a record: the record is taken out" \
    sh -c "! grep -q 'urn:tscgate:lineage:1' '$WORK/off2.out'"
"$TSCGATE" lineage strip "$RECORDED" > "$WORK/off2.want" 2>/dev/null
tg_check "offline with a record: the rest is kept byte for byte" same_file "$WORK/off2.want" "$WORK/off2.out"
tg_check "offline with a record: validates" validates "$WORK/off2.out"

rm -f "$WORK/detect.audit"
with_resource "$PINNED" "$WORK/running.xml"
run_hook "$detect" "$WORK/live.run" "$WORK/live" "$WORK/running.xml" web1 migrate begin -
tg_check "a running guest's definition: judged as live (denied)" [ "$rc" -eq 1 ]
tg_check "a running guest's definition: explicit-outside-tolerance" \
    [ "$(audit_field "$WORK/detect.audit" 1 reason)" = explicit-outside-tolerance ]

gate=$(new_config gate hostc-2596.xml)
run_hook "$gate" "$WORK/gate.run" "$WORK/gate" "$PINNED" web1 migrate begin -
tg_check "without <offline-migration>detect: judged as live (denied)" [ "$rc" -eq 1 ]

# ---- restore on the host that saved it ----
SAVE_DIR=$WORK/save
mkdir -p "$SAVE_DIR"
: > "$SAVE_DIR/web1.save"
stay=$(new_config stay hostc-2596.xml)
policy "$stay" '  <rule name="db"><match name="web1"/><deny>databases stay on their host</deny></rule>'
run_hook "$stay" "$WORK/same.run" "$WORK/same" "$PINNED" web1 restore begin -
tg_check "managed save of this boot, stay-on-host rule: allowed" [ "$rc" -eq 0 ]
tg_check "managed save of this boot: restore-same-host" \
    [ "$(audit_field "$WORK/stay.audit" 1 reason)" = restore-same-host ]
tg_check "managed save of this boot: a restore hop on this host" \
    grep -q '<tscgate:hop op="restore" host="hostc"' "$WORK/same.out"

unsync=$(new_config unsync probe-unsynced.xml)
policy "$unsync" '  <unsynchronized-clock>deny</unsynchronized-clock>'
run_hook "$unsync" "$WORK/unsync.run" "$WORK/unsync" "$RECORDED" web1 restore begin -
tg_check "same host, unsynchronised clock denying moves: allowed" [ "$rc" -eq 0 ]

touch -d @86400 "$SAVE_DIR/web1.save"
rm -f "$WORK/stay.audit"
run_hook "$stay" "$WORK/old.run" "$WORK/old" "$RECORDED" web1 restore begin -
tg_check "managed save of an earlier boot: restore-same-host-rebooted" \
    [ "$(audit_field "$WORK/stay.audit" 1 reason)" = restore-same-host-rebooted ]

# Another guest's image says nothing of this one: a move, and the rule denies it.
rm -f "$WORK/stay.audit"
run_hook "$stay" "$WORK/other.run" "$WORK/other" "$PINNED" web2 restore begin -
tg_check "no managed save of this guest: the stay-on-host rule denies" \
    [ "$(audit_field "$WORK/stay.audit" 1 reason)" = policy-force-deny ]
tg_check "no managed save of this guest: the line names the restore" \
    grep -q "restore denied" "$WORK/other.err"

# A policy that says a restore the gate cannot place is one on this host.
here=$(new_config here hostc-2596.xml)
policy "$here" '  <unplaced-restore>same-host</unplaced-restore>
  <rule name="db"><match name="web2"/><deny>databases stay on their host</deny></rule>'
run_hook "$here" "$WORK/here.run" "$WORK/here" "$RECORDED" web2 restore begin -
tg_check "<unplaced-restore>same-host: allowed" [ "$rc" -eq 0 ]
tg_check "<unplaced-restore>same-host: restore-same-host-rebooted" \
    [ "$(audit_field "$WORK/here.audit" 1 reason)" = restore-same-host-rebooted ]

tg_done
