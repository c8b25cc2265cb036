/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate-gate's run: its state, which the main thread and the deadline
 * watchdog share, the decision record, the one stderr line and the failing
 * paths (tg-gate-run.c). Private to the gate. */
#ifndef TG_GATE_H
#define TG_GATE_H

#include "tg-log.h"
#include "tg-policy.h"

G_BEGIN_DECLS

/* Where the record goes, in the runtime directory, when no sink takes it. */
#define TG_UNDELIVERED_LOG "undelivered.log"

/* Everything known about one gating run, for the log record. The main
 * thread fills it in as the run goes; the watchdog reads it when the
 * deadline expires, so every field after `lock` is read and written under
 * it. */
typedef struct {
    const char *op;
    const char *config_dir;   /* set once before the watchdog starts */
    gint64 now;
    uid_t uid;                /* owner expected of config, cache, audit dirs */
    char *runtime_dir;
    TgLogSinks sinks;

    GMutex lock;
    GCond changed;            /* deadline moved */
    gint64 started_us;        /* monotonic */
    gint64 deadline_us;       /* monotonic */
    guint deadline_s;
    const char *phase;        /* static: what the run is waiting for */
    bool phase_on_input;      /* ... and it works on libvirt's input (argv, stdin) */
    bool stdout_started;      /* a fail-open answer cannot be given any more */
    char *guest_esc;          /* escaped guest name */
    char *uuid_esc;           /* escaped uuid or NULL */
    TgMode mode;
    bool fail_open;
    char *audit_file;
    char *policy_digest;  /* policy.xml's digest as the policy was loaded, NULL: not read */
    char *host_facts_from;    /* "host.xml", "probe cache", "probe" */
    char *dest_name;          /* this host as the record names it, NULL: uname(2) */
    char *source_name;        /* the host the guest comes from, NULL: unknown */
    char *note;               /* non-fatal problems to log (lineage record, caches) */

    gint answered;            /* atomic: 1 once the main thread or the watchdog answers */
} TgGate;

void tg_gate_clear(TgGate *g);

/* A phase on this host's own configuration and facts. */
void tg_gate_phase(TgGate *g, const char *phase);

/* A phase on the domain XML libvirt passed (gate_phase_set). */
void tg_gate_phase_input(TgGate *g, const char *phase);

/* Replace the string field `*field` with `value` (taken). */
void tg_gate_set(TgGate *g, char **field, char *value);

/* Add "WHAT: DETAIL" to the run's note ("; " between notes). */
void tg_gate_note(TgGate *g, const char *what, const char *detail);

/* Claim the answer: true for the first caller (main thread or watchdog),
 * which alone writes the verdict, logs the record and sets the exit
 * status. */
bool tg_gate_claim(TgGate *g);

/* "tscgate: guest 'NAME' (UUID)" */
char *tg_gate_guest_prefix(const TgGate *g);

/* Emit the one record of this run: audit file first (so a failure to
 * append can be noted in the journal/syslog record), then journal/syslog.
 * When none of them takes it, the line goes to RUNTIME_DIR/undelivered.log
 * (see tscgate-hook(8)). `may_read`: false on the watchdog's answer, which
 * must not wait for a file (the deadline may have expired on one), so the
 * policy digest is then unknown. Returns NULL when a sink took the record,
 * else a clause for the stderr line saying where it went (g_free). */
char *tg_gate_log(TgGate *g, TgLogRecord *r, bool may_read);

/* Write all of `buf` to `fd` (stdout or stderr: pipes that libvirt may
 * stop reading), never waiting past `until_us` (monotonic): poll(2) for
 * room, then at most PIPE_BUF bytes per write(2), which a pipe with room
 * takes without blocking (pipe(7)). The descriptor's flags are left alone:
 * its open file description may be shared. Returns false with errno,
 * ETIMEDOUT when the time ran out. */
bool tg_gate_write_fd_until(int fd, const char *buf, gsize len, gint64 until_us);

/* stderr gets the verdict line, with what happened to the record when no
 * sink took it; given up a moment after the deadline (the record has been
 * logged already). */
void tg_gate_print_line(TgGate *g, const char *msg, const char *log_note);

/* No decision could be made: deny (fail-closed) or, when the policy says
 * fail-open, allow the operation unchanged and log it loudly. Never
 * fail-open when `on_input` (the failure is in, or the deadline expired
 * on, what libvirt passed for the guest: its owner could otherwise turn
 * any denial into an allow) nor once stdout has been written to. The
 * caller has claimed the answer (gate_claim). Returns the exit status. */
int tg_gate_fail_claimed(TgGate *g, const char *code, const char *what, const char *phase, bool on_input);

/* Wait for the watchdog, which has claimed the answer and will _exit(). */
G_GNUC_NORETURN void tg_gate_wait_for_watchdog(void);

/* gate_fail_claimed() for the main thread. */
int tg_gate_fail(TgGate *g, const char *code, const char *what);

/* Start the watchdog with the default deadline. */
void tg_gate_start_watchdog(TgGate *g);

/* Move the deadline to `seconds` after the start (hook.conf). */
void tg_gate_set_deadline(TgGate *g, guint seconds);

G_END_DECLS

#endif /* TG_GATE_H */
