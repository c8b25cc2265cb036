# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 2: B's facts declare another TSC frequency without scaling: the
# migration of an explicit-frequency guest is refused by the hook on B;
# virsh's error carries the hook's one-line "tscgate:" reason; the guest
# keeps running on A and nothing is defined on B.
scenario() {
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s2-explicit other b0 line
    other=$((HOST_HZ + 2000000))     # 2 MHz away: far outside 250 ppm
    set_host_facts hostb "$other" no
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "virsh migrate succeeded; expected the hook to refuse it"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "Hook script execution failed"
    assert_contains "virsh error" "$VOUT" "migrate begin"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error names the guest" "$VOUT" "$g"
    assert_contains "virsh error names the guest's Hz" "$VOUT" "$HOST_HZ"
    assert_contains "virsh error names B's Hz" "$VOUT" "$other"
    # Exactly one line of reason from the hook.
    assert_eq "lines of virsh output" "$(printf '%s\n' "$VOUT" | grep -c 'tscgate:')" 1
    assert_running hosta "$g"
    assert_absent hostb "$g"
    assert_no_qemu hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line " "verdict=deny "
    assert_contains "audit reason" "$line " "reason=explicit-outside-tolerance "
    assert_contains "audit mode" "$line " "mode=enforce "
}
