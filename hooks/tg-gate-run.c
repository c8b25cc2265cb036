/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate-gate's run state, decision record, stderr line, failing paths and
 * deadline watchdog (tg-gate.h). */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tg-config.h"
#include "tg-file.h"
#include "tg-gate.h"

void
tg_gate_clear(TgGate *g)
{
    g_free(g->runtime_dir);
    g_free(g->guest_esc);
    g_free(g->uuid_esc);
    g_free(g->audit_file);
    g_free(g->policy_digest);
    g_free(g->host_facts_from);
    g_free(g->dest_name);
    g_free(g->source_name);
    g_free(g->note);
}

/* Name what the run waits for now (a static string), for the deadline;
 * `on_input`: the work is on the domain XML from stdin, so that a deadline
 * now may be the guest's doing and never answers fail-open. */
static void
gate_phase_set(TgGate *g, const char *phase, bool on_input)
{
    g_mutex_lock(&g->lock);
    g->phase = phase;
    g->phase_on_input = on_input;
    g_mutex_unlock(&g->lock);
}

/* A phase on this host's own configuration and facts. */
void
tg_gate_phase(TgGate *g, const char *phase)
{
    gate_phase_set(g, phase, false);
}

/* A phase on the domain XML libvirt passed (gate_phase_set). */
void
tg_gate_phase_input(TgGate *g, const char *phase)
{
    gate_phase_set(g, phase, true);
}

/* Replace the string field `*field` with `value` (taken). */
void
tg_gate_set(TgGate *g, char **field, char *value)
{
    g_mutex_lock(&g->lock);
    g_free(*field);
    *field = value;
    g_mutex_unlock(&g->lock);
}

/* Add "WHAT: DETAIL" to the run's note ("; " between notes). */
void
tg_gate_note(TgGate *g, const char *what, const char *detail)
{
    g_mutex_lock(&g->lock);
    {
        char *n = g->note ? g_strdup_printf("%s; %s: %s", g->note, what, detail)
                          : g_strdup_printf("%s: %s", what, detail);

        g_free(g->note);
        g->note = n;
    }
    g_mutex_unlock(&g->lock);
}

/* Claim the answer: true for the first caller (main thread or watchdog),
 * which alone writes the verdict, logs the record and sets the exit
 * status. */
bool
tg_gate_claim(TgGate *g)
{
    return g_atomic_int_compare_and_exchange(&g->answered, 0, 1);
}

/* "tscgate: guest 'NAME' (UUID)" */
char *
tg_gate_guest_prefix(const TgGate *g)
{
    if (g->uuid_esc)
        return g_strdup_printf("tscgate: guest '%s' (%s)", g->guest_esc, g->uuid_esc);
    return g_strdup_printf("tscgate: guest '%s'", g->guest_esc);
}

/* CONFIG_DIR/policy.xml read for the record's digest, through the same
 * non-blocking, trust-checked read as the policy. */
static char *
gate_read_policy_digest(const TgGate *g)
{
    g_autofree char *path = g_build_filename(g->config_dir, "policy.xml", NULL);
    g_autofree char *buf = NULL;
    struct stat st;
    gsize len = 0;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? g_strdup(TG_POLICY_DIGEST_NONE) : NULL;
    if (!tg_file_read_trusted(path, g->uid, TG_MAX_INPUT_BYTES, &buf, &len, NULL, NULL))
        return NULL;
    return tg_host_facts_policy_digest(buf, len);
}

/* The digest of CONFIG_DIR/policy.xml as `tscgate probe --publish` writes
 * it (tg_host_facts_policy_digest), TG_POLICY_DIGEST_NONE when there is
 * none, NULL when it cannot be read as the gate reads it (the record says
 * unknown): the one the policy was loaded with (from the configuration
 * cache on a hit), else, when the run never read the policy (an untrusted
 * directory, a hook.conf problem before it), read for the record.
 * Returns a new string (g_free). */
static char *
gate_policy_digest(TgGate *g)
{
    char *loaded;

    g_mutex_lock(&g->lock);
    loaded = g_strdup(g->policy_digest);
    g_mutex_unlock(&g->lock);
    if (loaded)
        return loaded;
    return gate_read_policy_digest(g);
}

/* Emit the one record of this run: audit file first (so a failure to
 * append can be noted in the journal/syslog record), then journal/syslog.
 * When none of them takes it, the line goes to RUNTIME_DIR/undelivered.log
 * (see tscgate-hook(8)). `may_read`: false on the watchdog's answer, which
 * must not wait for a file (the deadline may have expired on one), so the
 * policy digest is then unknown. Returns NULL when a sink took the record,
 * else a clause for the stderr line saying where it went (g_free). */
char *
tg_gate_log(TgGate *g, TgLogRecord *r, bool may_read)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) send_err = NULL;
    g_autofree char *audit_file = NULL;
    g_autofree char *fallback = NULL;
    g_autofree char *line = NULL;
    g_auto(TgFields) run = { 0 };
    bool audited = false;

    /* What every record names, decision or not (tg-fields.h). */
    if (may_read)
        run.v[TG_F_POLICY_DIGEST] = gate_policy_digest(g);
    tg_fields_set(&run, TG_F_TSCGATE_VERSION, PACKAGE_VERSION);
    tg_fields_set(&run, TG_F_OP, g->op);
    g_mutex_lock(&g->lock);
    tg_fields_set(&run, TG_F_DESTINATION, g->dest_name ? g->dest_name : g_get_host_name());
    tg_fields_set(&run, TG_F_SOURCE, g->source_name);
    tg_log_record_add(r, "TSCGATE_GUEST", g->guest_esc);
    tg_log_record_add(r, "TSCGATE_UUID", g->uuid_esc ? g->uuid_esc : "");
    tg_log_record_add_field(r, &run, TG_F_DESTINATION);
    tg_log_record_add_field(r, &run, TG_F_SOURCE);
    tg_log_record_add_field(r, &run, TG_F_POLICY_DIGEST);
    tg_log_record_add_field(r, &run, TG_F_TSCGATE_VERSION);
    tg_log_record_add_field(r, &run, TG_F_OP);
    tg_log_record_add(r, "TSCGATE_MODE", tg_mode_to_string(g->mode));
    if (g->host_facts_from)
        tg_log_record_add(r, "TSCGATE_HOST_FACTS", g->host_facts_from);
    if (g->note)
        tg_log_record_add(r, "TSCGATE_NOTE", g->note);
    audit_file = g_strdup(g->audit_file);
    g->phase = "sending the log record";
    g_mutex_unlock(&g->lock);

    if (audit_file) {
        audited = tg_log_append_audit(r, audit_file, g->uid, g->now, &err);
        if (!audited)
            tg_log_record_add(r, "TSCGATE_AUDIT_ERROR", err->message);
    }
    if (tg_log_send(r, &g->sinks, &send_err) || audited)
        return NULL;

    /* Nowhere an admin would look: keep it where the man page says. */
    tg_log_record_add(r, "TSCGATE_LOG_ERROR", send_err->message);
    fallback = g_build_filename(g->runtime_dir, TG_UNDELIVERED_LOG, NULL);
    line = tg_log_record_format_logfmt(r, g->now);
    g_clear_error(&err);
    if (tg_log_append_line(fallback, line, g->uid, &err))
        return g_strdup_printf("log record not delivered to journald or syslog, kept in %s",
                               fallback);
    return g_strdup_printf("log record lost: %s; %s", send_err->message, err->message);
}

/* How far past the deadline the stderr line may still wait: it is also
 * the deadline's own answer. */
#define TG_GATE_STDERR_GRACE_US G_USEC_PER_SEC

/* Write all of `buf` to `fd` (stdout or stderr: pipes that libvirt may
 * stop reading), never waiting past `until_us` (monotonic): poll(2) for
 * room, then at most PIPE_BUF bytes per write(2), which a pipe with room
 * takes without blocking (pipe(7)). The descriptor's flags are left alone:
 * its open file description may be shared. Returns false with errno,
 * ETIMEDOUT when the time ran out. */
bool
tg_gate_write_fd_until(int fd, const char *buf, gsize len, gint64 until_us)
{
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        gint64 left = until_us - g_get_monotonic_time();
        ssize_t n;
        int ready;

        if (left <= 0) {
            errno = ETIMEDOUT;
            return false;
        }
        ready = poll(&pfd, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return false;
        if (ready == 0) {
            errno = ETIMEDOUT;
            return false;
        }
        /* POLLERR (reader gone) too: write() says what it is (EPIPE) */
        n = write(fd, buf, MIN(len, (gsize)PIPE_BUF));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return false;
        if (n == 0) {
            errno = EIO;
            return false;
        }
        buf += n;
        len -= (gsize)n;
    }
    return true;
}

/* stderr gets the verdict line, with what happened to the record when no
 * sink took it; given up a moment after the deadline (the record has been
 * logged already). */
void
tg_gate_print_line(TgGate *g, const char *msg, const char *log_note)
{
    g_autofree char *line = log_note ? g_strdup_printf("%s (%s)\n", msg, log_note)
                                     : g_strdup_printf("%s\n", msg);
    gint64 until;

    g_mutex_lock(&g->lock);
    until = g->deadline_us + TG_GATE_STDERR_GRACE_US;
    g_mutex_unlock(&g->lock);
    (void)tg_gate_write_fd_until(STDERR_FILENO, line, strlen(line), until);
}

/* Is a failure with reason `code` one in libvirt's input (argv, the
 * domain XML on stdin)? */
static bool
code_is_input(const char *code)
{
    return strcmp(code, "input-error") == 0 || strcmp(code, "usage-error") == 0;
}

/* No decision could be made: deny (fail-closed) or, when the policy says
 * fail-open, allow the operation unchanged and log it loudly. Never
 * fail-open when `on_input` (the failure is in, or the deadline expired
 * on, what libvirt passed for the guest: its owner could otherwise turn
 * any denial into an allow) nor once stdout has been written to. The
 * caller has claimed the answer (gate_claim). Returns the exit status. */
int
tg_gate_fail_claimed(TgGate *g, const char *code, const char *what, const char *phase,
                  bool on_input)
{
    g_autofree char *prefix = NULL;
    g_autofree char *what_esc = tg_log_escape_controls(what);
    g_autofree char *msg = NULL;
    g_autofree char *log_note = NULL;
    g_autoptr(TgLogRecord) r = NULL;
    bool fail_open;

    g_mutex_lock(&g->lock);
    prefix = tg_gate_guest_prefix(g);
    /* Once stdout has been written to, "allowed unchanged" is not an
     * answer any more. */
    fail_open = g->fail_open && !g->stdout_started && !on_input;
    g_mutex_unlock(&g->lock);
    if (g->fail_open && on_input)
        tg_gate_note(g, "fail-open not applied",
                  strcmp(code, "deadline") == 0
                      ? "the deadline expired on the input libvirt passed (the guest's domain XML)"
                      : "the failure is in the input libvirt passed (the guest's domain XML or the arguments)");

    if (fail_open)
        msg = g_strdup_printf("%s %s cannot be checked, allowed (fail-open): %s",
                              prefix, g->op, what_esc);
    else
        msg = g_strdup_printf("%s %s denied (fail-closed): %s", prefix, g->op, what_esc);
    r = tg_log_record_new(fail_open ? LOG_CRIT : LOG_ERR, msg);
    tg_log_record_add(r, "TSCGATE_VERDICT", "error");
    tg_log_record_add(r, "TSCGATE_OUTCOME", fail_open ? "allowed" : "denied");
    tg_log_record_add(r, "TSCGATE_REASON", code);
    tg_log_record_add(r, "MESSAGE_ID", g_strcmp0(code, "deadline") == 0 ? TG_MSGID_DEADLINE
                                       : fail_open ? TG_MSGID_FAIL_OPEN : TG_MSGID_ERROR);
    tg_log_record_add(r, "TSCGATE_ALLOWED", fail_open ? "yes" : "no");
    tg_log_record_add(r, "TSCGATE_CODE", code);
    tg_log_record_add(r, "TSCGATE_FAIL_OPEN", fail_open ? "yes" : "no");
    if (phase)
        tg_log_record_add(r, "TSCGATE_PHASE", phase);
    /* only the watchdog answers with a phase */
    log_note = tg_gate_log(g, r, phase == NULL);
    if (fail_open)
        return 0;
    tg_gate_print_line(g, msg, log_note);
    return 1;
}

/* Wait for the watchdog, which has claimed the answer and will _exit(). */
G_GNUC_NORETURN void
tg_gate_wait_for_watchdog(void)
{
    for (;;)
        pause();
}

/* tg_gate_fail_claimed() for the main thread. */
int
tg_gate_fail(TgGate *g, const char *code, const char *what)
{
    if (!tg_gate_claim(g))
        tg_gate_wait_for_watchdog();
    return tg_gate_fail_claimed(g, code, what, NULL, code_is_input(code));
}

/* The watchdog: sleeps until the deadline (which hook.conf may move) and
 * then answers for the run, unless the main thread already does. */
static gpointer
gate_watchdog(gpointer data)
{
    TgGate *g = data;
    char *what;
    const char *phase;
    bool on_input;
    int rc;

    g_mutex_lock(&g->lock);
    while (g_get_monotonic_time() < g->deadline_us)
        g_cond_wait_until(&g->changed, &g->lock, g->deadline_us);
    phase = g->phase;
    on_input = g->phase_on_input;
    what = g_strdup_printf("no answer within %u s: still %s", g->deadline_s, phase);
    g_mutex_unlock(&g->lock);
    if (!tg_gate_claim(g)) {
        g_free(what);
        return NULL;   /* the main thread answers; its logging is bounded */
    }
    rc = tg_gate_fail_claimed(g, "deadline", what, phase, on_input);
    g_free(what);
    _exit(rc);
}

/* Start the watchdog with the default deadline. */
void
tg_gate_start_watchdog(TgGate *g)
{
    g_autoptr(GError) err = NULL;
    GThread *t;

    g->started_us = g_get_monotonic_time();
    g->deadline_s = TG_HOOK_DEFAULT_DEADLINE_S;
    g->deadline_us = g->started_us + (gint64)g->deadline_s * G_USEC_PER_SEC;
    t = g_thread_try_new("tscgate-watchdog", gate_watchdog, g, &err);
    if (t)
        g_thread_unref(t);
    else  /* nothing below blocks without it either: say so and go on */
        tg_gate_note(g, "no deadline", err->message);
}

/* Move the deadline to `seconds` after the start (hook.conf). */
void
tg_gate_set_deadline(TgGate *g, guint seconds)
{
    g_mutex_lock(&g->lock);
    g->deadline_s = seconds;
    g->deadline_us = g->started_us + (gint64)seconds * G_USEC_PER_SEC;
    g_cond_signal(&g->changed);
    g_mutex_unlock(&g->lock);
}
