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

    # Back onto A (its real rate): the record now knows the guest's nominal
    # rate (B's declared one), A is outside its window without scaling: a
    # kvm-clock guest still goes, with a warning naming the rate change,
    # and the record says the effective rate changed.
    a0=$(audit_lines hosta)
    migrate_ok hostb hosta "$g"
    line=$(assert_one_audit hosta "$a0" "$g")
    note "audit on hosta: $line"
    assert_contains "audit verdict" "$line " "verdict=allow-with-warning "
    assert_contains "audit names the nominal rate" "$line" "$other"
    x=$(dumpxml hosta "$g")
    assert_eq "hops" "$(hop_count "$x")" 2
    assert_hop "$x" 2 migrate hosta "$HOST_HZ" "${HOST_SCALING:-no}" allow-with-warning "$t0" "$t1"
    assert_eq "nominal hz kept" "$(nominal_attr "$x" hz)" "$other"
    assert_eq "effective hz" "$(effective_attr "$x" hz)" "$HOST_HZ"
    assert_eq "effective changed" "$(effective_attr "$x" changed)" yes
    assert_valid_domain "$x"
}
