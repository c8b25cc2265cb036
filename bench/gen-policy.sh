#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/gen-policy.sh DIR RULES HOSTS: write DIR/policy.xml with RULES
# rules (each matching one guest name, the last one every guest) and a
# <host-directory> DIR/inventory of HOSTS host facts files, for the growth
# series of `make bench` (bench/run-bench.sh). Files are mode 0644, the
# directories 0755, owned by whoever runs it.
set -eu
dir=$1 rules=$2 hosts=$3
mkdir -p -m 755 "$dir/inventory"
awk -v dir="$dir" -v rules="$rules" -v hosts="$hosts" 'BEGIN {
    p = dir "/policy.xml"
    print "<policy xmlns=\"urn:tscgate:policy:1\" version=\"1\">" > p
    print "  <tolerance ppm=\"250\"/>" > p
    print "  <unknown guest-frequency=\"deny\"/>" > p
    if (hosts > 0)
        print "  <inventory><host-directory path=\"inventory\"/></inventory>" > p
    for (i = 1; i < rules; i++)
        printf "  <rule name=\"r%d\"><match name=\"guest-%d-*\"/><tolerance ppm=\"%d\"/></rule>\n", i, i, i % 1000 > p
    if (rules > 0)
        print "  <rule name=\"everyone\"><match/></rule>" > p
    print "</policy>" > p
    close(p)
    for (i = 1; i <= hosts; i++) {
        f = sprintf("%s/inventory/host%06d.xml", dir, i)
        print "<capabilities><host><cpu>" > f
        printf "<counter name=\"tsc\" frequency=\"%d\" scaling=\"no\"/>\n", 2596000000 + (i % 7) * 1000 > f
        print "</cpu>" > f
        print "<tscgate:facts xmlns:tscgate=\"urn:tscgate:hostfacts:1\" version=\"1\">" > f
        printf "<tscgate:hostname known=\"yes\" source=\"uname(2)\">host%06d</tscgate:hostname>\n", i > f
        print "</tscgate:facts></host></capabilities>" > f
        close(f)
    }
}'
chmod 644 "$dir/policy.xml"
[ "$hosts" -eq 0 ] || chmod 644 "$dir"/inventory/*.xml
