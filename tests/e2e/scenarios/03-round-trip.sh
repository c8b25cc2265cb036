# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 3: round trip A->B->A: the record holds two hops (onto B, then
# back onto A) and the nominal frequency is unchanged.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s3-roundtrip t0 t1 t2 x
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    t0=$(date -u +%s)
    migrate hosta hostb "$g"
    [ "$VRC" = 0 ] || fail "A->B failed: $VOUT"
    t1=$(date -u +%s)
    migrate hostb hosta "$g"
    [ "$VRC" = 0 ] || fail "B->A failed: $VOUT"
    t2=$(date -u +%s)
    assert_running hosta "$g"
    assert_absent hostb "$g"
    x=$(dumpxml hosta "$g")
    assert_eq "lineage records" "$(xp "$x" "count($(lin))")" 1
    assert_eq "hops" "$(hop_count "$x")" 2
    assert_clean_hop "$x" 1 migrate hostb "$t0" "$t1"
    assert_clean_hop "$x" 2 migrate hosta "$t1" "$t2"
    assert_eq "nominal hz" "$(nominal_attr "$x" hz)" "$HOST_HZ"
    assert_eq "nominal origin" "$(nominal_attr "$x" origin)" explicit
    assert_valid_domain "$x"
}
