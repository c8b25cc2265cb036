# Scenario 7: a kvm-clock guest without an explicit frequency migrates to a
# host declared at another frequency: allowed (kvm-clock survives a rate
# change) with a warning in the audit line and the record.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s7-kvmclock other b0 t0 t1 x line
    other=$((HOST_HZ + 2000000))
    set_host_facts hostb "$other" no
    guest_start hosta kvmclock "$g"
    b0=$(audit_lines hostb)
    t0=$(date -u +%s)
    migrate hosta hostb "$g"
    t1=$(date -u +%s)
    [ "$VRC" = 0 ] || fail "virsh migrate failed: $VOUT"
    assert_running hostb "$g"
    assert_absent hosta "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line" "verdict=allow-with-warning"
    note "audit on hostb: $line"
    x=$(dumpxml hostb "$g")
    assert_hop "$x" 1 migrate hostb "$other" no allow-with-warning "$t0" "$t1"
    assert_valid_domain "$x"
}
