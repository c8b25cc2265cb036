# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/e2e/agent.sh: running `tscgate agent` inside a host, for the agent
# scenarios (14-*.sh ... 17-*.sh).  Sourced by those scenarios.

# E2E_AGENT_VALGRIND=1 runs every agent under valgrind memcheck: any error
# or definite leak makes it exit 99, which agent_stop and agent_once fail on.
agent_prefix() {
    [ -z "${E2E_AGENT_VALGRIND:-}" ] ||
        printf '%s\n' valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --log-file=/var/log/tscgate/agent-valgrind.%p.log
}

# agent_log_file HOST: where the agent's records go (its --audit-file).
agent_log_file() { printf '%s/var-log/tscgate/agent.log' "$(e2e_hostdir "$1")"; }
agent_log_lines() { local f; f=$(agent_log_file "$1"); [ -f "$f" ] && wc -l <"$f" || echo 0; }
# agent_new_log HOST BEFORE: the agent's records since BEFORE lines.
agent_new_log() { local f; f=$(agent_log_file "$1"); [ -f "$f" ] || return 0; tail -n "+$(($2 + 1))" "$f"; }

# agent_start HOST: `tscgate agent` as its unit runs it, inside HOST's
# namespaces, connected to HOST's daemon; sets AGENT_PID.  The scenario's
# EXIT trap stops it (agent_stop).
agent_start() {
    local h=$1 n0 i
    [ -n "$E2E_CLI" ] || fail "make install did not install the tscgate CLI"
    n0=$(agent_log_lines "$h")
    # exec all the way down (nsenter without --fork, env): $! is the agent.
    (
        exec nsenter --net="$E2E_NS/$h.net" --mount="$E2E_NS/$h.mnt" --uts="$E2E_NS/$h.uts" \
            -- env -i PATH="$E2E_PATH" LC_ALL=C $(agent_prefix) "$E2E_CLI" agent \
            --connect qemu:///system --audit-file /var/log/tscgate/agent.log
    ) </dev/null >>"$E2E_TMP/agent-$h.out" 2>&1 &
    AGENT_PID=$!
    AGENT_HOST=$h
    trap agent_stop EXIT
    for i in $(seq 1 100); do
        agent_new_log "$h" "$n0" | grep -q 'outcome=connected' && return 0
        kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent exited at start: $(tail -n 5 "$E2E_TMP/agent-$h.out")"
        sleep 0.1
    done
    fail "the agent on $h did not connect within 10 s: $(agent_new_log "$h" "$n0")"
}

# agent_once HOST: `tscgate agent --once` inside HOST; sets ONCE_RC.
agent_once() {
    ONCE_RC=0
    # shellcheck disable=SC2046
    e2e_in "$1" $(agent_prefix) "$E2E_CLI" agent --once --connect qemu:///system \
        --audit-file /var/log/tscgate/agent.log || ONCE_RC=$?
}

# agent_stop: SIGTERM, and the agent must exit 0 within 5 s.
agent_stop() {
    local rc=0 i
    [ -n "${AGENT_PID:-}" ] || return 0
    kill -TERM "$AGENT_PID" 2>/dev/null || { AGENT_PID=; return 0; }
    for i in $(seq 1 50); do
        kill -0 "$AGENT_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$AGENT_PID" 2>/dev/null; then
        kill -KILL "$AGENT_PID" 2>/dev/null || :
        AGENT_PID=
        fail "the agent did not exit within 5 s of SIGTERM"
    fi
    wait "$AGENT_PID" || rc=$?
    AGENT_PID=
    [ "$rc" = 0 ] || fail "the agent exited $rc on SIGTERM"
}

# now_ms: wall clock in milliseconds.
now_ms() { date +%s%3N; }

# wait_record HOST NAME T0_MS [NOT_BEFORE]: wait (10 s at most) until
# NAME's live definition on HOST shows a boot record whose hop time is at
# least NOT_BEFORE (UTC seconds, default 0), through `virsh metadata` as an
# admin would check it; sets RECORD_XML (the live XML then) and WAIT_MS
# (milliseconds since T0_MS).
wait_record() {
    local h=$1 n=$2 t0=$3 nb=${4:-0} i out f t
    for i in $(seq 1 200); do
        if out=$(vsh "$h" metadata "$n" "$LINEAGE_NS" 2>/dev/null) && [ -n "$out" ]; then
            f=$(dumpxml "$h" "$n")
            if [ "$(hop_attr "$f" 'last()' op)" = boot ]; then
                t=$(iso_to_epoch "$(hop_attr "$f" 'last()' time)")
                if [ "$t" -ge "$nb" ]; then
                    RECORD_XML=$f
                    WAIT_MS=$(($(now_ms) - t0))
                    return 0
                fi
            fi
        fi
        sleep 0.05
    done
    fail "no boot record on $n ($h) within 10 s; agent said: $(tail -n 3 "$(agent_log_file "$h")" 2>/dev/null)"
}

# assert_boot_record FILE HOST HZ T0 T1: the live XML FILE holds a boot
# record of HOST at HZ (origin boot), one hop, written within [T0, T1].
assert_boot_record() {
    local f=$1 t
    assert_eq "record version" "$(xp "$f" "string($(lin)/@version)")" 1.1
    assert_eq "nominal hz" "$(nominal_attr "$f" hz)" "$3"
    assert_eq "nominal origin" "$(nominal_attr "$f" origin)" boot
    assert_eq "effective hz" "$(effective_attr "$f" hz)" "$3"
    assert_eq "effective changed" "$(effective_attr "$f" changed)" no
    assert_eq "hops" "$(hop_count "$f")" 1
    assert_eq "hop op" "$(hop_attr "$f" 1 op)" boot
    assert_eq "hop host" "$(hop_attr "$f" 1 host)" "$2"
    assert_eq "hop hz" "$(hop_attr "$f" 1 hz)" "$HOST_HZ"
    t=$(iso_to_epoch "$(hop_attr "$f" 1 time)")
    [ "$t" -ge "$4" ] && [ "$t" -le "$5" ] ||
        fail "boot hop time '$(hop_attr "$f" 1 time)' not within $4..$5"
    assert_valid_domain "$f"
}
