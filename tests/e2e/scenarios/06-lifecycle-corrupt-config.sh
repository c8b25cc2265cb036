# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 6: lifecycle safety.  With a corrupt policy.xml and host.xml on
# both hosts, nothing that is not a migration or restore may fail: start,
# shutdown, destroy, define/undefine, and a libvirtd restart while a guest
# runs (libvirt calls the hook with `reconnect`; a failure there would kill
# the guest).  A migration onto a host with broken configuration is refused
# (fail-closed) and the guest keeps running on its source.
scenario() {
    local h g=s6-life p0 p1 x a0 b0
    for h in hosta hostb; do
        printf '<policy xmlns="urn:tscgate:policy:1"><rule name=' >"$(host_conf "$h")/policy.xml"
        printf 'not xml at all <<<\n' >"$(host_conf "$h")/host.xml"
    done
    a0=$(audit_lines hosta); b0=$(audit_lines hostb)
    guest_start hosta kvmclock "$g"
    assert_running hosta "$g"
    run_virsh hosta shutdown "$g"
    [ "$VRC" = 0 ] || fail "virsh shutdown failed: $VOUT"
    run_virsh hosta destroy "$g"
    [ "$VRC" = 0 ] || fail "virsh destroy failed: $VOUT"

    # persistent guest: define, start, destroy, undefine
    x=$(guest_xml kvmclock "$g-persistent")
    run_virsh hostb define "$x"
    [ "$VRC" = 0 ] || fail "virsh define failed: $VOUT"
    run_virsh hostb start "$g-persistent"
    [ "$VRC" = 0 ] || fail "virsh start failed: $VOUT"
    assert_running hostb "$g-persistent"
    run_virsh hostb destroy "$g-persistent"
    [ "$VRC" = 0 ] || fail "virsh destroy failed: $VOUT"
    run_virsh hostb undefine "$g-persistent"
    [ "$VRC" = 0 ] || fail "virsh undefine failed: $VOUT"

    # libvirtd restart while a guest runs: reconnect
    guest_start hosta kvmclock "$g"
    p0=$(cat "$(e2e_hostdir hosta)/run/libvirt/qemu/$g.pid")
    e2e_host_stop_daemon hosta
    e2e_host_start hosta
    # The reconnect runs in a domain job (qemuProcessReconnect, which also
    # calls the hook); a monitor command takes the next job, so it returns
    # only after the reconnect finished, hook included.
    run_virsh hosta qemu-monitor-command "$g" '{"execute":"query-status"}'
    [ "$VRC" = 0 ] || fail "QEMU monitor not reachable after the restart: $VOUT"
    assert_contains "QEMU status after the restart" "$VOUT" '"running"'
    assert_running hosta "$g"
    p1=$(cat "$(e2e_hostdir hosta)/run/libvirt/qemu/$g.pid")
    assert_eq "QEMU process after the restart" "$p1" "$p0"
    kill -0 "$p0" 2>/dev/null || fail "QEMU process $p0 is gone"

    # No decision was logged for any of that: only migrate/restore are gated.
    assert_eq "audit lines on hosta after lifecycle ops" "$(audit_lines hosta)" "$a0"
    assert_eq "audit lines on hostb after lifecycle ops" "$(audit_lines hostb)" "$b0"

    # a gating op with the broken configuration is refused, the guest stays
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "migration onto hostb with a corrupt configuration succeeded"
    note "virsh said: $VOUT"
    assert_contains "virsh error" "$VOUT" "tscgate:"
    assert_contains "virsh error" "$VOUT" "fail-closed"
    assert_contains "virsh error names the broken file" "$VOUT" "policy.xml:1:"
    assert_running hosta "$g"
    assert_absent hostb "$g"
}
