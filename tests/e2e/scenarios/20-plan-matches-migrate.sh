# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 20: `tscgate plan --connect` over the two real daemons, with the
# facts each host published (`tscgate probe --publish`, run on the host,
# its host.xml included), says for every guest on A whether B lets it in;
# `virsh migrate` then does exactly that for each of them.
cli() {
    timeout -k 5 60 env -i PATH="$E2E_PATH" LC_ALL=C HOME="$E2E_TMP" "$E2E_CLI" "$@"
}

scenario() {
    [ -n "$E2E_CLI" ] || skip_scenario "tscgate CLI not built"
    [ -n "$HOST_HZ" ] || skip_scenario "no <counter name='tsc'> in virsh capabilities"
    "$E2E_CLI" --help | grep -q '^  plan ' || skip_scenario "tscgate built without plan"
    local pub=$E2E_TMP/s20-published out=$E2E_TMP/s20-plan.json rc g allowed other b0 line
    other=$((HOST_HZ + 2000000))     # B declares another rate, no scaling
    set_host_facts hostb "$other" no
    mkdir -p "$pub"
    for h in hosta hostb; do
        e2e_in "$h" "$E2E_CLI" probe --publish "$pub" || fail "tscgate probe --publish failed on $h"
    done
    guest_start hosta explicit-tsc s20-pinned "$HOST_HZ"
    guest_start hosta kvmclock s20-kvmclock

    rc=0
    cli plan --connect "$(e2e_uri hosta)" --connect "$(e2e_uri hostb)" --host "$pub" --json \
        >"$out" 2>"$E2E_TMP/s20-plan.err" || rc=$?
    note "plan exit $rc: $(cat "$E2E_TMP/s20-plan.err")"
    [ "$rc" -le 1 ] || fail "tscgate plan failed (exit $rc): $(cat "$E2E_TMP/s20-plan.err")"
    python3 - "$out" <<'PY' || fail "plan JSON: $(cat "$out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(h["name"] for h in d["hosts"]) == ["hosta", "hostb"], d["hosts"]
assert d["unreachable"] == [], d["unreachable"]
g = {x["name"]: x for x in d["guests"]}
assert g["s20-pinned"]["host"] == "hosta" and g["s20-kvmclock"]["host"] == "hosta", g
PY
    for g in s20-pinned s20-kvmclock; do
        allowed=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
x = [x for x in d["decisions"] if x["guest"] == sys.argv[2] and x["host"] == "hostb"]
assert len(x) == 1, x
print("yes" if x[0]["allowed"] else "no", x[0]["code"])' "$out" "$g") || fail "no plan decision for $g on hostb"
        note "plan: $g to hostb: $allowed"
        b0=$(audit_lines hostb)
        migrate hosta hostb "$g"
        case $allowed in
            yes*) [ "$VRC" = 0 ] || fail "plan allowed $g on hostb, virsh migrate failed: $VOUT"
                  assert_running hostb "$g" ;;
            *)    [ "$VRC" != 0 ] || fail "plan denied $g on hostb (${allowed#no }), virsh migrate succeeded"
                  assert_contains "virsh error for $g" "$VOUT" "tscgate:"
                  assert_running hosta "$g" ;;
        esac
        # the hook on B decided what plan said, with the same reason code
        line=$(assert_one_audit hostb "$b0" "$g")
        assert_contains "audit reason of $g" "$line " "reason=${allowed#* } "
    done
    # the pinned guest is the one denied, the kvm-clock guest moved
    assert_running hosta s20-pinned
    assert_running hostb s20-kvmclock
}
