/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the agent's decisions (see tg-agent-action.h). */
#include <config.h>

#include "tg-agent-action.h"

#include <string.h>

#include <libvirt/libvirt.h>

static const char *const tg_agent_action_names[] = {
    [TG_AGENT_IGNORE] = "ignore",
    [TG_AGENT_STAMP] = "stamp",
    [TG_AGENT_KEEP] = "keep",
    [TG_AGENT_UNKNOWN] = "unknown",
};

const char *
tg_agent_action_to_string(TgAgentAction a)
{
    if ((size_t)a >= G_N_ELEMENTS(tg_agent_action_names))
        return "ignore";
    return tg_agent_action_names[a];
}

/* doc/tsc-model.md, "What each operation does". */
static const struct {
    int detail;
    TgAgentAction action;
    const char *why;
} tg_started_rows[] = {
    { VIR_DOMAIN_EVENT_STARTED_BOOTED, TG_AGENT_STAMP,
      "a fresh boot: QEMU gave the guest its rate on this host" },
    { VIR_DOMAIN_EVENT_STARTED_MIGRATED, TG_AGENT_KEEP,
      "an incoming migration: the rate came in the migration stream, the hook recorded the hop" },
    { VIR_DOMAIN_EVENT_STARTED_RESTORED, TG_AGENT_KEEP,
      "a restore: the rate came in the save image, the hook recorded the hop" },
    { VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT, TG_AGENT_KEEP,
      "a snapshot revert: the record that came back with the snapshot is its run's" },
    { VIR_DOMAIN_EVENT_STARTED_WAKEUP, TG_AGENT_IGNORE,
      "a wake-up from guest suspend: the same QEMU process resumes" },
};

TgAgentAction
tg_agent_event_action(int event, int detail, const char **why)
{
    const char *w = "not a start";
    TgAgentAction a = TG_AGENT_IGNORE;

    if (event == VIR_DOMAIN_EVENT_STARTED) {
        w = "a start of a kind this tscgate does not know";
        for (size_t i = 0; i < G_N_ELEMENTS(tg_started_rows); i++) {
            if (tg_started_rows[i].detail == detail) {
                a = tg_started_rows[i].action;
                w = tg_started_rows[i].why;
                break;
            }
        }
    }
    if (why)
        *why = w;
    return a;
}

TgAgentCmdline
tg_agent_classify_cmdline(const char *buf, size_t len, const char *uuid)
{
    bool ours = false, incoming = false, loadvm = false;
    const char *prev = NULL;
    size_t i = 0;

    if (!buf || !uuid || !*uuid)
        return TG_AGENT_CMDLINE_UNREAD;
    while (i < len) {
        const char *arg = buf + i;
        size_t n = strnlen(arg, len - i);

        if (n == len - i)
            break;  /* an unterminated last argument: the buffer was cut */
        if (strcmp(arg, "-incoming") == 0)
            incoming = true;
        else if (strcmp(arg, "-loadvm") == 0)
            loadvm = true;
        else if (prev && strcmp(prev, "-uuid") == 0 && g_ascii_strcasecmp(arg, uuid) == 0)
            ours = true;
        prev = arg;
        i += n + 1;
    }
    if (!ours)
        return TG_AGENT_CMDLINE_UNREAD;
    if (incoming)
        return TG_AGENT_CMDLINE_INCOMING;
    if (loadvm)
        return TG_AGENT_CMDLINE_LOADVM;
    return TG_AGENT_CMDLINE_BOOT;
}

/* How a guest came to run on this host. */
typedef enum {
    TG_PLACE_UNKNOWN = 0,
    TG_PLACE_BOOTED,
    TG_PLACE_CAME_IN,
} TgPlace;

/* What libvirt's state reason says: BOOTED for RUNNING_BOOTED, CAME_IN for
 * a run that began with a stream or a snapshot, UNKNOWN for reasons a
 * later event overwrote (unpaused, wake-up, crashed, a cancelled outgoing
 * migration or save, ...). */
static TgPlace
place_from_reason(int state, int reason)
{
    if (state != VIR_DOMAIN_RUNNING)
        return TG_PLACE_UNKNOWN;
    switch (reason) {
    case VIR_DOMAIN_RUNNING_BOOTED:
        return TG_PLACE_BOOTED;
    case VIR_DOMAIN_RUNNING_MIGRATED:
    case VIR_DOMAIN_RUNNING_RESTORED:
    case VIR_DOMAIN_RUNNING_FROM_SNAPSHOT:
    case VIR_DOMAIN_RUNNING_POSTCOPY:
#ifdef VIR_DOMAIN_RUNNING_POSTCOPY_FAILED
    case VIR_DOMAIN_RUNNING_POSTCOPY_FAILED:
#endif
        return TG_PLACE_CAME_IN;
    default:
        return TG_PLACE_UNKNOWN;
    }
}

TgAgentAction
tg_agent_adopt_action(int state, int reason, TgAgentCmdline cmdline,
                      TgAgentRecord record, const char **why)
{
    TgPlace by_reason, by_cmdline, place;
    const char *w;
    TgAgentAction a;

    if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_BLOCKED &&
        state != VIR_DOMAIN_PAUSED) {
        w = "not running";
        a = TG_AGENT_IGNORE;
        goto out;
    }
    if (state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_STARTING_UP) {
        w = "still starting: its start event follows";
        a = TG_AGENT_IGNORE;
        goto out;
    }

    by_reason = place_from_reason(state, reason);
    by_cmdline = cmdline == TG_AGENT_CMDLINE_BOOT ? TG_PLACE_BOOTED
                 : cmdline == TG_AGENT_CMDLINE_UNREAD ? TG_PLACE_UNKNOWN
                 : TG_PLACE_CAME_IN;
    /* Either one saying it came in wins; a boot needs one witness and no
     * contradiction. */
    if (by_reason == TG_PLACE_CAME_IN || by_cmdline == TG_PLACE_CAME_IN)
        place = TG_PLACE_CAME_IN;
    else if (by_reason == TG_PLACE_BOOTED || by_cmdline == TG_PLACE_BOOTED)
        place = TG_PLACE_BOOTED;
    else
        place = TG_PLACE_UNKNOWN;

    switch (place) {
    case TG_PLACE_BOOTED:
        if (record == TG_AGENT_RECORD_CURRENT) {
            w = "booted here and has its boot record";
            a = TG_AGENT_IGNORE;
        } else if (record == TG_AGENT_RECORD_OTHER) {
            w = "booted here: its record belongs to another run (stale)";
            a = TG_AGENT_STAMP;
        } else {
            w = "booted here without a record";
            a = TG_AGENT_STAMP;
        }
        break;
    case TG_PLACE_CAME_IN:
        if (record == TG_AGENT_RECORD_NONE) {
            w = "did not boot here (migrated, restored or from a snapshot) and has no record";
            a = TG_AGENT_UNKNOWN;
        } else {
            w = "did not boot here: its record is kept";
            a = TG_AGENT_KEEP;
        }
        break;
    case TG_PLACE_UNKNOWN:
    default:
        if (record == TG_AGENT_RECORD_NONE) {
            w = "cannot prove it booted here (libvirt's state reason was overwritten and "
                "its QEMU command line is unreadable) and has no record";
            a = TG_AGENT_UNKNOWN;
        } else {
            w = "cannot prove it booted here: its record is kept";
            a = TG_AGENT_KEEP;
        }
        break;
    }

out:
    if (why)
        *why = w;
    return a;
}
