# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 1: an allowed live migration A->B of a guest with an explicit
# <timer name='tsc' frequency=HOST_HZ>.  The user sees the guest running on
# B, tscgate's lineage record in `virsh dumpxml` on B with the hop onto B
# (B's TSC facts, verdict, time), and one audit line on B.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities (no invtsc or no KVM)"
    local g=s1-explicit a0 b0 t0 t1 x line mig
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    a0=$(audit_lines hosta); b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    assert_absent hosta "$g"
    # (the QEMU log that assert_no_qemu looks for in the denied scenarios)
    [ -s "$(e2e_hostdir hostb)/var-log/libvirt/qemu/$g.log" ] || fail "no QEMU log for $g on hostb"

    line=$(assert_one_audit hostb "$b0" "$g")
    note "audit on hostb: $line"
    x=$(dumpxml hostb "$g")
    assert_eq "lineage records in <metadata>" "$(xp "$x" "count($(lin))")" 1
    assert_eq "hops" "$(hop_count "$x")" 1
    assert_clean_hop "$x" 1 migrate hostb "$t0" "$t1"
    assert_eq "nominal hz" "$(nominal_attr "$x" hz)" "$HOST_HZ"
    assert_eq "nominal origin" "$(nominal_attr "$x" origin)" explicit
    # The other tool's metadata is preserved beside the record.
    assert_eq "other metadata kept" "$(xp "$x" "string(/domain/metadata/*[local-name()='note']/@keep)")" yes
    assert_eq "metadata elements" "$(xp "$x" "count(/domain/metadata)")" 1
    assert_valid_domain "$x"

    assert_contains "audit verdict" "$line " "verdict=$(allow_verdict hostb) "
    assert_eq "audit lines on the source" "$(audit_lines hosta)" "$a0"

    # The hook's own output (not libvirt's re-serialisation of it) for the
    # migratable XML libvirt feeds it: valid against libvirt's domain.rng,
    # and outside <metadata> the same document as its input.
    mig=$E2E_TMP/$g.migratable.xml
    vsh hostb dumpxml --migratable "$g" >"$mig"
    hook_as_libvirt hosta "$g" migrate begin "$mig"
    assert_eq "hook exit status" "$HRC" 0
    [ -s "$HOUT" ] || fail "hook printed no domain XML"
    assert_valid_domain "$HOUT"
    xmllint --c14n "$mig" | sed '/<metadata>/,/<\/metadata>/d' >"$mig.rest"
    xmllint --c14n "$HOUT" | sed '/<metadata>/,/<\/metadata>/d' >"$HOUT.rest"
    grep -q '</devices>' "$HOUT.rest" || fail "hook output lost everything after <metadata>"
    diff "$mig.rest" "$HOUT.rest" >&2 ||
        fail "hook output differs from its input outside <metadata> (canonical XML)"
    assert_eq "hops in the hook output" "$(hop_count "$HOUT")" 2
}
