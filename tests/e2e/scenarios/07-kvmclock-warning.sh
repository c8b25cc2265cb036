# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 7: a kvm-clock guest without an explicit frequency migrates to a
# host declared at another frequency: allowed (kvm-clock survives a rate
# change) with a warning in the audit line and the record.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s7-kvmclock other a0 b0 t0 t1 x line
    other=$((HOST_HZ + 2000000))
    set_host_facts hostb "$other" no
    guest_start hosta kvmclock "$g"
    b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    assert_absent hosta "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line" "verdict=allow-with-warning"
    note "audit on hostb: $line"
    x=$(dumpxml hostb "$g")
    assert_hop "$x" 1 migrate hostb "$other" no allow-with-warning "$t0" "$t1"
    assert_valid_domain "$x"

    # Back onto A (its real rate): nobody knows the rate the guest booted
    # with (no pinned rate, no boot record; doc/tsc-model.md), so the record
    # never claims one. A kvm-clock guest still goes, with a warning; the
    # record keeps the nominal rate unknown and says the effective rate
    # moved from B's declared rate to A's.
    a0=$(audit_lines hosta)
    migrate_ok hostb hosta "$g"
    line=$(assert_one_audit hosta "$a0" "$g")
    note "audit on hosta: $line"
    assert_contains "audit verdict" "$line " "verdict=allow-with-warning "
    assert_contains "audit: the guest's rate is unknown" "$line " "guest_hz=unknown "
    assert_contains "audit reason" "$line " "reason=paravirt-nominal-unknown "
    x=$(dumpxml hosta "$g")
    assert_eq "hops" "$(hop_count "$x")" 2
    assert_hop "$x" 2 migrate hosta "$HOST_HZ" "${HOST_SCALING:-no}" allow-with-warning "$t0" "$t1"
    assert_eq "nominal hz stays unknown" "$(nominal_attr "$x" hz)" ""
    assert_eq "effective hz" "$(effective_attr "$x" hz)" "$HOST_HZ"
    assert_eq "effective changed" "$(effective_attr "$x" changed)" yes
    assert_valid_domain "$x"
}
