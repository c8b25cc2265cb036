#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook on gating ops, table-driven over the default rules: exit code,
# reason code (audit line), the exact stderr line of a denial, golden stdout
# XML, libvirt's domain schema, stdin vs stdout only differing inside
# <metadata>, and hops that read the previous hop's record.
. "${top_srcdir:-.}/tests/hook/lib.sh"

if ! "$XMLLINT" --version >/dev/null 2>&1 || [ ! -r "$SCHEMA" ]; then
    tg_skip_all "needs xmllint and libvirt's $SCHEMA (libxml2-utils, libvirt0)"
fi

# The <tscgate:lineage> element of a domain against tscgate's own schema.
record_validates() {
    "$XMLLINT" --xpath '//*[local-name()="lineage" and namespace-uri()="urn:tscgate:lineage:1"]' "$1" \
        > "$WORK/record.xml" 2>/dev/null &&
        "$XMLLINT" --noout --relaxng "$TG_SRCDIR/xml/lineage.rng" "$WORK/record.xml" 2>/dev/null
}

# gate_case NAME GUEST HOST OP WANT_EXIT WANT_REASON [INPUT]
# Denials: stdout empty, stderr = golden/NAME.err (one line).
# Allows: stderr empty, stdout = golden/NAME.xml, valid, metadata-only diff.
gate_case() {
    name=$1 guest=$2 host=$3 op=$4 want_rc=$5 want_reason=$6
    input=${7:-$FIX/domains/$guest}
    conf=$(new_config "$name" "$host")
    run_hook "$conf" "$WORK/$name.run" "$WORK/$name" "$input" \
        "$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$input" | head -1)" "$op" begin -
    tg_check "$name: exit $want_rc" [ "$rc" -eq "$want_rc" ]
    tg_check "$name: one audit line" [ "$(wc -l < "$WORK/$name.audit")" -eq 1 ]
    tg_check "$name: reason $want_reason" [ "$(audit_field "$WORK/$name.audit" 1 reason)" = "$want_reason" ]
    if [ "$want_rc" -ne 0 ]; then
        tg_check "$name: stdout empty" is_empty "$WORK/$name.out"
        tg_check "$name: stderr line" golden "$name.err" "$WORK/$name.err"
        tg_check "$name: stderr is one line" [ "$(wc -l < "$WORK/$name.err")" -eq 1 ]
        tg_check "$name: audit outcome denied" [ "$(audit_field "$WORK/$name.audit" 1 outcome)" = denied ]
    else
        tg_check "$name: stderr empty" is_empty "$WORK/$name.err"
        tg_check "$name: golden stdout" golden "$name.xml" "$WORK/$name.out"
        tg_check "$name: stdout validates against domain.rng" validates "$WORK/$name.out"
        tg_check "$name: only <metadata> differs" only_metadata_differs "$input" "$WORK/$name.out"
        tg_check "$name: record validates against xml/lineage.rng" record_validates "$WORK/$name.out"
        tg_check "$name: audit outcome allowed" [ "$(audit_field "$WORK/$name.audit" 1 outcome)" = allowed ]
    fi
}

# Default rules (tg-decide.c), destination facts from host.xml fixtures.
#         name                     guest                        host                       op      exit reason
gate_case explicit-within          explicit-2100.xml            hostb-2100.xml             migrate 0 explicit-within-tolerance
gate_case explicit-outside         explicit-2100.xml            hostc-2596.xml             migrate 1 explicit-outside-tolerance
gate_case explicit-scaled          explicit-2100.xml            hostd-2400-scaling.xml     migrate 0 explicit-scaled
gate_case explicit-scaling-unknown explicit-2100.xml            hoste-scaling-unknown.xml  restore 1 explicit-dest-scaling-unknown
gate_case explicit-unstable        explicit-2100.xml            hostg-unstable.xml         migrate 1 dest-tsc-unstable
gate_case reenlightenment          windows-reenlightenment.xml  hostc-2596.xml             migrate 1 reenlightenment-without-frequency
gate_case invtsc                   invtsc.xml                   hostc-2596.xml             restore 1 invtsc-without-frequency
gate_case paravirt-unknown         paravirt.xml                 hostc-2596.xml             migrate 0 paravirt-nominal-unknown
gate_case paravirt-no-counter      paravirt.xml                 hostf-no-counter.xml       restore 0 dest-frequency-unknown
gate_case sensitive-within         tsc-sensitive-boot.xml       hostb-2100.xml             migrate 0 nominal-within-tolerance
gate_case sensitive-outside        tsc-sensitive-boot.xml       hostc-2596.xml             migrate 1 tsc-sensitive-outside-tolerance
gate_case sensitive-scaled         tsc-sensitive-boot.xml       hostd-2400-scaling.xml     migrate 0 nominal-scaled
gate_case sensitive-legacy         tsc-sensitive-lineage.xml    hostb-2100.xml             migrate 1 guest-frequency-unknown
gate_case evil-name                evil-name.xml                hostc-2596.xml             migrate 1 explicit-outside-tolerance

# Classification as QEMU will see the guest (doc/tsc-model.md).
# Several <timer name='tsc' frequency>: libvirt checks the first, QEMU
# applies the last.
gate_case two-tsc-last-outside     dom-two-tsc-first-in-window.xml hostb-2100.xml          migrate 1 explicit-outside-tolerance
gate_case two-tsc-first-outside    dom-two-tsc-last-in-window.xml  hostb-2100.xml          migrate 1 explicit-first-outside-tolerance
# <kvm><hidden state='on'/>: no kvm-clock, the guest reads the TSC.
gate_case kvm-hidden               dom-kvm-hidden.xml           hostb-2100.xml             migrate 1 guest-frequency-unknown
# <hyperv mode='passthrough'>: re-enlightenment on whatever its child says.
gate_case hv-passthrough-reenl-off dom-hyperv-passthrough-reenl-off.xml hostb-2100.xml     migrate 1 reenlightenment-without-frequency
# Optional invtsc on a custom CPU: disabled at start, a kvm-clock guest.
gate_case custom-invtsc-optional   dom-custom-invtsc-optional.xml hostc-2596.xml           migrate 0 paravirt-nominal-unknown
# TCG: the TSC runs at each host's raw rate, never scaled.
gate_case tcg-pinned-within        dom-tcg-explicit.xml         hostb-2100.xml             migrate 0 tcg-within-tolerance
gate_case tcg-pinned-scaling-host  dom-tcg-explicit.xml         hostd-2400-scaling.xml     migrate 1 tcg-rate-change
gate_case tcg-unknown              dom-tcg.xml                  hostd-2400-scaling.xml     restore 1 tcg-nominal-unknown
tg_check "tcg-pinned-within: effective = this host's rate" \
    grep -q '<tscgate:effective hz="2100050000" changed="no"/>' "$WORK/tcg-pinned-within.out"

# Not x86: no TSC, allowed, no record: stdout empty (libvirt keeps the XML).
for g in dom-aarch64-virt dom-s390x-ccw-tsc-timer dom-pseries-no-arch; do
    conf=$(new_config "$g" hostc-2596.xml)
    run_hook "$conf" "$WORK/$g.run" "$WORK/$g" "$FIX/domains/$g.xml" "$g" migrate begin -
    tg_check "$g: exit 0, nothing on stdout or stderr" silent "$rc" "$WORK/$g"
    tg_check "$g: reason guest-without-tsc" [ "$(audit_field "$WORK/$g.audit" 1 reason)" = guest-without-tsc ]
done

# A 2.1 GHz guest that passed a scaling 2.4 GHz host is still a 2.1 GHz
# guest: the next hop reads the nominal rate and the source host from the
# record the previous hop wrote.
gate_case hop2-after-scaling       -                            hostb-2100.xml             migrate 0 nominal-within-tolerance "$WORK/sensitive-scaled.out"
tg_check "hop2-after-scaling: guest_hz from the record" \
    [ "$(audit_field "$WORK/hop2-after-scaling.audit" 1 guest_hz)" = 2100000000 ]
tg_check "hop2-after-scaling: nominal origin lineage" \
    [ "$(audit_field "$WORK/hop2-after-scaling.audit" 1 nominal_origin)" = lineage ]

# A paravirtual-clock guest of unknown rate: its rate stays unknown at
# every hop (no host's rate becomes it); without scaling it runs at each
# host's rate, so the second hop (2.1 -> 2.6 GHz) changes the rate it runs
# at and the record says so; the third keeps saying so.
gate_case hop1-paravirt            paravirt.xml                 hostb-2100.xml             migrate 0 paravirt-nominal-unknown
gate_case hop2-paravirt            -                            hostc-2596.xml             migrate 0 paravirt-nominal-unknown "$WORK/hop1-paravirt.out"
gate_case hop3-paravirt            -                            hostb-2100.xml             restore 0 paravirt-nominal-unknown "$WORK/hop2-paravirt.out"
tg_check "hop2-paravirt: effective rate changed" grep -q '<tscgate:effective hz="2596120000" changed="yes"/>' "$WORK/hop2-paravirt.out"
tg_check "hop3-paravirt: still flagged" grep -q 'changed="yes"' "$WORK/hop3-paravirt.out"
tg_check "hop3-paravirt: nominal still unknown" grep -q '<tscgate:nominal origin="unknown"/>' "$WORK/hop3-paravirt.out"
tg_check "hop3-paravirt: three hops" [ "$(grep -c '<tscgate:hop ' "$WORK/hop3-paravirt.out")" -eq 3 ]

# Re-running a hop on its own output replaces the record, never adds one.
tg_check "hop3-paravirt: one record" [ "$(grep -c '<tscgate:lineage ' "$WORK/hop3-paravirt.out")" -eq 1 ]

tg_done
