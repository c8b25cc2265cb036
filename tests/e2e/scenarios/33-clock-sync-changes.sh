# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 33: B's clock goes from synchronised to not between two
# migrations, and back (the staged build's test seam stands in for
# adjtimex(2): SYSCONFDIR/tscgate/test-seam-adjtimex). B denies an
# unsynchronised clock: the first migration is allowed, the second refused,
# the third allowed again: the probe cache keeps the KVM facts for the boot,
# never the clock state.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ -z "${E2E_INSTALLED:-}" ] || skip_scenario "needs the staged build's test seam"
    local g=s33-clock seam b0 line
    seam=$(host_conf hostb)/test-seam-adjtimex
    # shellcheck disable=SC2064
    trap "rm -f '$seam'" EXIT
    cat >"$(host_conf hostb)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <unsynchronized-clock>deny</unsynchronized-clock>
</policy>
XML
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"

    echo synchronized >"$seam"
    b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "synchronised: allowed" "$line" "verdict=allow "
    migrate_ok hostb hosta "$g"

    echo unsynchronized >"$seam"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "migration onto an unsynchronised host that denies it succeeded"
    assert_contains "virsh error" "$VOUT" "not NTP-synchronised"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "unsynchronised: reason" "$line" "reason=dest-clock-unsynchronized"
    assert_contains "facts from the probe cache" "$line" "host_facts=probe-cache"
    assert_running hosta "$g"

    echo synchronized >"$seam"
    b0=$(audit_lines hostb)
    migrate_ok hosta hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "synchronised again: allowed" "$line" "verdict=allow "
}
