# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 34: B publishes its facts (`tscgate probe --publish DIR`, health
# and the digest of the policy its hook enforces), and `tscgate preflight
# --dest-dir DIR` on A decides with them as B's hook will: B denies an
# unsynchronised clock and its published clock is unsynchronised (the
# staged build's adjtimex seam), so preflight refuses what B's hook then
# refuses, naming B.
scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    [ -z "${E2E_INSTALLED:-}" ] || skip_scenario "needs the staged build's test seam"
    "$E2E_CLI" --help | grep -q preflight || skip_scenario "tscgate built without libvirt (no preflight)"
    local g=s34-pinned seam pub=$E2E_TMP/s34-published out rc b0 line
    seam=$(host_conf hostb)/test-seam-adjtimex
    # shellcheck disable=SC2064
    trap "rm -f '$seam'" EXIT
    mkdir -p "$pub"
    cat >"$(host_conf hostb)/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:tscgate:policy:1" version="1">
  <unsynchronized-clock>deny</unsynchronized-clock>
</policy>
XML
    chmod 644 "$(host_conf hostb)/policy.xml"
    echo unsynchronized >"$seam"
    e2e_in hostb "$E2E_CLI" probe --publish "$pub" --config-dir "$(host_conf hostb)" ||
        fail "tscgate probe --publish on hostb failed"
    [ -s "$pub/hostb.xml" ] || fail "nothing published as $pub/hostb.xml: $(ls "$pub")"

    guest_start hosta explicit-tsc "$g" "$HOST_HZ"
    rc=0
    out=$(timeout -k 5 60 env -i PATH="$E2E_PATH" LC_ALL=C HOME="$E2E_TMP" \
        "$E2E_CLI" preflight --connect "$(e2e_uri hosta)" --dest-connect "$(e2e_uri hostb)" \
        --dest-dir "$pub" --policy "$(host_conf hostb)/policy.xml" "$g" 2>&1) || rc=$?
    note "preflight: $out"
    assert_eq "preflight exit" "$rc" 1
    assert_contains "preflight names the destination" "$out" "hostb"
    assert_contains "preflight reads the published clock" "$out" "not NTP-synchronised"

    b0=$(audit_lines hostb)
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "the hook allowed what preflight refused"
    line=$(assert_one_audit hostb "$b0" "$g")
    assert_contains "hook reason" "$line" "reason=dest-clock-unsynchronized"
    assert_running hosta "$g"
}
