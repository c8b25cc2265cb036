#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# CLI tests: run the built `tscgate` and check exit codes, verdicts and
# messages for guests, hosts, policies and broken inputs.
. "${top_builddir:-.}/tests/test-lib.sh"
tg_workdir
tg=$(tg_wrap tscgate "$TG_BUILDDIR/src/cli/tscgate")
# Guests, hosts and policies from tests/fixtures (the demo in xml/demo has
# files of its own).
G=$TG_FIXTURES/domains
H=$TG_FIXTURES/hosts
P=$TG_FIXTURES/policies
out=$WORK/out err=$WORK/err

# expect NAME EXIT STDOUT_REGEX STDERR_REGEX -- ARGS...
expect() {
    _name=$1 _want_rc=$2 _want_out=$3 _want_err=$4
    shift 5
    _rc=0
    "$tg" "$@" >"$out" 2>"$err" </dev/null || _rc=$?
    if [ "$_rc" -ne "$_want_rc" ]; then
        tg_not_ok "$_name"; tg_diag "exit $_rc, want $_want_rc"; tg_diag "$(cat "$out" "$err")"; return 0
    fi
    if [ -n "$_want_out" ] && ! grep -Eq -- "$_want_out" "$out"; then
        tg_not_ok "$_name"; tg_diag "stdout lacks /$_want_out/"; tg_diag "$(cat "$out")"; return 0
    fi
    if [ -n "$_want_err" ] && ! grep -Eq -- "$_want_err" "$err"; then
        tg_not_ok "$_name"; tg_diag "stderr lacks /$_want_err/"; tg_diag "$(cat "$err")"; return 0
    fi
    tg_ok "$_name"
}

# ok_if NAME COMMAND...: one case; on failure the outputs go to the log.
ok_if() {
    _name=$1
    shift
    if "$@"; then tg_ok "$_name"; else tg_not_ok "$_name"; tg_diag "exit $rc"; tg_diag "$(cat "$out" "$err")"; fi
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
# One error printer: "tscgate COMMAND: MESSAGE", one line; "tscgate: " before
# a command is known. --help texts refer to tscgate(8) for exit statuses.
expect error-prefix-check 2 '' '^tscgate check: --domain FILE is required$' -- check --dest "$amd"
expect error-prefix-option 2 '' '^tscgate check: Unknown option --bogus$' -- check --bogus
expect error-prefix-file 2 '' '^tscgate check: /nonexistent/dom\.xml: .*No such file' -- check --domain /nonexistent/dom.xml --dest "$amd"
expect error-prefix-probe 2 '' "^tscgate probe: unexpected argument 'extra'\$" -- probe extra
expect error-prefix-command 2 '' "^tscgate: unknown command 'frobnicate'" -- frobnicate
expect exit-status-help 0 'EXIT STATUS in tscgate\(8\)' '' -- --help
expect exit-status-check-help 0 'EXIT STATUS in tscgate\(8\)' '' -- check --help
expect exit-status-probe-help 0 'EXIT STATUS in tscgate\(8\)' '' -- probe --help

# --- broken inputs: exit 2 naming file, line and problem ---
expect missing-file 2 '' '/nonexistent/dom.xml.*No such file' -- check --domain /nonexistent/dom.xml --dest "$amd"
expect not-xml 2 '' 'not-xml\.xml:[0-9]+: .*well-formed' -- check --domain "$G/not-xml.xml" --dest "$amd"
expect bad-frequency 2 '' "bad-frequency\.xml:4: .*2\.6GHz" -- check --domain "$G/bad-frequency.xml" --dest "$amd"
expect entities 2 '' 'entities\.xml:[0-9]+: DOCTYPE' -- check --domain "$G/entities.xml" --dest "$amd"
expect wrong-root-domain 2 '' 'amd-epyc-2596mhz-noscale\.xml:[0-9]+: .*domain' -- check --domain "$amd" --dest "$amd"
expect wrong-root-caps 2 '' 'fedora-kvmclock\.xml:[0-9]+: .*capabilities' -- check --domain "$G/fedora-kvmclock.xml" --dest "$G/fedora-kvmclock.xml"
expect caps-overflow 2 '' 'caps-bad-counter\.xml:5: .*out of range' -- check --domain "$G/fedora-kvmclock.xml" --dest "$H/caps-bad-counter.xml"

# --- verdicts (default rules) ---
expect explicit-same-host 0 '^allow: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"
expect explicit-other-noscale 1 '^deny: .*2596138000.*2100000000' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$i2100"
expect explicit-scaling 0 '^allow: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$i2400"
expect explicit-no-counter 1 '^deny: ' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$nocnt"
expect reenlightenment 1 "^deny: .*timer name='tsc' frequency" '' -- check --domain "$G/windows-2019-reenlightenment.xml" --dest "$amd"
expect reenlightenment-scaling 1 '^deny: ' '' -- check --domain "$G/windows-2019-reenlightenment.xml" --dest "$i2400"
expect windows-pinned 0 '^allow: ' '' -- check --domain "$G/windows-pinned-tsc.xml" --dest "$amd"
expect invtsc 1 '^deny: .*invtsc' '' -- check --domain "$G/passthrough-invtsc.xml" --dest "$amd"
expect kvmclock-unknown-nominal 0 '^allow-with-warning: ' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect kvmclock-scaling 0 '^allow: ' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$i2400"
# A source host's rate is no nominal rate (doc/tsc-model.md): the guest's
# rate stays unknown whatever --source says.
expect kvmclock-source-same 0 '^allow-with-warning: guest TSC unknown' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$amd"
expect kvmclock-source-other 0 '^allow-with-warning: guest TSC unknown, (this host|the destination) 2596138000 Hz' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$i2100"
expect tsc-sensitive-unknown 1 '^deny: .*unknown' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$amd"
expect tsc-sensitive-source-same 1 '^deny: guest TSC frequency unknown' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$amd" --source "$amd"
expect tsc-sensitive-source-other 1 '^deny: ' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$i2100" --source "$amd"
expect lineage-home 0 '^allow: .*2100000000 Hz \(lineage\)' '' -- check --domain "$G/lineage-boot-tsc-sensitive.xml" --dest "$i2100"
expect lineage-elsewhere 1 '^deny: .*2100000000' '' -- check --domain "$G/lineage-boot-tsc-sensitive.xml" --dest "$amd"
# A record an earlier tscgate wrote with a made-up rate (origin "assumed"):
# the rate is unknown, at the host it names too.
expect lineage-legacy-assumed 1 '^deny: guest TSC frequency unknown' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$i2100"
expect lineage-scaling 0 '^allow: ' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$i2400"
expect lineage-source-shown 1 'source facts +from the guest.s lineage record' '' -- check --domain "$G/lineage-tsc-sensitive.xml" --dest "$amd"

# rule 6: this host's timekeeping (probe-form facts)
unst=$H/amd-2596mhz-unstable-tsc.xml unsync=$H/probe-real-amd.xml
expect unstable-sensitive 1 '^deny: .*marked its TSC unstable' '' -- check --domain "$G/tsc-clocksource.xml" --dest "$unst" --source "$amd"
expect unstable-explicit 1 '^deny: .*marked its TSC unstable' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unst"
expect unstable-paravirt 0 '^allow-with-warning: .*marked its TSC unstable' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$unst" --source "$amd"
expect unsynced-explicit 0 '^allow-with-warning: .*not NTP-synchronised' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unsync"
expect unsynced-code 0 'reason code +dest-clock-unsynchronized$' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$unsync"

# hosts without constant_tsc (RHEL "KVM Guest Timing Management"): the TSC
# keeps guest time only with deep C-states off and cpufreq pinned
revf_ok=$H/opteron-revf-remediated.xml revf_freq=$H/opteron-revf-cpufreq-free.xml
revf_cst=$H/opteron-revf-cstates-on.xml
pin26=$G/explicit-2600-rhel6.xml
expect revf-remediated-pinned 0 '^allow: .*2600000000 Hz \(explicit\) is within 2599935000' '' -- check --domain "$pin26" --dest "$revf_ok"
expect revf-remediated-code 0 'reason code +explicit-within-tolerance$' '' -- check --domain "$pin26" --dest "$revf_ok"
expect revf-remediated-outside 1 '^deny: .*2596138000.*outside' '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$revf_ok"
expect revf-cpufreq-pinned 1 '^deny: .*not invariant.*cpufreq' '' -- check --domain "$pin26" --dest "$revf_freq"
expect revf-cpufreq-code 1 'reason code +dest-tsc-not-invariant$' '' -- check --domain "$pin26" --dest "$revf_freq"
expect revf-cstates-pinned 1 '^deny: .*not invariant.*processor\.max_cstate=1' '' -- check --domain "$pin26" --dest "$revf_cst"
expect revf-cstates-kvmclock 0 '^allow-with-warning: .*not invariant' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$revf_cst"
rc=0; "$tg" check --domain "$G/fedora-kvmclock.xml" --dest "$revf_ok" >"$out" 2>"$err" </dev/null || rc=$?
revf_kvmclock_ok() { [ "$rc" -eq 0 ] && ! grep -q 'not invariant' "$out"; }
ok_if revf-remediated-kvmclock revf_kvmclock_ok

# --- policy: check --policy, policy validate/explain through the CLI ---
X="$TG_SRCDIR/xml/examples"
expect policy-force-deny 1 "^deny: policy rule 'pinned-db' denies this guest.*databases stay on their host" '' -- check --policy "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"
expect policy-treat-as 1 "^deny: .*\\(policy rule 'strict-web'\\)" '' -- check --policy "$P/policy-rules.xml" --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$i2100"
expect policy-no-rule 0 '^allow: ' '' -- check --policy "$P/policy-rules.xml" --domain "$G/windows-pinned-tsc.xml" --dest "$amd"
expect policy-audit 0 '^deny \(audit mode: allowed\): ' '' -- check --policy "$X/audit-rollout.xml" --domain "$G/tsc-clocksource.xml" --dest "$amd"
expect policy-invalid 2 '' 'policy-bad\.xml:4: ' -- check --policy "$P/policy-bad.xml" --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect policy-missing 2 '' '/nonexistent/policy\.xml' -- check --policy /nonexistent/policy.xml --domain "$G/fedora-kvmclock.xml" --dest "$amd"
for ex in "$X"/*.xml; do
    expect "validate-$(basename "$ex" .xml)" 0 ': valid' '' -- policy validate "$ex"
done
expect validate-bad 1 '' 'policy-bad\.xml:4: ' -- policy validate "$P/policy-bad.xml"
# a problem's escaped value is shown once escaped, not twice
expect validate-escaped-once 1 '' "policy-tab-uuid\\.xml:4: <match> attribute uuid='12\\\\t34' is not a UUID\$" -- policy validate "$P/policy-tab-uuid.xml"
expect explain 1 "pinned-db" '' -- policy explain "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd"

# --- stdin and JSON ---
rc=0; "$tg" check --domain - --dest "$amd" <"$G/rhel-explicit-tsc.xml" >"$out" 2>"$err" || rc=$?
stdin_ok() { [ "$rc" -eq 0 ] && grep -q '^allow: ' "$out"; }
ok_if domain-from-stdin stdin_ok
rc=0; "$tg" check --json --domain "$G/rhel-explicit-tsc.xml" --dest "$i2100" >"$out" 2>"$err" </dev/null || rc=$?
json_ok() {
    [ "$rc" -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="deny" and d["guest"]=="rhel-db1" and d["guest_hz"]==2596138000 and d["dest_hz"]==2100000000 and d["dest_scaling"]=="no" and d["allowed"] is False, d' "$out"
}
ok_if json json_ok

# --- publish: the facts and policy identity a host's hook uses, for check and preflight ---
hn=$(uname -n)
pub=$WORK/pub cfg=$WORK/cfg cfg2=$WORK/cfg2
mkdir -p "$pub" "$cfg" "$cfg2"
cp "$P/policy-rules.xml" "$cfg2/policy.xml"
expect publish-default 0 '' '' -- probe --publish "$pub" --no-kvm --config-dir "$cfg"
published_ok() {
    f=$pub/$hn.xml
    [ -f "$f" ] && [ "$(ls -A "$pub" | tr '\n' ' ')" = "$hn.xml " ] &&
    grep -q "<tscgate:tscgate-version known='yes'[^>]*>$("$tg" --version | sed 's/^tscgate //')</tscgate:tscgate-version>" "$f" &&
    grep -q "<tscgate:policy-digest known='yes'[^>]*>none</tscgate:policy-digest>" "$f" &&
    grep -Eq "<tscgate:published-at known='yes'[^>]*>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z<" "$f" &&
    grep -q "<tscgate:clock-synchronized known='yes'" "$f" &&
    grep -q "<tscgate:hostname known='yes'[^>]*>$hn<" "$f"
}
ok_if publish-file published_ok
mkdir -p "$pub/default"; cp "$pub/$hn.xml" "$pub/default/"
expect publish-with-policy 0 '' '' -- probe --publish "$pub" --no-kvm --config-dir "$cfg2"
digest_ok() {
    d=$(sha256sum "$cfg2/policy.xml" | cut -d' ' -f1)
    grep -q "<tscgate:policy-digest known='yes' source='$cfg2/policy.xml'>sha256:$d</tscgate:policy-digest>" "$pub/$hn.xml"
}
ok_if publish-policy-digest digest_ok
cp "$P/policy-bad.xml" "$WORK/cfgbad.xml"; mkdir -p "$WORK/cfgbad"; cp "$P/policy-bad.xml" "$WORK/cfgbad/policy.xml"
expect publish-bad-policy 2 '' '^tscgate probe: .*cfgbad/policy\.xml:4: ' -- probe --publish "$pub" --no-kvm --config-dir "$WORK/cfgbad"
# host.xml overrides the facts it states, as on the hook's side; the rest is probed
mkdir -p "$WORK/cfg3" "$WORK/pub3"; cp "$H/caps-amd-scaling.xml" "$WORK/cfg3/host.xml"
expect publish-host-xml 0 '' '' -- probe --publish "$WORK/pub3" --no-kvm --config-dir "$WORK/cfg3"
host_xml_ok() {
    f=$WORK/pub3/$(ls "$WORK/pub3")
    grep -q "<tscgate:tsc-frequency known='yes' source='$WORK/cfg3/host.xml: [^']*'>2994374000<" "$f" &&
    grep -q "<tscgate:clocksource-current known='yes' source='/sys/devices/system/clocksource" "$f"
}
ok_if publish-host-xml-overrides host_xml_ok
# a host.xml naming another host would publish over that host's file
mkdir -p "$WORK/cfg4"; cp "$H/hostd-2400-scaling.xml" "$WORK/cfg4/host.xml"
expect publish-host-xml-other-host 2 '' "^tscgate probe: $WORK/cfg4/host.xml states host name 'hostd' but this host is '$hn': nothing published\$" -- probe --publish "$WORK/pub3" --no-kvm --config-dir "$WORK/cfg4"
expect publish-no-dir 2 '' '^tscgate probe: cannot publish to /nonexistent/pub/' -- probe --publish /nonexistent/pub --no-kvm --config-dir "$cfg"
expect publish-and-human 2 '' 'probe: --publish writes XML: it cannot be combined with --human or --output' -- probe --publish "$pub" --human

# the published directory is an inventory a policy's <host-directory> reads
cat >"$WORK/inv-policy.xml" <<EOF
<policy xmlns="urn:tscgate:policy:1" version="1">
  <inventory><host-group name="published"><host-directory path="$pub"/></host-group></inventory>
</policy>
EOF
expect publish-inventory 0 ': valid' '' -- policy validate "$WORK/inv-policy.xml"
# check, plan and policy explain read a policy's <host-directory> as the
# hook does (before: check and plan refused it as "parsed from memory")
expect check-policy-host-directory 0 '^allow' '' -- check --policy "$WORK/inv-policy.xml" --domain "$G/paravirt.xml" --dest "$amd"
expect plan-policy-host-directory 0 '^tscgate plan: 1 guest x 1 host, decided with ' '' -- plan --policy "$WORK/inv-policy.xml" --domain "$G/paravirt.xml" --host "$amd"
expect explain-policy-host-directory 0 "inventory 1 host: $hn " '' -- policy explain "$WORK/inv-policy.xml" --domain "$G/paravirt.xml"
# probe --publish reads such a policy as the hook does, and publishes the
# digest check decides with (before: refused as "parsed from memory")
mkdir -p "$WORK/cfg3" "$WORK/pub4"
cp "$WORK/inv-policy.xml" "$WORK/cfg3/policy.xml"
publish_inv_ok() {
    "$tg" probe --publish "$WORK/pub4" --no-kvm --config-dir "$WORK/cfg3" >"$out" 2>"$err" </dev/null || return 1
    want=$("$tg" check --json --policy "$WORK/cfg3/policy.xml" --domain "$G/paravirt.xml" --dest "$amd" </dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["policy_digest"])')
    case $want in sha256:*) ;; *) return 1 ;; esac
    grep -q "<tscgate:policy-digest known='yes'[^>]*>$want</tscgate:policy-digest>" "$WORK/pub4/$hn.xml"
}
ok_if publish-policy-host-directory publish_inv_ok
# an inventory host's name cannot forge a line of policy explain
mkdir -p "$WORK/evilinv/hosts"
sed "s|>hosta</tscgate:hostname>|>hosta\&#10;deny: forged\&#x9b;</tscgate:hostname>|" "$H/probe-hosta.xml" >"$WORK/evilinv/hosts/a.xml"
cat >"$WORK/evilinv/policy.xml" <<EOF
<policy xmlns="urn:tscgate:policy:1" version="1">
  <inventory><host-group name="g"><host-directory path="hosts"/></host-group></inventory>
</policy>
EOF
rc=0; "$tg" policy explain "$WORK/evilinv/policy.xml" --domain "$G/lineage-tsc-sensitive.xml" --dest "$H/hostc-2596.xml" >"$out" 2>"$err" </dev/null || rc=$?
explain_escaped_ok() {
    [ "$rc" -le 1 ] && grep -q '^settings: .*inventory 1 host: hosta\\ndeny: forged\\u009b ' "$out" &&
        ! grep -q '^deny: forged' "$out" && ! LC_ALL=C grep -q "$(printf '\302\233')" "$out"
}
ok_if explain-inventory-name-escaped explain_escaped_ok
# the policy digest is that of the bytes parsed, stdin too
explain_stdin_digest_ok() {
    want=$("$tg" check --json --policy "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd" </dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["policy_digest"])')
    "$tg" policy explain - --domain "$G/rhel-explicit-tsc.xml" <"$P/policy-rules.xml" >"$out" 2>"$err" &&
        case $want in sha256:*) true ;; *) false ;; esac &&
        grep -Eq "^  policy digest +$want\$" "$out"
}
ok_if explain-stdin-digest explain_stdin_digest_ok
expect explain-two-stdin 2 '' "only one input can be read from stdin" -- policy explain - --domain -

# check reads what a destination published, names it and says what it enforces
expect check-dest-dir 0 "^  dest facts +facts published in $pub/$hn.xml by tscgate [0-9.]+ at " '' -- check --domain "$G/paravirt.xml" --dest-dir "$pub" --dest-host "$hn" --policy "$cfg2/policy.xml"
expect check-dest-same-policy 0 "^  dest policy +$hn enforces the policy given \\(sha256:" '' -- check --domain "$G/paravirt.xml" --dest-dir "$pub" --dest-host "$hn" --policy "$cfg2/policy.xml"
expect check-dest-other-policy 0 "^  dest policy +cannot know what $hn enforces: it published policy sha256:[0-9a-f]{64}, this report uses the default rules" '' -- check --domain "$G/paravirt.xml" --dest-dir "$pub" --dest-host "$hn"
expect check-dest-unpublished 0 "^  dest policy +cannot know what hosta enforces: nothing was published" '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$H/probe-hosta.xml"
expect check-dest-published-default 0 "^  dest policy +$hn enforces the default rules \\(no policy.xml\\), as this report does" '' -- check --domain "$G/paravirt.xml" --dest-dir "$pub/default" --dest-host "$hn"
expect check-dest-fact-source 0 "^    tsc-unstable +(yes|no|unknown) .*\\(" '' -- check --domain "$G/fedora-kvmclock.xml" --dest-dir "$pub" --dest-host "$hn"
cp "$H/probe-hosta.xml" "$WORK/pub3/renamed.xml"
expect check-dest-name-mismatch 0 "^  dest facts +facts from $WORK/pub3/renamed.xml \\(its hostname fact says hosta\\)" '' -- check --domain "$G/fedora-kvmclock.xml" --dest-dir "$WORK/pub3" --dest-host renamed
expect check-source-from 0 "^  source facts +facts from $i2100\$" '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$i2100"
expect check-source-none 0 "^  source facts +none given and no lineage record\$" '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
# the text report has every field of the decision (tg-fields.h), the JSON's
# values under the text's labels: operation, source, destination, policy
# digest and tscgate version too
ver=$("$tg" --version | sed 's/^tscgate //')
expect check-text-operation 0 '^  operation +migrate$' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect check-text-digest-default 0 '^  policy digest +none$' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect check-text-digest 0 '^  policy digest +sha256:[0-9a-f]{64}$' '' -- check --domain "$G/paravirt.xml" --dest "$amd" --policy "$P/policy-rules.xml"
expect check-text-version 0 "^  tscgate version +$ver\$" '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect check-text-source-host 0 '^  source host +hostb$' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --source "$H/hostb-2100.xml"
expect check-text-source-unknown 0 '^  source host +unknown$' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd"
expect check-text-destination 0 "^  destination +$hn\$" '' -- check --domain "$G/paravirt.xml" --dest-dir "$pub" --dest-host "$hn"
check_text_as_json_ok() {
    "$tg" check --json --domain "$G/rhel-explicit-tsc.xml" --dest "$H/hostb-2100.xml" --source "$H/probe-hosta.xml" --policy "$P/policy-rules.xml" >"$WORK/tj.json" 2>"$err" </dev/null
    "$tg" check --domain "$G/rhel-explicit-tsc.xml" --dest "$H/hostb-2100.xml" --source "$H/probe-hosta.xml" --policy "$P/policy-rules.xml" >"$out" 2>"$err" </dev/null
    python3 - "$WORK/tj.json" "$out" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read().splitlines()
# the values of the text's "  LABEL  VALUE" lines, in order
vals = [l[19:] for l in text[1:] if l.startswith("  ") and not l.startswith("   ")]
for k in ("mode", "code", "rule", "guest", "uuid", "clock_class", "guest_hz_origin",
          "dest_scaling", "policy_rule", "op", "source", "policy_digest",
          "tscgate_version", "destination"):
    v = j[k]
    assert v is not None, k
    assert str(v) in vals, (k, v, vals)
for k in ("guest_hz", "dest_hz", "window_lo", "window_hi"):
    assert any(x.startswith("%d Hz (" % j[k]) for x in vals), (k, j[k])
assert text[0] == "%s: %s" % (j["verdict"], j["reason"]), text[0]
PY
}
ok_if check-text-has-json-fields check_text_as_json_ok
expect check-dest-missing 2 '' "^tscgate check: no facts published for nosuchhost in $pub \\($pub/nosuchhost.xml: No such file or directory\\)\$" -- check --domain "$G/fedora-kvmclock.xml" --dest-dir "$pub" --dest-host nosuchhost
expect check-dest-bad-name 2 '' "^tscgate check: --dest-host '\\.\\./x' is not a host name" -- check --domain "$G/fedora-kvmclock.xml" --dest-dir "$pub" --dest-host ../x
expect check-dest-both 2 '' '^tscgate check: give either --dest FILE or --dest-dir DIR with --dest-host NAME' -- check --domain "$G/fedora-kvmclock.xml" --dest "$amd" --dest-dir "$pub" --dest-host "$hn"
expect check-dest-json 0 "\"destination\":\"$hn\",\"dest_facts_from\":\"$pub/$hn.xml\",\"dest_policy_known\":false" '' -- check --json --domain "$G/fedora-kvmclock.xml" --dest-dir "$pub" --dest-host "$hn"
# the destination is named: "this host" never appears, and nothing advises a host.xml
names_dest_ok() {
    for d in "$amd" "$i2100" "$nocnt" "$H/amd-2596mhz-unstable-tsc.xml" "$H/probe-real-amd.xml" "$revf_cst"; do
        for g in fedora-kvmclock rhel-explicit-tsc tsc-clocksource windows-2019-reenlightenment passthrough-invtsc; do
            for j in "" --json; do
                "$tg" check $j --domain "$G/$g.xml" --dest "$d" >"$out" 2>"$err" </dev/null
                if grep -qi 'this host\|host\.xml' "$out" "$err"; then rc="$g on $d"; return 1; fi
            done
        done
    done
    "$tg" check --policy "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd" >"$out" 2>&1 </dev/null
    ! grep -qi 'this host' "$out"
}
ok_if check-names-destination names_dest_ok
expect check-no-counter-advice 1 "^deny: destination hostf's TSC frequency is unknown .*publish the facts of destination hostf \\(tscgate probe --publish\\)" '' -- check --domain "$G/rhel-explicit-tsc.xml" --dest "$H/hostf-no-counter.xml"

# preflight (libvirt's test driver stands in for both daemons)
if "$tg" --help | grep -q preflight; then
    expect preflight-unpublished 0 "^  dest policy +cannot know what $hn enforces: nothing was published" '' -- preflight --connect test:///default --dest-connect test:///default test
    expect preflight-no-host-xml 0 "publish the facts of destination $hn" '' -- preflight --connect test:///default --dest-connect test:///default test
    expect preflight-dest-dir 0 "^  dest facts +facts published in $pub/$hn.xml by tscgate" '' -- preflight --connect test:///default --dest-connect test:///default --dest-dir "$pub" test
    expect preflight-dest-dir-policy 0 "^  dest policy +cannot know what $hn enforces: it published policy sha256:" '' -- preflight --connect test:///default --dest-connect test:///default --dest-dir "$pub" test
    expect preflight-source-from 0 "^  source facts +facts from the capabilities of test:///default\$" '' -- preflight --connect test:///default --dest-connect test:///default test
    expect preflight-dest-dir-missing 0 "^  dest facts +facts from the capabilities of test:///default \\(nothing published in $pub: $pub/nosuch.xml: No such file or directory\\)" '' -- preflight --connect test:///default --dest-connect test:///default --dest-dir "$pub" --dest-host nosuch test
    expect preflight-source-host 0 "^  source host +$hn\$" '' -- preflight --connect test:///default --dest-connect test:///default test
    expect preflight-json-source 0 "\"source\":\"$hn\"" '' -- preflight --json --connect test:///default --dest-connect test:///default test
    preflight_named_ok() {
        "$tg" preflight --connect test:///default --dest-connect test:///default test >"$out" 2>"$err" </dev/null
        "$tg" preflight --json --connect test:///default --dest-connect test:///default --dest-dir "$pub" test >>"$out" 2>>"$err" </dev/null
        ! grep -qi 'this host\|host\.xml' "$out" "$err"
    }
    ok_if preflight-names-destination preflight_named_ok
fi

# --- probe: XML output reads back as --dest; human checklist ---
rc=0; "$tg" probe >"$out" 2>"$err" </dev/null || rc=$?
cp "$out" "$WORK/probe.xml"
roundtrip_ok() {
    [ "$rc" -eq 0 ] && "$tg" check --domain "$G/fedora-kvmclock.xml" --dest "$WORK/probe.xml" >/dev/null 2>"$err" </dev/null
}
ok_if probe-roundtrip roundtrip_ok
rc=0; "$tg" probe --human >"$out" 2>"$err" </dev/null || rc=$?
human_ok() {
    [ "$rc" -le 1 ] && grep -Eq '^ *TSC frequency.*: ([0-9]+\.[0-9]{3} MHz|unknown)' "$out" && grep -q 'constant_tsc' "$out"
}
ok_if probe-human human_ok
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    "$tg" probe --human >"$out" 2>&1 </dev/null || true
    real_kvm_ok() { grep -Eq '^ *TSC frequency.*: [0-9]+\.[0-9]{3} MHz' "$out"; }
    ok_if probe-real-kvm real_kvm_ok
fi

# --- lineage show|strip: tscgate's record in a domain definition ---
expect lineage-help 0 'show FILE' '' -- lineage --help
expect lineage-no-verb 2 '' '^tscgate lineage: say show or strip' -- lineage
expect lineage-bad-verb 2 '' "^tscgate lineage: unknown action 'frob' \\(show or strip\\)" -- lineage frob x
expect lineage-show-no-file 2 '' '^tscgate lineage: show needs one FILE' -- lineage show
expect lineage-show-missing 2 '' '/nonexistent/d\.xml: .*No such file' -- lineage show /nonexistent/d.xml
expect lineage-show-not-domain 2 '' 'amd-epyc-2596mhz-noscale\.xml:[0-9]+: .*domain' -- lineage show "$amd"
rc=0; "$tg" lineage show "$G/lineage-boot-tsc-sensitive.xml" >"$out" 2>"$err" </dev/null || rc=$?
cat > "$WORK/show.want" <<'EOS'
nominal: 2100000000 Hz (boot)
effective: 2100000000 Hz
hop 1: migrate to edge-b7 at 2026-10-02T11:40:12Z: 2100000000 Hz, scaling no: allow (inventory-compatible)
hop 2: migrate to core-s3 at 2026-11-20T09:03:55Z: 2400000000 Hz, scaling yes: allow (nominal-scaled)
EOS
show_ok() { [ "$rc" -eq 0 ] && cmp -s "$WORK/show.want" "$out" && [ ! -s "$err" ]; }
ok_if lineage-show show_ok
expect lineage-show-legacy 0 "^nominal: unknown \\(an earlier tscgate wrote 2100000000 Hz with origin assumed: a host's rate, never the guest's\\)\$" '' -- lineage show "$G/lineage-tsc-sensitive.xml"
expect lineage-show-changed 0 '^effective: 2100050000 Hz, changed by a hop$' '' -- lineage show "$TG_FIXTURES/lineage/domain-rate-changed.xml"
expect lineage-show-none 1 '^no tscgate lineage record$' '' -- lineage show "$G/fedora-kvmclock.xml"
expect lineage-show-unreadable 2 '' 'newer than this tscgate' -- lineage show "$G/dom-bad-lineage-newer.xml"
rc=0; "$tg" lineage show --json "$G/lineage-boot-tsc-sensitive.xml" >"$out" 2>"$err" </dev/null || rc=$?
show_json_ok() {
    [ "$rc" -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["record"] is True and d["nominal_hz"]==2100000000 and d["nominal_origin"]=="boot" and d["effective_hz"]==2100000000 and d["effective_changed"] is False and len(d["hops"])==2 and d["hops"][1]=={"op":"migrate","host":"core-s3","hz":2400000000,"scaling":"yes","time":"2026-11-20T09:03:55Z","verdict":"allow","reason":"nominal-scaled"}, d' "$out"
}
ok_if lineage-show-json show_json_ok
rc=0; "$tg" lineage show --json "$G/fedora-kvmclock.xml" >"$out" 2>"$err" </dev/null || rc=$?
show_json_none_ok() { [ "$rc" -eq 1 ] && [ "$(cat "$out")" = '{"record":false}' ]; }
ok_if lineage-show-json-none show_json_none_ok
# strip: the definition without the record, the rest byte for byte, valid
# for libvirt (copy definitions with `virsh dumpxml --inactive`).
rc=0; "$tg" lineage strip "$G/lineage-boot-tsc-sensitive.xml" >"$out" 2>"$err" </dev/null || rc=$?
sed '/<tscgate:lineage /,/<\/tscgate:lineage>/d' "$G/lineage-boot-tsc-sensitive.xml" > "$WORK/strip.want"
strip_ok() { [ "$rc" -eq 0 ] && cmp -s "$WORK/strip.want" "$out" && [ ! -s "$err" ]; }
ok_if lineage-strip strip_ok
strip_valid() {
    if ! "$XMLLINT" --version >/dev/null 2>&1 || [ ! -r "$LIBVIRT_SCHEMA_DIR/domain.rng" ]; then
        tg_diag "no xmllint or libvirt schema: not validated"
        return 0
    fi
    "$XMLLINT" --noout --relaxng "$LIBVIRT_SCHEMA_DIR/domain.rng" "$out" 2>/dev/null
}
ok_if lineage-strip-validates strip_valid
rc=0; "$tg" lineage strip -o "$WORK/stripped.xml" "$G/lineage-boot-tsc-sensitive.xml" >"$out" 2>"$err" </dev/null || rc=$?
strip_o_ok() { [ "$rc" -eq 0 ] && [ ! -s "$out" ] && cmp -s "$WORK/strip.want" "$WORK/stripped.xml"; }
ok_if lineage-strip-output strip_o_ok
rc=0; "$tg" lineage strip - <"$G/fedora-kvmclock.xml" >"$out" 2>"$err" || rc=$?
strip_none_ok() { [ "$rc" -eq 0 ] && cmp -s "$G/fedora-kvmclock.xml" "$out"; }
ok_if lineage-strip-none-unchanged strip_none_ok
rc=0; "$tg" lineage strip "$TG_FIXTURES/lineage/domain-rate-changed.xml" >"$out" 2>"$err" </dev/null || rc=$?
strip_hook_ok() { [ "$rc" -eq 0 ] && ! grep -q 'tscgate' "$out" && ! grep -q '<metadata' "$out"; }
ok_if lineage-strip-hook-output strip_hook_ok
expect lineage-strip-not-xml 2 '' 'not-xml\.xml:[0-9]+: ' -- lineage strip "$G/not-xml.xml"
expect lineage-strip-two-files 2 '' '^tscgate lineage: strip needs one FILE' -- lineage strip a b

# --- plan: every guest on every other host ---
FD=$G/fleet FH=$H/fleet
expect plan-help 0 '--drain' '' -- plan --help
expect plan-no-host 2 '' '^tscgate plan: --host PATH or --connect URI is required$' -- plan --domain "$FD"
expect plan-no-domain 2 '' '^tscgate plan: --domain PATH or --connect URI is required$' -- plan --host "$FH"
expect plan-json-csv 2 '' 'give either --json or --csv' -- plan --domain "$FD" --host "$FH" --json --csv
expect plan-extra-arg 2 '' "unexpected argument 'x'" -- plan --domain "$FD" --host "$FH" x
expect plan-stdin 2 '' 'stdin' -- plan --domain - --host "$FH"
expect plan-timeout-range 2 '' '--timeout 0 is out of range' -- plan --domain "$FD" --host "$FH" --timeout 0
expect plan-missing-file 2 '' '/nonexistent/h\.xml.*No such file' -- plan --domain "$FD" --host /nonexistent/h.xml
expect plan-bad-domain 2 '' 'not-xml\.xml:[0-9]+: .*well-formed' -- plan --domain "$G/not-xml.xml" --host "$FH"
expect plan-bad-host 2 '' 'caps-bad-counter\.xml:5: .*out of range' -- plan --domain "$FD" --host "$H/caps-bad-counter.xml"
expect plan-domain-as-host 2 '' 'web\.xml:[0-9]+: .*capabilities' -- plan --domain "$FD" --host "$FD/web.xml"
expect plan-duplicate-host 2 '' 'probe-hosta\.xml and .*probe-minor-newer\.xml both describe host hosta' -- plan --domain "$FD" --host "$H/probe-hosta.xml" --host "$H/probe-minor-newer.xml"
expect plan-bad-policy 2 '' 'policy-bad\.xml' -- plan --domain "$FD" --host "$FH" --policy "$P/policy-bad.xml"
expect plan-no-such-drain 2 '' '^tscgate plan: --drain nohost: no such host in the plan$' -- plan --domain "$FD" --host "$FH" --drain nohost
mkdir "$WORK/empty-hosts"
expect plan-empty-host-dir 2 '' 'no host facts to plan with' -- plan --domain "$FD" --host "$WORK/empty-hosts"
# hpc (invtsc, no rate) may go nowhere: exit 1, a pin suggestion, the codes
expect plan-table 1 '^hpc +xxx\.  +0  pin 2100000000 Hz: 3 more hosts; nowhere to go$' '' -- plan --domain "$FD" --host "$FH"
expect plan-table-own-host 1 '^db +\.\+\+x +2$' '' -- plan --domain "$FD" --host "$FH"
expect plan-table-legend 1 '^  invtsc-without-frequency \(3 pairs\): hpc on rack1-a: invtsc is exposed' '' -- plan --domain "$FD" --host "$FH"
expect plan-title 1 '^tscgate plan: 3 guests x 4 hosts, decided with the default rules$' '' -- plan --domain "$FD" --host "$FH"
expect plan-title-one 0 '^tscgate plan: 1 guest x 4 hosts, ' '' -- plan --domain "$FD/web.xml" --host "$FH"
expect plan-table-hosts 1 '^    4  rack2-d: 2600000000 Hz, scaling no ' '' -- plan --domain "$FD" --host "$FH"
expect plan-no-pins 1 '^hpc +xxx\.  +0  nowhere to go$' '' -- plan --domain "$FD" --host "$FH" --no-pins
expect plan-all-placed 0 '^web +\.~\+~ +3$' '' -- plan --domain "$FD/web.xml" --domain "$FD/db.xml" --host "$FH"
expect plan-drain-ok 0 '^  db: rack1-b, rack2-c$' '' -- plan --domain "$FD" --host "$FH" --drain rack1-a
expect plan-drain-nowhere 1 '^  hpc: nowhere to go$' '' -- plan --domain "$FD" --host "$FH" --drain rack2-d
# a guest name cannot forge a CSV row or reach a terminal raw: a newline,
# a C1 CSI, U+2028 and a quote in <name>
mkdir -p "$WORK/evilcsv"
sed 's|<name>db</name>|<name>e\&#10;vil,\&#x9b;2J\&#x2028;"q</name>|' "$FD/db.xml" >"$WORK/evilcsv/db.xml"
rc=0; "$tg" plan --domain "$WORK/evilcsv" --host "$FH" --csv --reasons >"$out" 2>"$err" </dev/null || rc=$?
plan_csv_hostile() {
    [ "$rc" -le 1 ] && [ "$(wc -l <"$out")" -eq 4 ] &&
        ! LC_ALL=C grep -q "$(printf '\302\233')\|$(printf '\342\200\250')" "$out" &&
        python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 4 and all(len(r) == 8 for r in rows), rows
assert rows[1][0] == "e\\nvil,\\u009b2J\\u2028\"q", rows[1][0]
' "$out"
}
ok_if plan-csv-hostile-name plan_csv_hostile
rc=0; "$tg" plan --domain "$FD" --host "$FH" --drain rack2-d --json >"$out" 2>"$err" </dev/null || rc=$?
plan_drain_json() {
    [ "$rc" -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["drain"]=="rack2-d" and d["nowhere"]==["hpc"] and [g["name"] for g in d["guests"]]==["hpc"] and d["guests"][0]["may_go_to"]==[] and d["guests"][0]["guest_hz"] is None and d["guests"][0]["pin"]=={"frequency":2100000000,"hosts":3,"more_hosts":3} and len(d["decisions"])==3, d' "$out"
}
ok_if plan-drain-json plan_drain_json
rc=0; "$tg" plan --domain "$FD" --host "$FH" --json >"$out" 2>"$err" </dev/null || rc=$?
plan_json() {
    [ "$rc" -eq 1 ] && python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert [h["name"] for h in d["hosts"]]==["rack1-a","rack1-b","rack2-c","rack2-d"], d["hosts"]
assert d["hosts"][2]["scaling"] is True and d["hosts"][0]["policy_digest"] is None
assert len(d["decisions"])==9 and d["unreachable"]==[]
w=[x for x in d["decisions"] if x["guest"]=="web" and x["host"]=="rack2-c"][0]
assert w=={"guest":"web","host":"rack2-c","verdict":"allow","allowed":True,"mode":"enforce","code":"nominal-unknown-dest-scaling","rule":5,"effective_hz":None}, w
assert list(w)[:2]==["guest","host"], w
assert not [x for x in d["decisions"] if x["guest"]=="db" and x["host"]=="rack1-a"]
' "$out"
}
ok_if plan-json plan_json
rc=0; "$tg" plan --domain "$FD/db.xml" --host "$FH" --csv --reasons >"$out" 2>"$err" </dev/null || rc=$?
plan_csv() {
    [ "$rc" -eq 0 ] && [ "$(head -1 "$out")" = "$(printf 'guest,host,verdict,code,rule,allowed,effective_hz,reason\r')" ] &&
        grep -q '^db,rack2-d,deny,explicit-outside-tolerance,1,no,,"\{0,1\}guest TSC 2100000000 Hz (explicit) is outside' "$out" &&
        [ "$(wc -l < "$out")" -eq 4 ]
}
ok_if plan-csv plan_csv
# 50 hosts: columns in groups of ten under two heading lines, tens over ones
"$TG_BUILDDIR/bench/bench-plan" -w "$WORK/f50" -g 3 -H 50
rc=0; "$tg" plan --domain "$WORK/f50/guests" --host "$WORK/f50/hosts" >"$out" 2>"$err" </dev/null || rc=$?
plan_50() {
    [ "$rc" -eq 1 ] &&
        grep -qx '                 1 1111111112 2222222223 3333333334 4444444445' "$out" &&
        grep -qx 'guest   1234567890 1234567890 1234567890 1234567890 1234567890  hosts  suggestion' "$out" &&
        grep -qx 'g00002  xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx      0  pin 2400000000 Hz: 33 more hosts; nowhere to go' "$out" &&
        grep -qx '   50  h0049: 2400000000 Hz, scaling no ('"$WORK"'/f50/hosts/h0049.xml)' "$out" &&
        [ "$(awk 'length > 120' "$out" | grep -cv '^  [a-z-]* (')" -eq 0 ]
}
ok_if plan-50-hosts plan_50
# a host named by its file when its facts carry no hostname
cp "$i2100" "$WORK/caps-only.xml"
expect plan-host-file-name 0 '^    1  caps-only: ' '' -- plan --domain "$G/fedora-kvmclock.xml" --host "$WORK/caps-only.xml"
# audit mode: a denial lets the guest through ('!')
cat > "$WORK/audit.xml" <<'XML'
<policy xmlns='urn:tscgate:policy:1' version='1'><mode>audit</mode></policy>
XML
expect plan-audit 0 '^hpc +!!!\. ' '' -- plan --domain "$FD" --host "$FH" --policy "$WORK/audit.xml"
# no colour unless stdout is a terminal
expect plan-no-colour 1 '' '' -- plan --domain "$FD" --host "$FH"
plan_plain() { ! grep -q "$(printf '\033')" "$out"; }
rc=0; ok_if plan-no-escape-codes plan_plain
if command -v script >/dev/null 2>&1; then
    script -qec "'$TG_BUILDDIR/src/cli/tscgate' plan --domain '$FD' --host '$FH'" /dev/null >"$out" 2>&1 </dev/null || true
    plan_colour() { grep -q "$(printf '\033')\[31mx" "$out" && grep -q "$(printf '\033')\[32m+" "$out"; }
    ok_if plan-colour-on-tty plan_colour
fi
# plan agrees with check on every pair of the fixtures: the parseable
# guests, and the hosts in groups of distinct host names
mkdir "$WORK/pd" "$WORK/ph1" "$WORK/ph2" "$WORK/ph3" "$WORK/ph4"
for f in "$G"/*.xml; do
    rc=0; "$tg" check --domain "$f" --dest "$i2100" >/dev/null 2>&1 </dev/null || rc=$?
    [ "$rc" -eq 2 ] || ln -s "$f" "$WORK/pd/"
done
for f in "$H"/*.xml; do
    rc=0; "$tg" check --domain "$G/paravirt.xml" --dest "$f" >/dev/null 2>&1 </dev/null || rc=$?
    [ "$rc" -eq 2 ] && continue
    for grp in ph1 ph2 ph3 ph4; do
        rc=0; "$tg" plan --domain "$G/paravirt.xml" --host "$f" --host "$WORK/$grp" >/dev/null 2>&1 </dev/null || rc=$?
        [ "$rc" -eq 2 ] || { ln -s "$f" "$WORK/$grp/"; break; }
    done
done
for pol in "" "$P/policy-rules.xml"; do
    : > "$WORK/pairs"
    for d in "$WORK"/pd/*.xml; do
        for h in "$WORK"/ph?/*.xml; do
            rc=0; "$tg" check --json --domain "$d" --dest "$h" ${pol:+--policy "$pol"} >"$out" 2>/dev/null </dev/null || rc=$?
            printf '%s\t%s\t%s\t%s\n' "$d" "$h" "$rc" "$(cat "$out")" >> "$WORK/pairs"
        done
    done
    for grp in ph1 ph2 ph3 ph4; do
        [ -n "$(ls "$WORK/$grp")" ] || continue
        rc=0; "$tg" plan --json --reasons --domain "$WORK/pd" --host "$WORK/$grp" ${pol:+--policy "$pol"} >"$out" 2>"$err" </dev/null || rc=$?
        agree() { [ "$rc" -le 1 ] && python3 "$TG_SRCDIR/tests/cli/plan-agree.py" "$out" "$WORK/pairs" >"$err" 2>&1; }
        ok_if "plan-agrees-with-check-$grp${pol:+-policy}" agree
    done
done

# --- pin: the rate in the persistent definition (libvirt's test driver) ---
if "$tg" --help | grep -q '^  pin '; then
    NODE="test://$G/fleet-testdriver-node.xml"
    expect pin-help 0 '--for-hosts' '' -- pin --help
    expect pin-no-domain 2 '' '^tscgate pin: exactly one DOMAIN \(name or UUID\) is required$' -- pin --frequency 2100000000
    expect pin-two-domains 2 '' 'exactly one DOMAIN' -- pin a b --frequency 2100000000
    expect pin-no-rate 2 '' '^tscgate pin: give either --frequency HZ or --for-hosts PATH$' -- pin test --connect test:///default
    expect pin-both-rates 2 '' 'give either --frequency HZ or --for-hosts PATH' -- pin test --connect test:///default --frequency 1 --for-hosts "$FH"
    expect pin-bad-rate 2 '' "^tscgate pin: --frequency '2\.1GHz' is not a TSC rate in Hz" -- pin test --connect test:///default --frequency 2.1GHz
    expect pin-zero-rate 2 '' "--frequency '0' is not a TSC rate" -- pin test --connect test:///default --frequency 0
    # QEMU keeps tsc-frequency in kHz: a rate below 1 MHz is no TSC's
    expect pin-tiny-rate 2 '' "^tscgate pin: --frequency '999999' is not a TSC rate in Hz \(1000000 to 4294967295000\)$" -- pin test --connect test:///default --frequency 999999
    expect pin-huge-rate 2 '' "--frequency '4294967296000' is not a TSC rate" -- pin test --connect test:///default --frequency 4294967296000
    expect pin-policy-alone 2 '' '--policy is only used with --for-hosts' -- pin test --connect test:///default --frequency 1 --policy "$P/policy-rules.xml"
    expect pin-bad-policy 2 '' 'policy-bad\.xml' -- pin test --connect test:///default --for-hosts "$FH" --policy "$P/policy-bad.xml"
    expect pin-no-such-domain 2 '' '^tscgate pin: no such domain: nosuch: ' -- pin nosuch --connect test:///default --frequency 2100000000
    expect pin-no-connection 2 '' '^tscgate pin: cannot connect to test:///nonexistent/node\.xml: ' -- pin test --connect test:///nonexistent/node.xml --frequency 2100000000
    expect pin-bad-hosts 2 '' 'caps-bad-counter\.xml:5: ' -- pin test --connect test:///default --for-hosts "$H/caps-bad-counter.xml"
    expect pin-empty-hosts 2 '' 'no host facts \(\*\.xml\) in ' -- pin test --connect test:///default --for-hosts "$WORK/empty-hosts"
    expect pin-frequency 0 "^pinned test at 2100000000 Hz in its persistent definition; it takes effect at its next cold boot \(shut it down, then start it\): the running guest keeps its rate until then$" '' -- pin test --connect test:///default --frequency 2100000000
    expect pin-dry-run 0 '^would pin test at 2100000000 Hz in its persistent definition \(dry run: nothing changed\)' '' -- pin test --connect test:///default --frequency 2100000000 --dry-run
    expect pin-already-pinned 2 '' '^tscgate pin: pinned-db already pins 2400000000 Hz in its persistent definition; give --force to replace it$' -- pin pinned-db --connect "$NODE" --frequency 2100000000
    expect pin-force 0 '^pinned pinned-db at 2100000000 Hz' '' -- pin pinned-db --connect "$NODE" --frequency 2100000000 --force
    expect pin-by-uuid 0 '^pinned hpc-app at 2100000000 Hz' '' -- pin 5e1f0c2a-7b3d-4c8e-9f10-0000000000a2 --connect "$NODE" --frequency 2100000000
    expect pin-for-hosts 0 '^rate 2100000000 Hz boots and runs hpc-app on 3 of the 4 hosts given:$' '' -- pin hpc-app --connect "$NODE" --for-hosts "$FH"
    expect pin-for-hosts-list 0 '^  no   rack2-d \(explicit-outside-tolerance\)$' '' -- pin hpc-app --connect "$NODE" --for-hosts "$FH"
    expect pin-fits-nowhere 1 '' '^tscgate pin: no TSC rate lets hpc-app boot on any of the 1 hosts given' -- pin hpc-app --connect "$NODE" --for-hosts "$nocnt"
    # Only the timer changes: the definition libvirt holds before and after.
    if command -v virsh >/dev/null 2>&1; then
        for case in "test test:///default" "hpc-app $NODE" "pinned-db $NODE"; do
            dom=${case%% *} uri=${case#* }
            virsh -q -c "$uri" dumpxml --inactive "$dom" | sed '/^$/d' > "$WORK/before.xml"
            rc=0; "$tg" pin "$dom" --connect "$uri" --frequency 2100000000 --force --print-xml >"$out" 2>"$err" </dev/null || rc=$?
            sed '/^$/d' "$out" > "$WORK/after.xml"
            diff "$WORK/before.xml" "$WORK/after.xml" > "$WORK/pin.diff" || true
            case $dom in
                test) printf '%s\n' "11c11,13" "<   <clock offset='utc'/>" "---" ">   <clock offset='utc'>" \
                          ">     <timer name='tsc' frequency='2100000000'/>" ">   </clock>" ;;
                hpc-app) printf '%s\n' "16a17" ">     <timer name='tsc' frequency='2100000000'/>" ;;
                pinned-db) printf '%s\n' "12c12" "<     <timer name='tsc' frequency='2400000000'/>" "---" \
                               ">     <timer name='tsc' frequency='2100000000'/>" ;;
            esac > "$WORK/pin.want"
            pin_only_timer() { [ "$rc" -eq 0 ] && cmp -s "$WORK/pin.want" "$WORK/pin.diff" && grep -q '^pinned ' "$err"; }
            if pin_only_timer; then tg_ok "pin-only-the-timer-$dom"; else
                tg_not_ok "pin-only-the-timer-$dom"; tg_diag "$(cat "$WORK/pin.diff" "$err")"; fi
        done
    else
        tg_diag "no virsh: the before/after comparison of pin is not run"
    fi
fi

# --- plan --connect: running guests and host facts over libvirt ---
if "$tg" --help | grep -q '^  pin '; then
    # the test driver's guest 'test' runs on its own host (not decided)
    expect plan-connect 0 '^test +~~\+~\.  +4$' '' -- plan --connect test:///default --host "$FH"
    # both test drivers report this machine's host name: one host, and no
    # other host for any of its guests
    expect plan-connect-only 1 '^pinned-db +\.  +0  nowhere to go$' '' -- plan --connect test:///default --connect "$NODE"
    # one unreachable host is reported, not fatal
    expect plan-connect-unreachable 0 '^not in the plan: test:///nonexistent/node\.xml: cannot connect' \
        '^tscgate plan: left out of the plan: test:///nonexistent/node\.xml: cannot connect' -- \
        plan --connect test:///default --connect test:///nonexistent/node.xml --host "$FH"
    rc=0; "$tg" plan --connect test:///default --connect "$NODE" --host "$FH" --json >"$out" 2>"$err" </dev/null || rc=$?
    plan_connect_json() {
        [ "$rc" -eq 1 ] && python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
g={x["name"]:x for x in d["guests"]}
assert set(g)=={"test","pinned-db","hpc-app"}, g
assert g["hpc-app"]["from"].startswith("test://") and g["hpc-app"]["allowed_hosts"]==0
assert g["hpc-app"]["pin"]["frequency"]==2100000000
assert all(x["host"]!=g[x["guest"]]["host"] for x in d["decisions"])
' "$out"
    }
    ok_if plan-connect-json plan_connect_json
    # a daemon that never answers: left out after --timeout, the plan goes on
    python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").close()
held = []
while True:
    held.append(s.accept()[0])
' "$WORK/hang.sock" "$WORK/hang.ready" &
hang_pid=$!
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$WORK/hang.ready" ] && break; sleep 0.2; done
    start=$(date +%s)
    expect plan-connect-timeout 0 '^test ' "left out of the plan: qemu\+unix:///system\?socket=.*hang\.sock: no answer within 1 s" -- \
        plan --connect "qemu+unix:///system?socket=$WORK/hang.sock" --connect test:///default --host "$FH" --timeout 1
    took=$(( $(date +%s) - start ))
    plan_timeout_fast() { [ "$took" -le 10 ]; }
    rc=0; ok_if plan-connect-timeout-bounded plan_timeout_fast
    kill "$hang_pid" 2>/dev/null || true
    wait "$hang_pid" 2>/dev/null || true
fi

# --- inventory collect: facts files from libvirt capabilities ---
if "$tg" --help | grep -q '^  inventory '; then
    INV=$WORK/inv
    mkdir "$INV"
    expect inventory-help 0 '^  collect  write' '' -- inventory --help
    expect inventory-collect-help 0 '--output' '' -- inventory collect --help
    expect inventory-no-action 2 '' '^tscgate inventory: an action is required: collect$' -- inventory
    expect inventory-bad-action 2 '' "^tscgate inventory: unknown action 'gather' \(try collect\)$" -- inventory gather
    expect inventory-no-connect 2 '' '^tscgate inventory collect: --connect URI is required$' -- inventory collect -o "$INV"
    expect inventory-no-output 2 '' '^tscgate inventory collect: --output DIR is required$' -- inventory collect --connect test:///default
    expect inventory-output-missing 2 '' '^tscgate inventory collect: --output /nonexistent/dir: No such file' -- inventory collect --connect test:///default -o /nonexistent/dir
    expect inventory-output-file 2 '' 'not a directory' -- inventory collect --connect test:///default -o "$FH/rack1-a.xml"
    expect inventory-extra-arg 2 '' "unexpected argument 'x'" -- inventory collect --connect test:///default -o "$INV" x
    expect inventory-timeout-range 2 '' '--timeout 0 is out of range' -- inventory collect --connect test:///default -o "$INV" --timeout 0
    # one host written, the unreachable one named: exit 1
    expect inventory-collect 1 "^[^:]+: wrote $INV/[^ ]+\.xml from test:///default; unknown there: cpu-vendor, tsc-frequency, tsc-scaling, kvm-tsc-tolerance-ppm, constant-tsc" \
        '^tscgate inventory collect: test:///nonexistent/node\.xml: cannot connect: .*: nothing written$' -- \
        inventory collect --connect test:///default --connect test:///nonexistent/node.xml -o "$INV"
    vmhost=$(sed -n 's/^\([^:]*\): wrote .*/\1/p' "$out")
    inv_file_ok() {
        [ -n "$vmhost" ] && [ -f "$INV/$vmhost.xml" ] &&
            grep -q "<tscgate:hostname known='yes' source='tscgate inventory collect from test:///default'>$vmhost<" "$INV/$vmhost.xml" &&
            grep -q "<tscgate:constant-tsc known='no' reason='not in the libvirt capabilities of test:///default" "$INV/$vmhost.xml" &&
            grep -q "<tscgate:policy-digest known='no' " "$INV/$vmhost.xml" &&
            grep -q "<tscgate:published-at known='yes' " "$INV/$vmhost.xml"
    }
    rc=0; ok_if inventory-file inv_file_ok
    # plan and check read what it wrote
    expect inventory-plan-reads 0 "^    [0-9]+  $vmhost: unknown, scaling unknown \($INV/$vmhost\.xml\)$" '' -- plan --domain "$FD/web.xml" --host "$INV" --host "$FH"
    expect inventory-check-reads 1 '^deny: .*TSC frequency is unknown' '' -- check --domain "$FD/db.xml" --dest-dir "$INV" --dest-host "$vmhost"
    # a host's own publication is kept unless --force
    sed "s|<tscgate:hostname known='yes' source='uname(2)'>rack1-a<|<tscgate:hostname known='yes' source='uname(2)'>$vmhost<|; s|</tscgate:facts>|<tscgate:tscgate-version known='yes' source='tscgate probe --publish'>0.1.0</tscgate:tscgate-version></tscgate:facts>|" \
        "$FH/rack1-a.xml" > "$INV/$vmhost.xml"
    expect inventory-keeps-published 1 '' "^tscgate inventory collect: $INV/$vmhost\.xml: $vmhost published its own facts there \(tscgate 0\.1\.0\): kept; --force replaces them$" -- \
        inventory collect --connect test:///default -o "$INV"
    kept_ok() { grep -q "tscgate probe --publish" "$INV/$vmhost.xml"; }
    rc=0; ok_if inventory-published-unchanged kept_ok
    expect inventory-force 0 "^$vmhost: wrote " '' -- inventory collect --connect test:///default -o "$INV" --force
    forced_ok() { ! grep -q "tscgate probe --publish" "$INV/$vmhost.xml"; }
    rc=0; ok_if inventory-force-replaced forced_ok
fi
# --- one field list; null for unknown; errors and policy commands in JSON ---
A=$TG_FIXTURES/audit
# unknown values are null, not 0 (before: "guest_hz":0, "effective_hz":0)
rc=0; "$tg" check --json --domain "$G/fedora-kvmclock.xml" --dest "$i2100" >"$out" 2>"$err" </dev/null || rc=$?
null_ok() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["guest_hz"] is None and d["guest_hz_origin"] is None and d["dest_hz"]==2100000000 and d["op"]=="migrate" and d["policy_digest"]=="none" and d["source"] is None and d["tscgate_version"], d' "$out"
}
ok_if json-unknown-is-null null_ok
# whether the rate changes is not known where the rate is not: null, and
# "unknown" in the text; unknown scaling is null too, not "unknown"
rc=0; "$tg" check --json --domain "$G/fedora-kvmclock.xml" --dest "$H/hostf-no-counter.xml" >"$out" 2>"$err" </dev/null || rc=$?
null_changed_ok() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["effective_hz"] is None and d["effective_changed"] is None, d' "$out"; }
ok_if json-effective-changed-unknown null_changed_ok
expect text-effective-changed-unknown 0 '^  rate changes +unknown$' '' -- check --domain "$G/fedora-kvmclock.xml" --dest "$H/hostf-no-counter.xml"
rc=0; "$tg" check --json --domain "$G/rhel-explicit-tsc.xml" --dest "$H/hoste-scaling-unknown.xml" >"$out" 2>"$err" </dev/null || rc=$?
null_scaling_ok() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dest_scaling"] is None and d["effective_changed"] is False, d' "$out"; }
ok_if json-dest-scaling-unknown null_scaling_ok
rc=0; "$tg" check --json --domain "$G/explicit-2100.xml" --dest "$nocnt" >"$out" 2>"$err" </dev/null || rc=$?
null_dest_ok() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dest_hz"] is None and d["window_lo"] is None and d["window_hi"] is None and d["effective_hz"] is None, d' "$out"; }
ok_if json-unknown-dest-is-null null_dest_ok
# the source host's name when --source names one; the policy's digest
rc=0; "$tg" check --json --domain "$G/explicit-2100.xml" --dest "$TG_FIXTURES/hosts/hostc-2596.xml" --source "$TG_FIXTURES/hosts/hostb-2100.xml" --policy "$P/policy-rules.xml" >"$out" 2>"$err" </dev/null || rc=$?
want_digest="sha256:$(sha256sum < "$P/policy-rules.xml" | cut -d' ' -f1)"
src_ok() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["source"]=="hostb" and d["destination"]=="hostc" and d["policy_digest"]==sys.argv[2], d' "$out" "$want_digest"; }
ok_if json-source-and-digest src_ok
# the same names as the hook's record: every field of check --json but the
# sentence is a key of the audit line (tests/fixtures/audit/audit.logfmt was
# recorded from the built gate)
rc=0; "$tg" check --json --domain "$G/explicit-2100.xml" --dest "$i2100" >"$out" 2>"$err" </dev/null || rc=$?
same_names_ok() {
    python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
line = open(sys.argv[2]).readline()
keys = set(re.findall(r"(?:^| )([a-z_]+)=", line))
extra = {"reason", "dest_facts_from", "dest_policy_known", "dest_policy"}
missing = [k for k in d if k not in keys and k not in extra]
assert not missing, missing
' "$out" "$A/audit.logfmt"
}
ok_if json-same-names-as-record same_names_ok
# errors under --json: {"error":...} on stdout, exit 2, and the line on stderr
rc=0; "$tg" check --json --domain /nonexistent/dom.xml --dest "$amd" >"$out" 2>"$err" </dev/null || rc=$?
json_error_ok() {
    [ "$rc" -eq 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"].startswith("tscgate check: /nonexistent/dom.xml: ") and d["status"]==2 and d["command"]=="check", d' "$out" &&
        grep -q '^tscgate check: /nonexistent/dom.xml: ' "$err"
}
ok_if json-error-on-stdout json_error_ok
rc=0; "$tg" check --json --bogus >"$out" 2>"$err" </dev/null || rc=$?
json_opt_error_ok() { [ "$rc" -eq 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "Unknown option --bogus" in d["error"], d' "$out"; }
ok_if json-error-bad-option json_opt_error_ok
rc=0; "$tg" check --domain /nonexistent/dom.xml --dest "$amd" >"$out" 2>"$err" </dev/null || rc=$?
no_json_error_ok() { [ "$rc" -eq 2 ] && [ ! -s "$out" ] && grep -q '^tscgate check: /nonexistent' "$err"; }
ok_if json-error-only-under-json no_json_error_ok
# policy validate|explain --json
rc=0; "$tg" policy validate --json "$P/policy-rules.xml" >"$out" 2>"$err" </dev/null || rc=$?
pv_json_ok() { [ "$rc" -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] is True and d["problems"]==[] and d["policy_digest"].startswith("sha256:") and "config test" in d["checks"], d' "$out"; }
ok_if policy-validate-json pv_json_ok
rc=0; "$tg" policy validate --json "$P/policy-bad.xml" >"$out" 2>"$err" </dev/null || rc=$?
pv_json_bad_ok() { [ "$rc" -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] is False and any(":4: " in p for p in d["problems"]), d' "$out"; }
ok_if policy-validate-json-invalid pv_json_bad_ok
rc=0; "$tg" policy validate --json /nonexistent/p.xml >"$out" 2>"$err" </dev/null || rc=$?
pv_json_err_ok() { [ "$rc" -eq 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "/nonexistent/p.xml" in d["error"], d' "$out"; }
ok_if policy-validate-json-error pv_json_err_ok
expect policy-validate-says-content-only 0 "content only.*tscgate config test" '' -- policy validate "$P/policy-rules.xml"
rc=0; "$tg" policy explain --json "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" --dest "$amd" >"$out" 2>"$err" </dev/null || rc=$?
pe_json_ok() {
    [ "$rc" -eq 1 ] && python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert e["policy_rule"] == "pinned-db" and e["verdict"] == "deny" and e["guest"] == "rhel-db1", e
' "$out" &&
    "$tg" check --json --domain "$G/rhel-explicit-tsc.xml" --dest "$amd" --policy "$P/policy-rules.xml" > "$WORK/pe-check.json" 2>/dev/null </dev/null
    python3 -c '
import json, sys
e = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
for k in ("verdict", "code", "rule", "guest_hz", "dest_hz", "policy_rule", "clock_class", "policy_digest"):
    assert e[k] == c[k], (k, e[k], c[k])
' "$out" "$WORK/pe-check.json"
}
ok_if policy-explain-json-as-check pe_json_ok
# policy explain reports the decision as check does, line for line, after
# its policy, settings and tags lines
explain_as_check_ok() {
    for g in rhel-explicit-tsc fedora-kvmclock tsc-clocksource; do
        rc=0; "$tg" policy explain "$P/policy-rules.xml" --domain "$G/$g.xml" --dest "$H/hostb-2100.xml" --source "$H/probe-hosta.xml" >"$out" 2>"$err" </dev/null || rc=$?
        rc2=0; "$tg" check --policy "$P/policy-rules.xml" --domain "$G/$g.xml" --dest "$H/hostb-2100.xml" --source "$H/probe-hosta.xml" >"$WORK/ec.txt" 2>/dev/null </dev/null || rc2=$?
        [ "$rc" -eq "$rc2" ] && head -n 3 "$out" | grep -q '^tags: ' &&
            tail -n +4 "$out" | cmp -s - "$WORK/ec.txt" || return 1
    done
}
ok_if policy-explain-text-as-check explain_as_check_ok
expect policy-explain-text-no-dest 0 '^  policy rule +pinned-db$' '' -- policy explain "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml"
rc=0; "$tg" policy explain --json "$P/policy-rules.xml" --domain "$G/rhel-explicit-tsc.xml" >"$out" 2>"$err" </dev/null || rc=$?
pe_json_nodest_ok() { [ "$rc" -eq 0 ] && python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["verdict"] is None and e["policy_rule"]=="pinned-db" and e["dest_hz"] is None, e' "$out"; }
ok_if policy-explain-json-no-dest pe_json_nodest_ok

# --- audit report: recorded audit file and journalctl -o json output ---
expect audit-help 0 'report' '' -- audit --help
expect audit-report-help 0 '--json' '' -- audit report --help
expect audit-unknown 2 '' "^tscgate audit: unknown subcommand 'frob'" -- audit frob
expect audit-missing 2 '' '^tscgate audit report: /nonexistent/audit.log: ' -- audit report /nonexistent/audit.log
expect audit-two-files 2 '' "unexpected argument 'b'" -- audit report a b
expect audit-binary 2 '' 'not an audit file or journalctl -o json output' -- audit report "$TG_BUILDDIR/src/cli/tscgate"
expect audit-text 0 '^  explicit-outside-tolerance +3$' '' -- audit report "$A/audit.logfmt"
expect audit-text-denials 0 'would-be denials of audit mode \(enforce mode would refuse\): 3' '' -- audit report "$A/audit.logfmt"
expect audit-text-denial-line 0 '^  2026-11-25T08:08:00Z migrate of guest ubuntu-tsc-app to hostc, from core-s3: guest-frequency-unknown: guest TSC frequency unknown' '' -- audit report "$A/audit.logfmt"
expect audit-journal-other-programs 0 '1 journal entries of other programs ignored' '' -- audit report "$A/journal.json"
audit_same() {
    "$tg" audit report --json "$A/audit.logfmt" > "$WORK/ar1.json" &&
        "$tg" audit report --json - < "$A/journal.json" > "$WORK/ar2.json" &&
        python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); j = json.load(open(sys.argv[2]))
assert a["format"] == "audit-file" and j["format"] == "journal-json", (a["format"], j["format"])
for k in ("records", "verdicts", "reasons", "guests", "hosts", "audit_denials"):
    assert a[k] == j[k], (k, a[k], j[k])
assert a["records"] == 9 and a["verdicts"] == {"allow": 2, "deny": 4, "error": 2, "allow-with-warning": 1}, a
assert [d["op"] for d in a["audit_denials"]] == ["migrate", "restore", "migrate"], a
assert a["audit_denials"][2]["source"] == "core-s3" and a["audit_denials"][0]["source"] is None, a
assert a["audit_denials"][0]["policy_digest"].startswith("sha256:"), a
' "$WORK/ar1.json" "$WORK/ar2.json"
}
rc=0
ok_if audit-report-file-and-journal-agree audit_same
printf 'time=2026-11-25T08:00:00Z verdict=deny mode=audit reason=x message="unterminated\nnot a record at all\n' > "$WORK/broken.audit"
expect audit-skips-broken-lines 0 '2 lines not records skipped \(first: line 1\)' '' -- audit report "$WORK/broken.audit"
# journal JSON decodes \u escapes: a control character that reaches the
# text report is escaped again; surrogate pairs, arrays and nulls are read
printf '{"TSCGATE_VERDICT":"deny","TSCGATE_MODE":"audit","MESSAGE":"x \\ud83d\\ude00 \\u001b[31m","TSCGATE_GUEST":"a\\"b","X":[1,2,[3]],"Y":null}\n{"MESSAGE":"\\ud83d' > "$WORK/odd.json"
rc=0; "$tg" audit report "$WORK/odd.json" >"$out" 2>"$err" </dev/null || rc=$?
odd_ok() { [ "$rc" -eq 0 ] && ! grep -q "$(printf '\033')" "$out" && grep -q 'x 😀 \\x1b\[31m' "$out" && grep -q '1 lines not records skipped' "$out"; }
ok_if audit-journal-escapes odd_ok
rc=0; "$tg" audit report --json /nonexistent/audit.log >"$out" 2>"$err" </dev/null || rc=$?
audit_json_err() { [ "$rc" -eq 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["command"]=="audit report", d' "$out"; }
ok_if audit-json-error audit_json_err

# --- config test: usage (the broken-configuration table is in tests/hook) ---
expect config-help 0 'test' '' -- config --help
expect config-test-help 0 '--json' '' -- config test --help
expect config-test-missing 2 '' '^tscgate config test: /nonexistent/tscgate: No such file or directory$' -- config test /nonexistent/tscgate
expect config-test-not-dir 2 '' 'not a directory' -- config test "$A/audit.logfmt"
expect config-unknown 2 '' "^tscgate config: unknown subcommand 'frob'" -- config frob

tg_done
