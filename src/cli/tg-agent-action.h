/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: what `tscgate agent` does, as pure functions of what libvirt
 * and /proc say: for a lifecycle event, and for a running guest it finds
 * at its start or after reconnecting (doc/tsc-model.md, "What each
 * operation does"). Uses libvirt's constants only; calls nothing.
 */
#ifndef TG_AGENT_ACTION_H
#define TG_AGENT_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    TG_AGENT_IGNORE = 0,  /* nothing to do, nothing to say */
    TG_AGENT_STAMP,       /* write a boot record into the live definition */
    TG_AGENT_KEEP,        /* a start whose record (or its absence) is not the agent's to change:
                             the hook records migrations and restores, a snapshot brings its own */
    TG_AGENT_UNKNOWN,     /* a running guest without a record that cannot be proven to have
                             booted here: its nominal rate stays unknown (logged) */
} TgAgentAction;

/* Returns the spelling of `a`: "ignore", "stamp", "keep", "unknown" (static). */
const char *tg_agent_action_to_string(TgAgentAction a);

/* The action for a VIR_DOMAIN_EVENT_ID_LIFECYCLE event `event`
 * (virDomainEventType) with `detail`: STAMP for STARTED_BOOTED; KEEP for
 * STARTED_MIGRATED, _RESTORED and _FROM_SNAPSHOT; IGNORE for
 * STARTED_WAKEUP (the same QEMU process resumes) and every other event.
 * `why` (nullable) receives a short static explanation. */
TgAgentAction tg_agent_event_action(int event, int detail, const char **why);

/* How the guest's QEMU process was started, from its command line. */
typedef enum {
    TG_AGENT_CMDLINE_UNREAD = 0, /* no pid file, no such process, or not this guest's QEMU */
    TG_AGENT_CMDLINE_BOOT,       /* neither -incoming nor -loadvm: a fresh boot */
    TG_AGENT_CMDLINE_INCOMING,   /* -incoming: the process loads a migration stream (an
                                    incoming migration or a save image being restored,
                                    libvirt qemuBuildCommandLine from qemuProcessLaunch) */
    TG_AGENT_CMDLINE_LOADVM,     /* -loadvm: started from an internal snapshot */
} TgAgentCmdline;

/* Classify the contents of /proc/PID/cmdline (`len` bytes of NUL-separated
 * arguments) of the process libvirt's pid file names for the guest with
 * UUID `uuid`: UNREAD unless the arguments hold "-uuid" followed by `uuid`
 * (case-insensitive; a pid file outlives its process, and the pid may have
 * been reused), else INCOMING, LOADVM or BOOT. */
TgAgentCmdline tg_agent_classify_cmdline(const char *buf, size_t len, const char *uuid);

/* What the guest's live definition already carries. */
typedef enum {
    TG_AGENT_RECORD_NONE = 0, /* no tscgate record (or one this tscgate cannot read) */
    TG_AGENT_RECORD_CURRENT,  /* a boot record of this run (tg_bootrecord_is_current) */
    TG_AGENT_RECORD_OTHER,    /* any other record: the hook's, a snapshot's, or a stale one */
} TgAgentRecord;

/* The action for a guest found running: `state` and `reason` as
 * virDomainGetState returns them, `cmdline` from its QEMU process,
 * `record` what its live definition carries. A guest booted here (libvirt
 * says VIR_DOMAIN_RUNNING_BOOTED, or the command line shows a boot, and
 * neither contradicts it) is stamped unless it has its boot record of this
 * run: any other record on it is stale. A guest that came in (libvirt says
 * migrated, restored or from a snapshot, or the command line has
 * -incoming/-loadvm) or cannot be placed keeps its record; without one its
 * rate is UNKNOWN. A guest not running, or still starting (its start event
 * follows), is ignored. `why` (nullable) receives a short static
 * explanation. */
TgAgentAction tg_agent_adopt_action(int state, int reason, TgAgentCmdline cmdline,
                                    TgAgentRecord record, const char **why);

G_END_DECLS

#endif /* TG_AGENT_ACTION_H */
