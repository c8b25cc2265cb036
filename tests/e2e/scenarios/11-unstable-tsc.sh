# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 11: B's own probed facts (`tscgate probe` run on B), except that
# the kernel marked its TSC unstable: an explicit-frequency guest inside
# B's tolerance window is refused all the same (default rule 6).
scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    local g=s11-unstable f b0 line
    f=$(host_conf hostb)/host.xml
    e2e_in hostb "$E2E_CLI" probe >"$f.tmp" || fail "tscgate probe failed on hostb"
    sed -i -e "s|<tscgate:tsc-unstable [^>]*>no</tscgate:tsc-unstable>|<tscgate:tsc-unstable known='yes' source='e2e: marked unstable'>yes</tscgate:tsc-unstable>|" \
        -e "s|<tscgate:clocksource-current \\([^>]*\\)>tsc<|<tscgate:clocksource-current \\1>hpet<|" "$f.tmp"
    grep -q ">yes</tscgate:tsc-unstable>" "$f.tmp" || fail "could not mark the TSC unstable in hostb's facts"
    mv "$f.tmp" "$f"
    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "virsh migrate succeeded; expected the hook to refuse it"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error names the cause" "$VOUT" "unstable"
    assert_running hosta "$g"
    assert_absent hostb "$g"
    assert_no_qemu hostb "$g"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "audit verdict" "$line " "verdict=deny "
    assert_contains "audit rule" "$line " "rule=6 "
}
