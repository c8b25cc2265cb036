# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 4: audit mode on B (policy.xml <mode>audit</mode>): the migration
# of scenario 2 goes ahead, and B's audit line says it would have been
# denied.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s4-audit other b0 line x
    other=$((HOST_HZ + 2000000))
    set_host_facts hostb "$other" no
    cat >"$(host_conf hostb)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <mode>audit</mode>
</policy>
XML
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" = 0 ] || fail "virsh migrate failed in audit mode: $VOUT"
    assert_running hostb "$g"
    assert_absent hosta "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    note "audit on hostb: $line"
    assert_contains "audit line mode" "$line" "mode=audit"
    assert_contains "audit line verdict" "$line" "verdict=deny "
    assert_contains "audit line outcome" "$line" "outcome=allowed "
    assert_contains "audit line names B's Hz" "$line" "$other"
    x=$(dumpxml hostb "$g")
    # The record keeps what the gate would have decided.
    assert_eq "hops" "$(hop_count "$x")" 1
    assert_eq "hop verdict" "$(hop_attr "$x" 1 verdict)" deny
    assert_eq "hop reason" "$(hop_attr "$x" 1 reason)" explicit-outside-tolerance
    assert_eq "hop hz" "$(hop_attr "$x" 1 hz)" "$other"
    assert_valid_domain "$x"
}
