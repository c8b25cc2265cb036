#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The decision record names what an audit trail needs to answer "what
# would enforce mode break, where, under which policy": the destination
# host, the source host where the guest's lineage record names it, the
# operation, the policy's digest (the one `tscgate probe --publish`
# writes), the tscgate version and a MESSAGE_ID per kind of record.
. "${top_srcdir:-.}/tests/hook/lib.sh"

ID_DECISION=6e28bdb45fa24aa599616a3bddce218c
ID_AUDIT=68d55fc021f9494a9be5418d89fea2c4
ID_ERROR=1babdfb9b9f14697b8c047a733f5d064
ID_FAIL_OPEN=f246ada5e13a4aa5a516f5685f136b24
ID_DEADLINE=dbaf5ff51028413fa0b0a6702ce2649f
VERSION=$("$TG_BUILDDIR/src/cli/tscgate" --version | sed 's/^tscgate //')
LINEAGE=$FIX/lineage/domain-rate-changed.xml

# --- a decision without a policy: digest "none", as probe --publish says ---
conf=$(new_config plain hostc-2596.xml)
run_hook "$conf" "$WORK/plain.run" "$WORK/plain" "$LINEAGE" rc-guest migrate begin -
tg_check "decision: fields" fields_are "$WORK/plain.audit" \
    message_id=$ID_DECISION destination=hostc source=hostb op=migrate \
    policy_digest=none tscgate_version="$VERSION"

# --- with a policy: its sha256, the digest probe --publish writes ---
conf=$(new_config pol hostc-2596.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1"><mode>audit</mode></policy>\n' > "$conf/policy.xml"
chmod 644 "$conf/policy.xml"
want="sha256:$(sha256sum < "$conf/policy.xml" | cut -d' ' -f1)"
run_hook "$conf" "$WORK/pol.run" "$WORK/pol" "$FIX/domains/explicit-2100.xml" web1 restore begin -
tg_check "audit-mode denial: exit 0" [ "$rc" -eq 0 ]
tg_check "audit-mode denial: fields" fields_are "$WORK/pol.audit" \
    message_id=$ID_AUDIT destination=hostc op=restore policy_digest="$want" \
    tscgate_version="$VERSION" verdict=deny mode=audit
# no lineage record: the source host is not known, and says so
tg_check "no lineage: source unknown" [ "$(audit_field "$WORK/pol.audit" 1 source)" = unknown ]
# probe --publish, given the same policy, publishes the same digest
mkdir -p "$WORK/pubconf" "$WORK/pub"
cp "$conf/policy.xml" "$WORK/pubconf/policy.xml"
"$TG_BUILDDIR/src/cli/tscgate" probe --config-dir "$WORK/pubconf" --publish "$WORK/pub" >/dev/null
tg_check "same digest as probe --publish" grep -q "policy-digest[^>]*>$want<" "$WORK/pub"/*.xml

# --- errors: fail-closed and fail-open have ids of their own ---
conf=$(new_config err hostc-2596.xml)
run_hook "$conf" "$WORK/err.run" "$WORK/err" "$FIX/domains/garbage.txt" web1 migrate begin -
tg_check "fail-closed error: fields" fields_are "$WORK/err.audit" \
    message_id=$ID_ERROR destination="$(hostname)" op=migrate policy_digest=none \
    tscgate_version="$VERSION" verdict=error
# Fail-open covers this host's problems only (here a host.xml that cannot
# be read), never the guest's input.
conf=$(new_config open caps-bad-counter.xml)
printf '<policy xmlns="urn:tscgate:policy:1" version="1"><failure>fail-open</failure></policy>\n' > "$conf/policy.xml"
chmod 644 "$conf/policy.xml"
run_hook "$conf" "$WORK/open.run" "$WORK/open" "$FIX/domains/explicit-2100.xml" web1 migrate begin -
tg_check "fail-open error: fields" fields_are "$WORK/open.audit" \
    message_id=$ID_FAIL_OPEN fail_open=yes verdict=error

# --- the deadline: the watchdog reads no file (it may have expired on
# one), so the digest is unknown ---
conf=$(new_config slow hostc-2596.xml)
# (one deadline= line: new_config adds one under memcheck, and a key given
# twice is an error)
sed -i '/^deadline=/d' "$conf/hook.conf"
echo "deadline=1" >> "$conf/hook.conf"
mkfifo "$WORK/slow.in"
exec 3<> "$WORK/slow.in"      # a writer that never writes nor closes
run_hook "$conf" "$WORK/slow.run" "$WORK/slow" "$WORK/slow.in" web1 migrate begin -
exec 3>&-
tg_check "deadline: fields" fields_are "$WORK/slow.audit" \
    message_id=$ID_DEADLINE reason=deadline destination="$(hostname)" policy_digest=unknown

# --- the catalog documents every id the gate uses, and nothing else ---
cat_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$TG_SRCDIR/data/tscgate.catalog" | sort)
want_ids=$(printf '%s\n' $ID_DECISION $ID_AUDIT $ID_ERROR $ID_FAIL_OPEN $ID_DEADLINE | sort)
tg_check "catalog has one entry per MESSAGE_ID" [ "$cat_ids" = "$want_ids" ]
for id in $ID_DECISION $ID_AUDIT $ID_ERROR $ID_FAIL_OPEN $ID_DEADLINE; do
    tg_check "logging.md documents $id" grep -q "$id" "$TG_SRCDIR/doc/logging.md"
done

tg_done
