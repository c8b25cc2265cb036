# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 5: `virsh save` on A, `virsh restore` on B is gated like a
# migration: refused while B declares another frequency (the error carries
# the hook's reason), allowed with the lineage record once B is itself.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s5-saved img other b0 t0 t1 x line
    img=$E2E_TMP/$g.save
    other=$((HOST_HZ + 2000000))
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    run_virsh hosta save "$g" "$img"
    [ "$VRC" = 0 ] || fail "virsh save failed: $VOUT"
    assert_absent hosta "$g"

    set_host_facts hostb "$other" no
    b0=$(audit_lines hostb)
    run_virsh hostb restore "$img"
    [ "$VRC" != 0 ] || fail "restore on hostb succeeded; expected the hook to refuse it"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "Failed to restore domain"
    assert_contains "virsh error" "$VOUT" "restore begin"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error names the guest" "$VOUT" "$g"
    assert_absent hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line" "verdict=deny"

    rm -f "$(host_conf hostb)/host.xml"
    b0=$(audit_lines hostb)
    t0=$(date -u +%s)
    run_virsh hostb restore "$img"
    t1=$(date -u +%s)
    [ "$VRC" = 0 ] || fail "restore on hostb failed: $VOUT"
    assert_running hostb "$g"
    x=$(dumpxml hostb "$g")
    assert_eq "hops" "$(hop_count "$x")" 1
    assert_clean_hop "$x" 1 restore hostb "$t0" "$t1"
    assert_eq "nominal hz" "$(nominal_attr "$x" hz)" "$HOST_HZ"
    assert_valid_domain "$x"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line" "verdict=allow"
}
