#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook with a broken <host-directory> inventory: a host whose facts
# file is a dangling symbolic link (shared storage not mounted), a FIFO or
# a directory would drop out of the inventory and let through a guest that
# host denies. Each is a policy error naming the path (fail-closed), and
# the gate never waits on the FIFO.
. "${top_srcdir:-.}/tests/hook/lib.sh"

# batch-07: reads the TSC directly, frequency unknown: checked against
# every inventory host. hostb (2100 MHz) is this host, hostc (2596 MHz)
# denies.
GUEST=$top_srcdir/tests/fixtures/policies/guests/batch-07.xml
PREFIX="tscgate: guest 'batch-07' migrate denied (fail-closed)"

inventory_config() {
    _c=$(new_config "$1" hostb-2100.xml)
    mkdir -m 755 "$_c/hosts"
    cp "$FIX/hosts/hostb-2100.xml" "$_c/hosts/hostb.xml"
    cp "$FIX/hosts/hostc-2596.xml" "$_c/hosts/hostc.xml"
    chmod 644 "$_c/hosts/"*.xml
    printf '<policy xmlns="urn:tscgate:policy:1" version="1">\n<inventory><host-directory path="hosts"/></inventory>\n</policy>\n' > "$_c/policy.xml"
    chmod 644 "$_c/policy.xml"
    echo "$_c"
}

whole=$(inventory_config whole)
run_hook "$whole" "$WORK/whole.run" "$WORK/whole" "$GUEST" batch-07 migrate begin -
tg_check "whole inventory: hostc denies batch-07" [ "$rc" -eq 1 ]
# What is at stake: without hostc the guest is allowed.
nohostc=$(inventory_config no-hostc)
rm "$nohostc/hosts/hostc.xml"
run_hook "$nohostc" "$WORK/no-hostc.run" "$WORK/no-hostc" "$GUEST" batch-07 migrate begin -
tg_check "without hostc: allowed" [ "$rc" -eq 0 ]

# broken_case NAME HOW WHAT: replace hosts/hostc.xml (HOW) and expect a
# policy error naming it with WHAT.
broken_case() {
    name=$1 how=$2 what=$3
    conf=$(inventory_config "$name")
    victim=$conf/hosts/hostc.xml
    rm -f "$victim"
    case $how in
        dangling) ln -s "$WORK/unmounted/hostc.xml" "$victim" ;;
        fifo) mkfifo -m 644 "$victim" ;;
        dir) mkdir -m 755 "$victim" ;;
    esac
    run_hook "$conf" "$WORK/$name.run" "$WORK/$name" "$GUEST" batch-07 migrate begin -
    tg_check "$name: exit 1 (not a timeout)" [ "$rc" -eq 1 ]
    tg_check "$name: stdout empty" is_empty "$WORK/$name.out"
    tg_check "$name: stderr line" one_line_equals "$WORK/$name.err" \
        "$PREFIX: $conf/policy.xml:2: <host-directory>: $victim: $what"
    tg_check "$name: audit reason policy-error" fields_are "$WORK/$name.audit" reason=policy-error
}

broken_case dangling-symlink dangling "No such file or directory"
broken_case fifo fifo "is a FIFO, not a regular file"
broken_case directory dir "is a directory, not a regular file"

# An empty inventory directory (an unmounted share leaves its mount point
# empty) or one with no *.xml entry is an error naming the directory; an
# entry named *.XML is an error naming it, not silently skipped.
conf=$(inventory_config empty)
rm "$conf/hosts/hostb.xml" "$conf/hosts/hostc.xml"
run_hook "$conf" "$WORK/empty.run" "$WORK/empty" "$GUEST" batch-07 migrate begin -
tg_check "empty directory: exit 1" [ "$rc" -eq 1 ]
tg_check "empty directory: stdout empty" is_empty "$WORK/empty.out"
tg_check "empty directory: stderr line" one_line_equals "$WORK/empty.err" \
    "$PREFIX: $conf/policy.xml:2: <host-directory> '$conf/hosts': no host facts file (*.xml) in it"
tg_check "empty directory: audit reason policy-error" fields_are "$WORK/empty.audit" reason=policy-error
conf=$(inventory_config upper)
mv "$conf/hosts/hostc.xml" "$conf/hosts/hostc.XML"
run_hook "$conf" "$WORK/upper.run" "$WORK/upper" "$GUEST" batch-07 migrate begin -
tg_check "*.XML entry: exit 1" [ "$rc" -eq 1 ]
tg_check "*.XML entry: stderr line" one_line_equals "$WORK/upper.err" \
    "$PREFIX: $conf/policy.xml:2: <host-directory>: $conf/hosts/hostc.XML: not read: only names ending in .xml (lower case) are host facts files; rename it"
# Other names are not host facts files and are ignored, as before.
conf=$(inventory_config readme)
echo "probe outputs" > "$conf/hosts/README"
chmod 644 "$conf/hosts/README"
run_hook "$conf" "$WORK/readme.run" "$WORK/readme" "$GUEST" batch-07 migrate begin -
tg_check "README beside the hosts: hostc still denies" [ "$rc" -eq 1 ]
tg_check "README beside the hosts: no policy error" fields_are "$WORK/readme.audit" reason=guest-frequency-unknown

# The compiled configuration cache: the second run reads it and decides
# the same; an entry broken afterwards is caught all the same.
conf=$(inventory_config cached)
run=$WORK/cached.run
run_hook "$conf" "$run" "$WORK/cached1" "$GUEST" batch-07 migrate begin -
tg_check "cached: first run denies" [ "$rc" -eq 1 ]
tg_check "cached: cache written" ls "$run"/policy-*.cache
run_hook "$conf" "$run" "$WORK/cached2" "$GUEST" batch-07 migrate begin -
tg_check "cached: second run denies" [ "$rc" -eq 1 ]
tg_check "cached: same stderr" same_file "$WORK/cached1.err" "$WORK/cached2.err"
rm "$conf/hosts/hostc.xml"
mkfifo -m 644 "$conf/hosts/hostc.xml"
run_hook "$conf" "$run" "$WORK/cached3" "$GUEST" batch-07 migrate begin -
tg_check "cached, then FIFO: exit 1" [ "$rc" -eq 1 ]
tg_check "cached, then FIFO: stderr line" one_line_equals "$WORK/cached3.err" \
    "$PREFIX: $conf/policy.xml:2: <host-directory>: $conf/hosts/hostc.xml: is a FIFO, not a regular file"

# A cache others could write is ignored (the record says so) and replaced
# by one only the owner can write; the decision is the same.
conf=$(inventory_config planted)
run=$WORK/planted.run
run_hook "$conf" "$run" "$WORK/planted1" "$GUEST" batch-07 migrate begin -
cache=$(ls "$run"/policy-*.cache)
chmod 666 "$cache"
rm -f "$WORK/planted.audit"
run_hook "$conf" "$run" "$WORK/planted2" "$GUEST" batch-07 migrate begin -
tg_check "planted cache: same decision" same_file "$WORK/planted1.err" "$WORK/planted2.err"
tg_check "planted cache: noted in the record" \
    grep -qF "note=\"policy: configuration cache ignored: $cache: writable by group and others" "$WORK/planted.audit"
tg_check "planted cache: replaced, mode 0644" [ "$(stat -c %a "$cache")" = 644 ]

tg_done
