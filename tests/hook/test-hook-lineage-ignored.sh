#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest's own metadata never selects fail-open: a lineage record this
# tscgate cannot read (a newer version, an unknown hop operation) is
# ignored as if absent, with a note in the log record, and the guest is
# decided on what else is known. Here an explicit-2100 MHz guest on a
# 2596 MHz host without scaling: denied, fail-open policy or not.
. "${top_srcdir:-.}/tests/hook/lib.sh"

GUEST=$FIX/domains/explicit-2100.xml
LIBOSINFO='      <libosinfo:os id="http:\/\/debian.org\/debian\/12"\/>'

# guest_with NAME RECORD: the guest with RECORD added to its <metadata>.
guest_with() {
    sed "/^$LIBOSINFO\$/{n;a\\
    $2
}" "$GUEST" > "$WORK/$1.xml"
    grep -q 'urn:tscgate:lineage:1' "$WORK/$1.xml" || { echo "cannot build $1"; exit 1; }
    echo "$WORK/$1.xml"
}

open=$(new_config fail-open hostc-2596.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n  <failure>fail-open</failure>\n</policy>\n' > "$open/policy.xml"
chmod 644 "$open/policy.xml"

# case NAME GUEST NOTE: denied as without a record; the note says why the
# record was not used.
ignored_case() {
    name=$1 guest=$2 note=$3
    rm -f "$WORK/fail-open.audit"
    run_hook "$open" "$WORK/$name.run" "$WORK/$name" "$guest" web1 migrate begin -
    tg_check "$name: exit 1 (denied)" [ "$rc" -eq 1 ]
    tg_check "$name: stdout empty" is_empty "$WORK/$name.out"
    tg_check "$name: one stderr line, the engine's denial" \
        grep -q "^tscgate: guest 'web1' (6f0f8a64-0c1e-4f4d-9d0b-2f6c1a7b8e01) migrate denied: " \
        "$WORK/$name.err"
    tg_check "$name: logged as a decided denial, not fail-open" \
        fields_are "$WORK/fail-open.audit" verdict=deny outcome=denied \
        reason=explicit-outside-tolerance fail_open=
    tg_check "$name: the note names the record's problem" \
        grep -qF "note=\"lineage record ignored: $note\"" "$WORK/fail-open.audit"
}

v2=$(guest_with lineage-v2 '<tscgate:lineage xmlns:tscgate="urn:tscgate:lineage:1" version="2"><tscgate:nominal hz="2596000000" origin="explicit"/></tscgate:lineage>')
ignored_case lineage-v2 "$v2" \
    "stdin:8: <tscgate:lineage> version '2' is newer than this tscgate understands (major version 1); upgrade tscgate"

op=$(guest_with lineage-op '<tscgate:lineage xmlns:tscgate="urn:tscgate:lineage:1" version="1"><tscgate:hop op="teleport" time="2026-11-25T08:00:00Z"/></tscgate:lineage>')
ignored_case lineage-op "$op" \
    "stdin:8: <tscgate:hop> attribute op='teleport' is not one of: migrate, restore, boot"

tg_done
