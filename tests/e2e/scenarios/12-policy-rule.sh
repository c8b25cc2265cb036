# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 12: a policy rule on B selects guests by their orchestration tag
# and forbids moving them (e.g. latency-critical databases): a tagged guest
# is refused and virsh's error names the rule; an untagged guest with the
# same clock goes to the same host.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s12-db u=s12-plain b0 line
    cat >"$(host_conf hostb)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <rule name="pinned-databases">
    <match tag="db"/>
    <deny>databases stay where they booted</deny>
  </rule>
</policy>
XML
    guest_start hosta explicit-tsc-db "$g" "$HOST_HZ"
    guest_start hosta explicit-tsc "$u" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "virsh migrate of the tagged guest succeeded; the policy rule should refuse it"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error names the rule" "$VOUT" "pinned-databases"
    assert_running hosta "$g"
    assert_absent hostb "$g"
    assert_no_qemu hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line " "verdict=deny "
    assert_contains "audit rule" "$line" "policy_rule=pinned-databases"

    migrate hosta hostb "$u"
    [ "$VRC" = 0 ] || fail "virsh migrate of the untagged guest failed: $VOUT"
    assert_running hostb "$u"
}
