/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-agent-action.c: what `tscgate agent` does for each libvirt
 * lifecycle event, for each running guest it finds, and how it reads a
 * QEMU command line. One named test per table row. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "test-table.h"
#include "tg-agent-action.h"

/* ---- lifecycle events ---- */

typedef struct {
    const char *name;
    int event, detail;
    TgAgentAction want;
} EventRow;

static const EventRow event_rows[] = {
    { "started booted: stamp", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
      TG_AGENT_STAMP },
    { "started migrated: the hook's record stays", VIR_DOMAIN_EVENT_STARTED,
      VIR_DOMAIN_EVENT_STARTED_MIGRATED, TG_AGENT_KEEP },
    { "started restored: the hook's record stays", VIR_DOMAIN_EVENT_STARTED,
      VIR_DOMAIN_EVENT_STARTED_RESTORED, TG_AGENT_KEEP },
    { "started from snapshot: the snapshot's record stays", VIR_DOMAIN_EVENT_STARTED,
      VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT, TG_AGENT_KEEP },
    { "started wakeup: nothing", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_WAKEUP,
      TG_AGENT_IGNORE },
    { "started, a detail from a newer libvirt: nothing", VIR_DOMAIN_EVENT_STARTED, 99,
      TG_AGENT_IGNORE },
    { "defined: nothing", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED,
      TG_AGENT_IGNORE },
    { "resumed: nothing", VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
      TG_AGENT_IGNORE },
    { "resumed after an incoming migration: nothing", VIR_DOMAIN_EVENT_RESUMED,
      VIR_DOMAIN_EVENT_RESUMED_MIGRATED, TG_AGENT_IGNORE },
    { "stopped: nothing", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
      TG_AGENT_IGNORE },
    { "stopped migrated away: nothing", VIR_DOMAIN_EVENT_STOPPED,
      VIR_DOMAIN_EVENT_STOPPED_MIGRATED, TG_AGENT_IGNORE },
    { "suspended: nothing", VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
      TG_AGENT_IGNORE },
    { "pmsuspended: nothing", VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY,
      TG_AGENT_IGNORE },
};

static void
test_event_row(void **state)
{
    const EventRow *row = *state;
    const char *why = NULL;
    TgAgentAction a = tg_agent_event_action(row->event, row->detail, &why);

    if (a != row->want)
        fail_msg("action %s (%s), expected %s", tg_agent_action_to_string(a), why,
                 tg_agent_action_to_string(row->want));
    assert_non_null(why);
    assert_int_equal(tg_agent_event_action(row->event, row->detail, NULL), row->want);
}

/* ---- running guests found at start or after reconnecting ---- */

typedef struct {
    const char *name;
    int state, reason;
    TgAgentCmdline cmdline;
    TgAgentRecord record;
    TgAgentAction want;
} AdoptRow;

#define RUN VIR_DOMAIN_RUNNING
#define PAUSED VIR_DOMAIN_PAUSED
#define C_UNREAD TG_AGENT_CMDLINE_UNREAD
#define C_BOOT TG_AGENT_CMDLINE_BOOT
#define C_INCOMING TG_AGENT_CMDLINE_INCOMING
#define C_LOADVM TG_AGENT_CMDLINE_LOADVM
#define R_NONE TG_AGENT_RECORD_NONE
#define R_CURRENT TG_AGENT_RECORD_CURRENT
#define R_OTHER TG_AGENT_RECORD_OTHER

static const AdoptRow adopt_rows[] = {
    { "booted (libvirt and cmdline agree), no record: stamp",
      RUN, VIR_DOMAIN_RUNNING_BOOTED, C_BOOT, R_NONE, TG_AGENT_STAMP },
    { "booted (libvirt says so, cmdline unread), no record: stamp",
      RUN, VIR_DOMAIN_RUNNING_BOOTED, C_UNREAD, R_NONE, TG_AGENT_STAMP },
    { "booted, its boot record of this run: nothing",
      RUN, VIR_DOMAIN_RUNNING_BOOTED, C_BOOT, R_CURRENT, TG_AGENT_IGNORE },
    { "booted, another run's record: stale, stamp",
      RUN, VIR_DOMAIN_RUNNING_BOOTED, C_BOOT, R_OTHER, TG_AGENT_STAMP },
    { "libvirt says booted but -incoming: not proven, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_BOOTED, C_INCOMING, R_NONE, TG_AGENT_UNKNOWN },
    { "migrated in, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_MIGRATED, C_INCOMING, R_NONE, TG_AGENT_UNKNOWN },
    { "migrated in (cmdline unread), the hook's record: kept",
      RUN, VIR_DOMAIN_RUNNING_MIGRATED, C_UNREAD, R_OTHER, TG_AGENT_KEEP },
    { "migrated in, even a cmdline without -incoming: libvirt's word wins, unknown",
      RUN, VIR_DOMAIN_RUNNING_MIGRATED, C_BOOT, R_NONE, TG_AGENT_UNKNOWN },
    { "restored, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_RESTORED, C_INCOMING, R_NONE, TG_AGENT_UNKNOWN },
    { "restored, the hook's record: kept",
      RUN, VIR_DOMAIN_RUNNING_RESTORED, C_INCOMING, R_OTHER, TG_AGENT_KEEP },
    { "from snapshot, its record: kept",
      RUN, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT, C_LOADVM, R_OTHER, TG_AGENT_KEEP },
    { "post-copy migrated in, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_POSTCOPY, C_UNREAD, R_NONE, TG_AGENT_UNKNOWN },
    { "unpaused, cmdline shows a boot: stamp",
      RUN, VIR_DOMAIN_RUNNING_UNPAUSED, C_BOOT, R_NONE, TG_AGENT_STAMP },
    { "unpaused, cmdline shows -incoming, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_UNPAUSED, C_INCOMING, R_NONE, TG_AGENT_UNKNOWN },
    { "unpaused, cmdline shows -loadvm, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_UNPAUSED, C_LOADVM, R_NONE, TG_AGENT_UNKNOWN },
    { "unpaused, cmdline unread, no record: unknown",
      RUN, VIR_DOMAIN_RUNNING_UNPAUSED, C_UNREAD, R_NONE, TG_AGENT_UNKNOWN },
    { "unpaused, cmdline unread, a record: kept",
      RUN, VIR_DOMAIN_RUNNING_UNPAUSED, C_UNREAD, R_OTHER, TG_AGENT_KEEP },
    { "outgoing migration cancelled, cmdline shows a boot: stamp",
      RUN, VIR_DOMAIN_RUNNING_MIGRATION_CANCELED, C_BOOT, R_NONE, TG_AGENT_STAMP },
    { "paused by the user, cmdline shows a boot: stamp",
      PAUSED, VIR_DOMAIN_PAUSED_USER, C_BOOT, R_NONE, TG_AGENT_STAMP },
    { "paused by an incoming migration, -incoming: unknown",
      PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, C_INCOMING, R_NONE, TG_AGENT_UNKNOWN },
    { "paused starting up: nothing (its start event follows)",
      PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP, C_BOOT, R_NONE, TG_AGENT_IGNORE },
    { "shut off: nothing",
      VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, C_UNREAD, R_NONE, TG_AGENT_IGNORE },
    { "crashed: nothing",
      VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, C_BOOT, R_NONE, TG_AGENT_IGNORE },
    { "pmsuspended: nothing",
      VIR_DOMAIN_PMSUSPENDED, 0, C_BOOT, R_NONE, TG_AGENT_IGNORE },
};

static void
test_adopt_row(void **state)
{
    const AdoptRow *row = *state;
    const char *why = NULL;
    TgAgentAction a = tg_agent_adopt_action(row->state, row->reason, row->cmdline, row->record,
                                            &why);

    if (a != row->want)
        fail_msg("action %s (%s), expected %s", tg_agent_action_to_string(a), why,
                 tg_agent_action_to_string(row->want));
    assert_non_null(why);
}

/* ---- QEMU command lines ---- */

#define UUID "4a3b2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c04"

typedef struct {
    const char *name;
    const char *args;  /* arguments separated by '|', each NUL-terminated in the buffer */
    gboolean cut;      /* drop the last NUL (a truncated read) */
    TgAgentCmdline want;
} CmdRow;

static const CmdRow cmd_rows[] = {
    { "a boot", "/usr/bin/qemu-system-x86_64|-name|guest=db1,debug-threads=on|-uuid|" UUID
      "|-machine|pc-q35-7.2", FALSE, TG_AGENT_CMDLINE_BOOT },
    { "an incoming migration", "/usr/bin/qemu-system-x86_64|-uuid|" UUID
      "|-incoming|defer", FALSE, TG_AGENT_CMDLINE_INCOMING },
    { "a restore", "qemu-system-x86_64|-uuid|" UUID "|-incoming|fd:27", FALSE,
      TG_AGENT_CMDLINE_INCOMING },
    { "an internal snapshot", "qemu-system-x86_64|-uuid|" UUID "|-loadvm|snap1", FALSE,
      TG_AGENT_CMDLINE_LOADVM },
    { "UUID in upper case", "qemu-system-x86_64|-uuid|4A3B2C1D-0E9F-4A8B-8C7D-6E5F4A3B2C04",
      FALSE, TG_AGENT_CMDLINE_BOOT },
    { "another guest's process (a reused pid)", "qemu-system-x86_64|-uuid|"
      "00000000-0000-0000-0000-000000000000", FALSE, TG_AGENT_CMDLINE_UNREAD },
    { "not QEMU at all", "/bin/sleep|1000", FALSE, TG_AGENT_CMDLINE_UNREAD },
    { "the UUID not after -uuid", "qemu-system-x86_64|-name|" UUID, FALSE,
      TG_AGENT_CMDLINE_UNREAD },
    { "-incoming inside a value is no option", "qemu-system-x86_64|-uuid|" UUID
      "|-name|guest=-incoming", FALSE, TG_AGENT_CMDLINE_BOOT },
    { "cut before the UUID ends", "qemu-system-x86_64|-uuid|" UUID, TRUE,
      TG_AGENT_CMDLINE_UNREAD },
    { "empty", "", TRUE, TG_AGENT_CMDLINE_UNREAD },
};

static void
test_cmd_row(void **state)
{
    const CmdRow *row = *state;
    g_autofree char *buf = g_strdup(row->args);
    size_t len = strlen(buf) + 1;

    for (char *p = buf; *p; p++)
        if (*p == '|')
            *p = '\0';
    if (row->cut)
        len--;
    assert_int_equal(tg_agent_classify_cmdline(buf, len, UUID), row->want);
}

static void
test_cmd_no_uuid(void **state)
{
    static const char buf[] = "qemu\0-uuid\0\0";

    (void)state;
    assert_int_equal(tg_agent_classify_cmdline(buf, sizeof(buf) - 1, ""), TG_AGENT_CMDLINE_UNREAD);
    assert_int_equal(tg_agent_classify_cmdline(buf, sizeof(buf) - 1, NULL), TG_AGENT_CMDLINE_UNREAD);
    assert_int_equal(tg_agent_classify_cmdline(NULL, 0, UUID), TG_AGENT_CMDLINE_UNREAD);
}

int
main(void)
{
    GArray *t = tg_test_new();

    for (gsize i = 0; i < G_N_ELEMENTS(event_rows); i++)
        tg_test_add(t, event_rows[i].name, test_event_row, &event_rows[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(adopt_rows); i++)
        tg_test_add(t, adopt_rows[i].name, test_adopt_row, &adopt_rows[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(cmd_rows); i++)
        tg_test_add(t, cmd_rows[i].name, test_cmd_row, &cmd_rows[i]);
    tg_test_add(t, "no UUID or no buffer: unread", test_cmd_no_uuid, NULL);
    return tg_test_run("agent", t);
}
