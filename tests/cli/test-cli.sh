#!/bin/bash
# CLI tests: run the built `tscgate` and check exit codes, verdicts and
# messages against the demo guests/hosts and broken inputs.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tg="$top_builddir/src/cli/tscgate"
[ -n "${TSCGATE_VALGRIND:-}" ] && tg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $tg"
G="$top_srcdir/xml/demo/guests"
H="$top_srcdir/xml/demo/hosts"
F="$top_srcdir/tests/cli/fixtures"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
pass=0 fail=0

# expect NAME EXIT STDOUT_REGEX STDERR_REGEX -- ARGS...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    local rc=0
    $tg "$@" >"$out" 2>"$err" </dev/null || rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $name: exit $rc, want $want_rc"; sed 's/^/  | /' "$out" "$err"; fail=$((fail+1)); return
    fi
    if [ -n "$want_out" ] && ! grep -Eq -- "$want_out" "$out"; then
        echo "FAIL $name: stdout lacks /$want_out/"; sed 's/^/  | /' "$out"; fail=$((fail+1)); return
    fi
    if [ -n "$want_err" ] && ! grep -Eq -- "$want_err" "$err"; then
        echo "FAIL $name: stderr lacks /$want_err/"; sed 's/^/  | /' "$err"; fail=$((fail+1)); return
    fi
    echo "ok   $name"; pass=$((pass+1))
}

amd=$H/amd-epyc-2596mhz-noscale.xml i2100=$H/intel-2100mhz-noscale.xml
i2400=$H/intel-2400mhz-scaling.xml nocnt=$H/no-tsc-counter.xml

# --- usage ---
expect version 0 '^tscgate [0-9]+\.[0-9]+\.[0-9]+$' '' -- --version
expect help 0 'Commands:' '' -- --help
expect no-args 2 '' 'Usage: tscgate' --
expect unknown-command 2 '' "tscgate: unknown command 'frobnicate'" -- frobnicate
expect check-help 0 '--domain' '' -- check --help
expect check-no-domain 2 '' 'check: --domain FILE is required' -- check --dest "$amd"
expect check-no-dest 2 '' 'check: --dest FILE is required' -- check --domain "$G/fedora-kvmclock.xml"
expect check-bad-option 2 '' 'Unknown option --bogus' -- check --bogus
expect check-extra-arg 2 '' "unexpected argument 'extra'" -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" extra
expect check-two-stdin 2 '' 'only one input can be read from stdin' -- check --domain - --dest -

# --- broken inputs: exit 2 naming file, line and problem ---
expect missing-file 2 '' '/nonexistent/dom.xml.*No such file' -- check --domain /nonexistent/dom.xml --dest "$amd"
expect not-xml 2 '' 'not-xml\.xml:[0-9]+: .*well-formed' -- check --domain "$F/not-xml.xml" --dest "$amd"
expect bad-frequency 2 '' "bad-frequency\.xml:4: .*2\.6GHz" -- check --domain "$F/bad-frequency.xml" --dest "$amd"
expect entities 2 '' 'entities\.xml:[0-9]+: DOCTYPE' -- check --domain "$F/entities.xml" --dest "$amd"
expect wrong-root-domain 2 '' 'amd-epyc-2596mhz-noscale\.xml:[0-9]+: .*domain' -- check --domain "$amd" --dest "$amd"
expect wrong-root-caps 2 '' 'fedora-kvmclock\.xml:[0-9]+: .*capabilities' -- check --domain "$G/fedora-kvmclock.xml" --dest "$G/fedora-kvmclock.xml"
expect caps-overflow 2 '' 'caps-bad-counter\.xml:5: .*out of range' -- check --domain "$G/fedora-kvmclock.xml" --dest "$F/caps-bad-counter.xml"

# --- verdicts (default rules) ---
expect explicit-same-host 0 '^allow: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"
expect explicit-other-noscale 1 '^deny: .*2596138000.*2100000000' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$i2100"
expect explicit-scaling 0 '^allow: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$i2400"
expect explicit-no-counter 1 '^deny: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$nocnt"
expect reenlightenment 1 "^deny: .*timer name='tsc' frequency" '' -- check --domain "$G/windows-reenlightenment.xml" --dest "$amd"
expect reenlightenment-scaling 1 '^deny: ' '' -- check --domain "$G/windows-reenlightenment.xml" --dest "$i2400"
expect windows-pinned 0 '^allow: ' '' -- check --domain "$G/windows-pinned-tsc.xml" --dest "$amd"
expect invtsc 1 '^deny: .*invtsc' '' -- check --domain "$G/passthrough-invtsc.xml" --dest "$amd"
expect kvmclock-unknown-nominal 0 '^allow-with-warning: ' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect kvmclock-scaling 0 '^allow: ' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$i2400"
expect kvmclock-source-same 0 '^allow: ' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$amd"
expect kvmclock-source-other 0 '^allow-with-warning: .*2100000000.*2596138000|^allow-with-warning: .*2596138000.*2100000000' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$i2100"
expect tsc-sensitive-unknown 1 '^deny: .*unknown' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$amd"
expect tsc-sensitive-source-same 0 '^allow: ' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$amd" --source "$amd"
expect tsc-sensitive-source-other 1 '^deny: ' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$i2100" --source "$amd"
expect lineage-home 0 '^allow: .*2100000000 Hz \(lineage\)' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$i2100"
expect lineage-elsewhere 1 '^deny: .*2100000000' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$amd"
expect lineage-scaling 0 '^allow: ' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$i2400"
expect lineage-source-shown 1 'source host +from the guest.s lineage record' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$amd"

# rule 6: this host's timekeeping (probe-form facts)
unst=$H/amd-2596mhz-unstable-tsc.xml unsync=$F/probe-unsynced.xml
expect unstable-sensitive 1 '^deny: .*marked its TSC unstable' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$unst" --source "$amd"
expect unstable-explicit 1 '^deny: .*marked its TSC unstable' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unst"
expect unstable-paravirt 0 '^allow-with-warning: .*marked its TSC unstable' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$unst" --source "$amd"
expect unsynced-explicit 0 '^allow-with-warning: .*not NTP-synchronised' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unsync"
expect unsynced-code 0 'reason code +dest-clock-unsynchronized \(rule 6\)' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unsync"

# --- policy: check --policy, policy validate/explain through the CLI ---
X="$top_srcdir/xml/examples"
expect policy-force-deny 1 "^deny: policy rule 'pinned-db' denies this guest.*databases stay on their host" '' -- check --policy "$F/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"
expect policy-treat-as 1 "^deny: .*\\(policy rule 'strict-web'\\)" '' -- check --policy "$F/policy-rules.xml" --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$i2100"
expect policy-no-rule 0 '^allow: ' '' -- check --policy "$F/policy-rules.xml" --domain "$G/windows-pinned-tsc.xml" --dest "$amd"
expect policy-audit 0 '^deny \(audit mode: allowed\): ' '' -- check --policy "$X/audit-rollout.xml" --domain "$G/tsc-clocksource.xml" --dest "$amd"
expect policy-invalid 2 '' 'policy-bad\.xml:4: ' -- check --policy "$F/policy-bad.xml" --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect policy-missing 2 '' '/nonexistent/policy\.xml' -- check --policy /nonexistent/policy.xml --domain "$G/fedora-kvmclock.xml" --dest "$amd"
for ex in "$X"/*.xml; do
    expect "validate-$(basename "$ex" .xml)" 0 ': valid' '' -- policy validate "$ex"
done
expect validate-bad 1 '' 'policy-bad\.xml:4: ' -- policy validate "$F/policy-bad.xml"
# a problem's escaped value is shown once escaped, not twice
expect validate-escaped-once 1 '' "policy-tab-uuid\\.xml:4: <match> attribute uuid='12\\\\t34' is not a UUID\$" -- policy validate "$F/policy-tab-uuid.xml"
expect explain 1 "pinned-db" '' -- policy explain "$F/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"

# --- stdin and JSON ---
rc=0; $tg check --domain - --dest "$amd" <"$G/rhel-explicit-tsc.xml" >"$out" 2>"$err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q '^allow: ' "$out"; then echo "ok   domain-from-stdin"; pass=$((pass+1)); else echo "FAIL domain-from-stdin ($rc)"; fail=$((fail+1)); fi
rc=0; $tg check --json --domain "$G/rhel-explicit-tsc.xml" --dest "$i2100" >"$out" 2>"$err" || rc=$?
if [ "$rc" -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="deny" and d["guest"]=="rhel-db1" and d["guest_hz"]==2596138000 and d["dest_hz"]==2100000000 and d["dest_scaling"]=="no" and d["allowed"] is False, d' "$out"; then
    echo "ok   json"; pass=$((pass+1)); else echo "FAIL json ($rc)"; cat "$out"; fail=$((fail+1)); fi

# --- probe: XML output reads back as --dest; human checklist ---
rc=0; $tg probe >"$out" 2>"$err" || rc=$?
if [ "$rc" -eq 0 ] && $tg check --domain "$G/fedora-kvmclock.xml" --dest "$out" >/dev/null 2>"$err"; then
    echo "ok   probe-roundtrip"; pass=$((pass+1)); else echo "FAIL probe-roundtrip ($rc)"; cat "$err"; fail=$((fail+1)); fi
rc=0; $tg probe --human >"$out" 2>"$err" || rc=$?
if [ "$rc" -le 1 ] && grep -Eq '^ *TSC frequency.*: ([0-9]+\.[0-9]{3} MHz|unknown)' "$out" && grep -q 'constant_tsc' "$out"; then
    echo "ok   probe-human"; pass=$((pass+1)); else echo "FAIL probe-human ($rc)"; cat "$out" "$err"; fail=$((fail+1)); fi
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    $tg probe --human >"$out" 2>&1 || true
    if grep -Eq '^ *TSC frequency.*: [0-9]+\.[0-9]{3} MHz' "$out"; then echo "ok   probe-real-kvm"; pass=$((pass+1)); else echo "FAIL probe-real-kvm"; cat "$out"; fail=$((fail+1)); fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
