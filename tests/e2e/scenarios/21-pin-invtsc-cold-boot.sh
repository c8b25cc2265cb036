# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 21: a persistent guest with invtsc and no pinned rate cannot
# migrate (`tscgate plan` says invtsc-without-frequency); `tscgate pin
# --for-hosts` writes the rate that fits both published hosts into its
# persistent definition only (the running guest is unchanged and still
# cannot move); after a cold boot it migrates.
cli() {
    timeout -k 5 60 env -i PATH="$E2E_PATH" LC_ALL=C HOME="$E2E_TMP" "$E2E_CLI" "$@"
}

scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    "$E2E_CLI" --help | grep -q '^  pin ' || skip_scenario "tscgate built without libvirt (no pin)"
    [ "$E2E_DOMTYPE" = kvm ] || skip_scenario "invtsc needs KVM (TCG guests run here)"
    local g=s21-invtsc pub=$E2E_TMP/s21-published out rc f live inactive
    mkdir -p "$pub"
    for h in hosta hostb; do
        e2e_in "$h" "$E2E_CLI" probe --publish "$pub" || fail "tscgate probe --publish failed on $h"
    done
    f=$(guest_xml invtsc "$g")
    vsh hosta define "$f" >/dev/null || fail "could not define $g on hosta"
    run_virsh hosta start "$g"
    [ "$VRC" = 0 ] || skip_scenario "this host cannot start a guest requiring invtsc: $VOUT"

    rc=0; out=$(cli plan --connect "$(e2e_uri hosta)" --host "$pub" --json 2>&1) || rc=$?
    assert_eq "plan exit (nowhere to go)" "$rc" 1
    assert_eq "plan decision" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["decisions"] if x["guest"] == sys.argv[1] and x["host"] == "hostb"]
print("%s %s" % (d[0]["verdict"], d[0]["code"]) if d else "none")' "$g")" "deny invtsc-without-frequency"
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "virsh migrate of $g (invtsc, no rate) succeeded"
    note "before pin, virsh said: $VOUT"

    rc=0; out=$(cli pin "$g" --connect "$(e2e_uri hosta)" --for-hosts "$pub" 2>&1) || rc=$?
    note "pin: $out"
    assert_eq "pin exit" "$rc" 0
    assert_contains "pin chose the hosts' rate" "$out" "rate $HOST_HZ Hz boots and runs $g on 2 of the 2 hosts given"
    assert_contains "pin says when" "$out" "takes effect at its next cold boot"
    inactive=$E2E_TMP/s21-inactive.xml live=$E2E_TMP/s21-live.xml
    vsh hosta dumpxml --inactive "$g" >"$inactive"
    vsh hosta dumpxml "$g" >"$live"
    assert_eq "persistent definition pins" "$(xp "$inactive" "string(/domain/clock/timer[@name='tsc']/@frequency)")" "$HOST_HZ"
    assert_eq "running guest unchanged" "$(xp "$live" "count(/domain/clock/timer[@name='tsc'])")" 0
    migrate hosta hostb "$g"
    [ "$VRC" != 0 ] || fail "virsh migrate of $g succeeded before its cold boot"

    vsh hosta destroy "$g" >/dev/null || fail "virsh destroy $g"
    vsh hosta start "$g" >/dev/null || fail "virsh start $g with the pinned rate"
    rc=0; out=$(cli plan --connect "$(e2e_uri hosta)" --host "$pub" 2>&1) || rc=$?
    assert_eq "plan exit after the cold boot" "$rc" 0
    migrate_ok hosta hostb "$g"
    note "after the cold boot $g migrated to hostb"
}
