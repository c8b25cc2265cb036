# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 10: B declares another TSC frequency but TSC scaling: the
# explicit-frequency guest is allowed (KVM scales it), and the hop records
# B's declared rate and scaling while the guest keeps its own rate.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s10-scaled other b0 t0 t1 x line v
    other=$((HOST_HZ + 2000000))
    set_host_facts hostb "$other" yes
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    note "audit on hostb: $line"
    # host.xml states the counter only: B's clock is B's real one, which
    # may warn (allow_verdict).
    v=$(allow_verdict hostb)
    assert_contains "audit verdict" "$line " "verdict=$v "
    assert_contains "audit scaling" "$line " "scaling=yes "
    x=$(dumpxml hostb "$g")
    assert_hop "$x" 1 migrate hostb "$other" yes "$v" "$t0" "$t1"
    assert_eq "nominal hz" "$(nominal_attr "$x" hz)" "$HOST_HZ"
    assert_eq "effective hz" "$(effective_attr "$x" hz)" "$HOST_HZ"
    assert_eq "effective changed" "$(effective_attr "$x" changed)" no
    assert_valid_domain "$x"
}
