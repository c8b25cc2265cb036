/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate agent`, the boot-record writer. Listens to libvirt's
 * domain lifecycle events and, when a guest boots on this host, stores a
 * boot record (tg-bootrecord.h) in the guest's live definition with
 * virDomainSetMetadata(..., VIR_DOMAIN_AFFECT_LIVE). At its start and after
 * every reconnection it adopts running guests that booted here without a
 * record. What it does for each event and each guest found running is
 * tg-agent-action.h; this file is the libvirt and /proc side.
 *
 * It runs outside libvirt's hook path: nothing a guest operation waits
 * for. Every write, and every guest whose rate stays unknown, is one
 * structured record (tg-log.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xmlerror.h>

#include "tg-agent-action.h"
#include "tg-bootrecord.h"
#include "tg-cli.h"
#include "tg-cli-libvirt.h"
#include "tg-hostcache.h"
#include "tg-log.h"
#include "tg-probe.h"

/* Where the system instance of libvirt's QEMU driver keeps each running
 * guest's pid file, NAME.pid (libvirt src/qemu/qemu_conf.c: stateDir is
 * RUNSTATEDIR "/libvirt/qemu", virPidFileBuildPath). */
#define TG_QEMU_STATE_DIR "/run/libvirt/qemu"
/* Reconnection backoff: 1 s doubling up to this. */
#define TG_AGENT_BACKOFF_MAX_S 30
/* Keepalive towards libvirtd: a probe every 5 s, give up after 3 missed. */
#define TG_AGENT_KEEPALIVE_INTERVAL 5
#define TG_AGENT_KEEPALIVE_COUNT 3u

typedef struct {
    virDomainPtr dom;
    int event;
    int detail;
} TgAgentEvent;

typedef struct {
    char *uri;               /* NULL = libvirt's default URI */
    char *audit_file;        /* also append every record here, or NULL */
    virConnectPtr conn;
    int lifecycle_id;        /* -1 = not registered */
    bool closed;             /* libvirt closed the connection (close callback) */
    bool system;             /* connected to the system instance (pid files readable) */
    GQueue pending;          /* TgAgentEvent*, queued by the event callback */
} TgAgent;

static volatile sig_atomic_t tg_agent_quit;
static int tg_agent_wake[2] = { -1, -1 };

/* libxml2's default handler prints on stderr; a driver that parses XML in
 * this process (test:///FILE) reports its errors through libvirt's. */
static void
tg_xml_quiet(void *ctx G_GNUC_UNUSED, const char *msg G_GNUC_UNUSED, ...)
{
}

static void
agent_on_signal(int sig G_GNUC_UNUSED)
{
    int saved = errno;

    tg_agent_quit = 1;
    if (tg_agent_wake[1] >= 0 && write(tg_agent_wake[1], "", 1) < 0) {
        /* the pipe is full: the loop wakes up anyway */
    }
    errno = saved;
}

static void
agent_wake_cb(int watch G_GNUC_UNUSED, int fd, int events G_GNUC_UNUSED,
              void *opaque G_GNUC_UNUSED)
{
    char buf[64];

    while (read(fd, buf, sizeof(buf)) > 0) {
    }
}

/* ---- records ---- */

/* Send `r` to journald/syslog and to the audit file when one is set. */
static void
agent_log(const TgAgent *a, TgLogRecord *r)
{
    if (a->audit_file) {
        g_autoptr(GError) err = NULL;

        if (!tg_log_append_audit(r, a->audit_file, getuid(), g_get_real_time() / G_USEC_PER_SEC,
                                 &err))
            tg_log_record_add(r, "TSCGATE_AUDIT_ERROR", err->message);
    }
    {
        /* TSCGATE_JOURNAL_SOCKET / TSCGATE_SYSLOG_SOCKET: other sockets, for
         * tests (as the gate). An agent record no sink takes is dropped: the
         * agent writes no fallback file of its own. */
        TgLogSinks sinks = { g_getenv("TSCGATE_JOURNAL_SOCKET"), g_getenv("TSCGATE_SYSLOG_SOCKET") };

        tg_log_send(r, &sinks, NULL);
    }
}

/* A record about the agent's connection (no guest). */
static void
agent_log_connection(const TgAgent *a, int priority, const char *outcome, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
agent_log_connection(const TgAgent *a, int priority, const char *outcome, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    g_autofree char *msg = NULL;
    g_autoptr(TgLogRecord) r = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strdup_printf("tscgate agent: %s", text);
    r = tg_log_record_new(priority, msg);
    tg_log_record_add(r, "TSCGATE_OP", "agent-connection");
    tg_log_record_add(r, "TSCGATE_OUTCOME", outcome);
    tg_log_record_add(r, "TSCGATE_URI", a->uri ? a->uri : "(default)");
    agent_log(a, r);
}

/* The guest's name and UUID, escaped for records (g_free both). */
static void
guest_ids(virDomainPtr dom, char **name, char **uuid)
{
    char buf[VIR_UUID_STRING_BUFLEN] = "";

    *name = tg_escape_untrusted(virDomainGetName(dom));
    if (virDomainGetUUIDString(dom, buf) < 0)
        buf[0] = '\0';
    *uuid = tg_escape_untrusted(buf);
}

static TgLogRecord *
guest_record(virDomainPtr dom, int priority, const char *op, const char *outcome,
             const char *what)
{
    g_autofree char *name = NULL, *uuid = NULL, *msg = NULL;
    TgLogRecord *r;

    guest_ids(dom, &name, &uuid);
    msg = g_strdup_printf("tscgate: guest '%s' (%s) %s", name, uuid, what);
    r = tg_log_record_new(priority, msg);
    tg_log_record_add(r, "TSCGATE_GUEST", name);
    tg_log_record_add(r, "TSCGATE_UUID", uuid);
    tg_log_record_add(r, "TSCGATE_OP", op);
    tg_log_record_add(r, "TSCGATE_OUTCOME", outcome);
    return r;
}

static const char *
hz_text(guint64 hz, char buf[32])
{
    if (!hz)
        return "unknown";
    g_snprintf(buf, 32, "%" G_GUINT64_FORMAT, hz);
    return buf;
}

/* ---- this host ---- */

/* The facts that change during a boot, read afresh over a cached probe. */
static void
refresh_this_host(TgHostFacts *facts, gpointer unused G_GNUC_UNUSED)
{
    tg_probe_per_run(facts, NULL);
}

static TgHostFacts *
probe_this_host(gpointer unused G_GNUC_UNUSED)
{
    return tg_probe_host(NULL);
}

/* This host's probed facts, from the per-boot cache the gate shares
 * (tg-hostcache.h). `from` gets "probe-cache", "probe" or
 * "probe-uncached"; `note` why the cache was not used, or NULL. The boot
 * record needs the rate QEMU gave the guest, KVM_GET_TSC_KHZ, so a
 * declared host.xml is not read here. */
static TgHostFacts *
agent_host_facts(const char **from, char **note)
{
    g_autofree char *dir = tg_hostcache_dir();
    g_autofree char *boot_id = NULL;
    g_autoptr(GError) err = NULL;
    TgHostcacheResult res = TG_HOSTCACHE_UNCACHED;
    TgHostFacts *f;

    boot_id = tg_hostcache_boot_id(NULL, &err);
    if (boot_id)
        f = tg_hostcache_get(dir, boot_id, 0, probe_this_host, refresh_this_host, NULL, &res, &err);
    else
        f = tg_hostcache_get(NULL, NULL, 0, probe_this_host, refresh_this_host, NULL, &res, NULL);
    *from = res == TG_HOSTCACHE_HIT ? "probe-cache" : res == TG_HOSTCACHE_STORED ? "probe"
                                                                              : "probe-uncached";
    *note = err ? g_strdup(err->message) : NULL;
    return f;
}

static const char *
this_host_name(const TgHostFacts *f)
{
    if (f->hostname.note.known && f->hostname.value)
        return f->hostname.value;
    return g_get_host_name();
}

/* ---- the guest's QEMU process ---- */

/* UTC seconds at which process `pid` started (/proc/PID/stat field 22,
 * starttime in clock ticks since boot, plus /proc/stat btime), or -1. */
static gint64
process_start_time(long pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%ld/stat", pid);
    g_autofree char *stat = NULL, *sys = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;
    guint64 ticks = 0, btime = 0;
    long hz = sysconf(_SC_CLK_TCK);

    if (hz <= 0 || !g_file_get_contents(path, &stat, NULL, NULL) ||
        !g_file_get_contents("/proc/stat", &sys, NULL, NULL))
        return -1;
    /* comm may hold spaces and parentheses: fields start after the last ')'. */
    p = strrchr(stat, ')');
    if (!p)
        return -1;
    fields = g_strsplit(p + 1, " ", 0);
    /* fields[0] is empty (the space after ')'), fields[1] is field 3 (state). */
    if (g_strv_length(fields) < 21 || !tg_parse_u64(fields[20], &ticks))
        return -1;
    p = strstr(sys, "\nbtime ");
    if (!p)
        return -1;
    p += strlen("\nbtime ");
    {
        g_autofree char *num = g_strndup(p, strcspn(p, "\n"));

        if (!tg_parse_u64(num, &btime))
            return -1;
    }
    return (gint64)(btime + ticks / (guint64)hz);
}

/* Read the command line of the QEMU process libvirt's pid file names for
 * guest `name` with UUID `uuid`; `*start` gets when it started (-1 when
 * unknown). */
static TgAgentCmdline
agent_read_cmdline(const TgAgent *a, const char *name, const char *uuid, gint64 *start)
{
    g_autofree char *pidfile = NULL, *pidtext = NULL, *path = NULL, *cmd = NULL;
    gsize len = 0;
    gint64 pid = 0;
    TgAgentCmdline c;

    *start = -1;
    /* libvirt refuses '/' in a domain name (virDomainDefParseXML). */
    if (!a->system || !name || !*name || strchr(name, '/') || name[0] == '.')
        return TG_AGENT_CMDLINE_UNREAD;
    pidfile = g_strdup_printf("%s/%s.pid", TG_QEMU_STATE_DIR, name);
    if (!g_file_get_contents(pidfile, &pidtext, NULL, NULL))
        return TG_AGENT_CMDLINE_UNREAD;
    g_strstrip(pidtext);
    if (!g_ascii_string_to_signed(pidtext, 10, 1, G_MAXINT32, &pid, NULL))
        return TG_AGENT_CMDLINE_UNREAD;
    path = g_strdup_printf("/proc/%ld/cmdline", (long)pid);
    if (!g_file_get_contents(path, &cmd, &len, NULL))
        return TG_AGENT_CMDLINE_UNREAD;
    c = tg_agent_classify_cmdline(cmd, len, uuid);
    if (c != TG_AGENT_CMDLINE_UNREAD)
        *start = process_start_time((long)pid);
    return c;
}

/* ---- writing the record ---- */

/* Store a boot record for `guest` in `dom`'s live definition; `op` is
 * "agent-boot" (a start event) or "agent-adopt"; `why` says why. One
 * record either way. */
static void
agent_stamp_guest(TgAgent *a, virDomainPtr dom, const TgGuestProfile *guest, const char *op,
                  const char *why)
{
    g_autofree char *element = NULL, *note = NULL, *what = NULL;
    g_autoptr(TgHostFacts) facts = NULL;
    g_autoptr(TgLineage) rec = NULL;
    g_autoptr(TgLogRecord) r = NULL;
    const char *from = NULL, *host;
    char b1[32], b2[32];
    int rc;

    if (guest->kind == TG_GUEST_NO_TSC)
        return;  /* no TSC, no record (doc/tsc-model.md) */

    facts = agent_host_facts(&from, &note);
    host = this_host_name(facts);
    rec = tg_bootrecord_new(guest, facts, host, g_get_real_time() / G_USEC_PER_SEC);
    if (!rec || !(element = tg_bootrecord_element(rec)))
        return;
    rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, element, TG_LINEAGE_NS_PREFIX,
                              TG_LINEAGE_NS, VIR_DOMAIN_AFFECT_LIVE);
    if (rc < 0) {
        /* Destroyed or migrated away meanwhile, or libvirtd went away:
         * said, not fatal. */
        g_autofree char *verr = g_strdup(virGetLastErrorMessage());

        r = guest_record(dom, LOG_WARNING, op, "failed",
                         "boot record not written: libvirt refused it");
        tg_log_record_add(r, "TSCGATE_ERROR", verr);
    } else if (rec->nominal_origin == TG_NOMINAL_BOOT) {
        what = g_strdup_printf("boot record written: nominal TSC rate %" G_GUINT64_FORMAT
                               " Hz (%s)", rec->nominal_hz,
                               guest->has_explicit_hz ? "its pinned rate"
                                                      : "this host's KVM rate");
        r = guest_record(dom, LOG_INFO, op, "recorded", what);
    } else {
        what = g_strdup_printf("boot record written: nominal TSC rate unknown "
                               "(this host's KVM rate: %s)",
                               facts->tsc_hz.note.reason ? facts->tsc_hz.note.reason
                                                         : "not probed");
        r = guest_record(dom, LOG_WARNING, op, "recorded", what);
    }
    tg_log_record_add(r, "TSCGATE_GUEST_HZ", hz_text(rec->nominal_hz, b1));
    tg_log_record_add(r, "TSCGATE_NOMINAL_ORIGIN", tg_nominal_origin_to_string(rec->nominal_origin));
    tg_log_record_add(r, "TSCGATE_HOST", host);
    tg_log_record_add(r, "TSCGATE_HOST_HZ",
                      hz_text(facts->tsc_hz.note.known ? facts->tsc_hz.value : 0, b2));
    tg_log_record_add(r, "TSCGATE_SCALING", tg_tri_to_string(tg_bool_fact_tri(&facts->tsc_scaling)));
    tg_log_record_add(r, "TSCGATE_HOST_FACTS", from);
    tg_log_record_add(r, "TSCGATE_WHY", why);
    if (note)
        tg_log_record_add(r, "TSCGATE_NOTE", note);
    agent_log(a, r);
}

/* agent_stamp_guest() of `dom`'s live definition, read now. */
static void
agent_stamp(TgAgent *a, virDomainPtr dom, const char *op, const char *why)
{
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgLogRecord) r = NULL;

    if (!(xml = virDomainGetXMLDesc(dom, 0))) {
        /* Taken first: every libvirt call resets the thread's last error. */
        g_autofree char *verr = g_strdup(virGetLastErrorMessage());

        r = guest_record(dom, LOG_WARNING, op, "failed",
                         "boot record not written: cannot read its live definition");
        tg_log_record_add(r, "TSCGATE_ERROR", verr);
        tg_log_record_add(r, "TSCGATE_WHY", why);
        agent_log(a, r);
        return;
    }
    if (!(guest = tg_guest_profile_parse_xml(xml, strlen(xml), "live domain XML", &err))) {
        r = guest_record(dom, LOG_WARNING, op, "failed",
                         "boot record not written: its live definition cannot be read");
        tg_log_record_add(r, "TSCGATE_ERROR", err->message);
        tg_log_record_add(r, "TSCGATE_WHY", why);
        agent_log(a, r);
        return;
    }
    agent_stamp_guest(a, dom, guest, op, why);
}

/* ---- adopting running guests ---- */

static void
agent_adopt_one(TgAgent *a, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgLogRecord) r = NULL;
    TgAgentRecord record = TG_AGENT_RECORD_NONE;
    TgAgentCmdline cmdline;
    TgAgentAction action;
    const char *why = NULL;
    gint64 start = -1;
    int state = 0, reason = 0;

    if (virDomainGetState(dom, &state, &reason, 0) < 0 ||
        virDomainGetUUIDString(dom, uuid) < 0 ||
        !(xml = virDomainGetXMLDesc(dom, 0)))
        return;  /* gone meanwhile: nothing to adopt */
    if (!(guest = tg_guest_profile_parse_xml(xml, strlen(xml), "live domain XML", &err))) {
        r = guest_record(dom, LOG_WARNING, "agent-adopt", "failed",
                         "not adopted: its live definition cannot be read");
        tg_log_record_add(r, "TSCGATE_ERROR", err->message);
        agent_log(a, r);
        return;
    }
    if (guest->kind == TG_GUEST_NO_TSC)
        return;
    cmdline = agent_read_cmdline(a, virDomainGetName(dom), uuid, &start);
    if (guest->lineage) {
        g_autofree char *note = NULL;
        g_autoptr(TgHostFacts) facts = NULL;
        const char *from;

        /* Process start times are whole seconds from clock ticks and the
         * boot time: a record written in the start's second counts. */
        facts = agent_host_facts(&from, &note);
        record = tg_bootrecord_is_current(guest->lineage, this_host_name(facts),
                                          start >= 0 ? start - 1 : G_MININT64)
                     ? TG_AGENT_RECORD_CURRENT : TG_AGENT_RECORD_OTHER;
    }
    action = tg_agent_adopt_action(state, reason, cmdline, record, &why);
    if (action == TG_AGENT_STAMP) {
        agent_stamp_guest(a, dom, guest, "agent-adopt", why);
    } else if (action == TG_AGENT_UNKNOWN) {
        r = guest_record(dom, LOG_WARNING, "agent-adopt", "unknown",
                         "no boot record: its nominal TSC rate stays unknown");
        tg_log_record_add(r, "TSCGATE_WHY", why);
        agent_log(a, r);
    }
}

/* Adopt every running guest. Returns false with `error` when libvirt
 * cannot list them (logged too); a single guest's failure is its record. */
static bool
agent_adopt(TgAgent *a, GError **error)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(a->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

    if (n < 0) {
        g_autofree char *msg = g_strdup_printf("cannot list the running guests: %s",
                                               virGetLastErrorMessage());

        agent_log_connection(a, LOG_WARNING, "failed", "%s", msg);
        g_set_error_literal(error, TG_ERROR, TG_ERROR_IO, msg);
        return false;
    }
    for (int i = 0; i < n; i++) {
        agent_adopt_one(a, doms[i]);
        virDomainFree(doms[i]);
    }
    free(doms);
    return true;
}

/* ---- events and the connection ---- */

static int
agent_lifecycle_cb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event, int detail,
                   void *opaque)
{
    TgAgent *a = opaque;
    TgAgentEvent *e;

    /* Only starts matter; the work is done by the main loop, outside
     * libvirt's dispatch. */
    if (tg_agent_event_action(event, detail, NULL) != TG_AGENT_STAMP)
        return 0;
    e = g_new0(TgAgentEvent, 1);
    virDomainRef(dom);
    e->dom = dom;
    e->event = event;
    e->detail = detail;
    g_queue_push_tail(&a->pending, e);
    return 0;
}

static void
agent_close_cb(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED, void *opaque)
{
    TgAgent *a = opaque;

    a->closed = true;
}

static void
agent_event_free(TgAgentEvent *e)
{
    if (e->dom)
        virDomainFree(e->dom);
    g_free(e);
}

static void
agent_drain(TgAgent *a)
{
    TgAgentEvent *e;

    while ((e = g_queue_pop_head(&a->pending))) {
        const char *why = NULL;

        if (!a->closed && tg_agent_event_action(e->event, e->detail, &why) == TG_AGENT_STAMP)
            agent_stamp(a, e->dom, "agent-boot", why);
        agent_event_free(e);
    }
}

static bool
agent_connect(TgAgent *a)
{
    g_autofree char *uri = NULL;

    a->closed = false;
    a->lifecycle_id = -1;
    if (!(a->conn = virConnectOpen(a->uri)))
        return false;
    uri = virConnectGetURI(a->conn);
    a->system = uri && strstr(uri, ":///system") != NULL;
    /* A dead daemon behind a live socket is noticed by keepalive; not
     * every driver has it (then the socket's end is the only sign). */
    virConnectSetKeepAlive(a->conn, TG_AGENT_KEEPALIVE_INTERVAL, TG_AGENT_KEEPALIVE_COUNT);
    virConnectRegisterCloseCallback(a->conn, agent_close_cb, a, NULL);
    return true;
}

static bool
agent_subscribe(TgAgent *a)
{
    a->lifecycle_id = virConnectDomainEventRegisterAny(a->conn, NULL,
                                                       VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                       VIR_DOMAIN_EVENT_CALLBACK(agent_lifecycle_cb),
                                                       a, NULL);
    return a->lifecycle_id >= 0;
}

static void
agent_disconnect(TgAgent *a)
{
    if (!a->conn)
        return;
    if (a->lifecycle_id >= 0 && !a->closed)
        virConnectDomainEventDeregisterAny(a->conn, a->lifecycle_id);
    a->lifecycle_id = -1;
    virConnectUnregisterCloseCallback(a->conn, agent_close_cb);
    /* Events of the old connection are of no use once it is gone: the
     * adoption after the next connection covers those guests. */
    while (!g_queue_is_empty(&a->pending))
        agent_event_free(g_queue_pop_head(&a->pending));
    virConnectClose(a->conn);
    a->conn = NULL;
}

static void
agent_timer_cb(int timer G_GNUC_UNUSED, void *opaque)
{
    *(bool *)opaque = true;
}

/* Run the event loop for `seconds` or until a signal. */
static void
agent_sleep(int seconds)
{
    bool fired = false;
    int t = virEventAddTimeout(seconds * 1000, agent_timer_cb, &fired, NULL);

    if (t < 0) {
        sleep((unsigned)seconds);
        return;
    }
    while (!fired && !tg_agent_quit)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(t);
}

static bool
agent_signals(GError **error)
{
    struct sigaction sa = { 0 };

    if (!g_unix_open_pipe(tg_agent_wake, FD_CLOEXEC, error) ||
        !g_unix_set_fd_nonblocking(tg_agent_wake[0], TRUE, error) ||
        !g_unix_set_fd_nonblocking(tg_agent_wake[1], TRUE, error))
        return false;
    sa.sa_handler = agent_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return true;
}

int
tg_cli_agent_main(int argc, char **argv)
{
    g_autofree char *uri = NULL, *audit_file = NULL;
    gboolean once = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri,
          "libvirt URI of this host's daemon (default: libvirt's default URI)", "URI" },
        { "once", 0, 0, G_OPTION_ARG_NONE, &once,
          "Adopt the running guests once and exit (no event loop)", NULL },
        { "audit-file", 0, 0, G_OPTION_ARG_FILENAME, &audit_file,
          "Also append every record to FILE as one logfmt line", "FILE" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- write boot records into the live definitions of guests booted here");
    g_autoptr(GError) err = NULL;
    TgAgent a = { 0 };
    int backoff = 1;
    bool was_connected = false;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "On every fresh boot of a guest (libvirt's STARTED_BOOTED event) stores its nominal\n"
        "TSC rate in its live definition (virsh metadata DOMAIN urn:tscgate:lineage:1).\n"
        "See tscgate-agent(8). Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("agent", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc != 1)
        return tg_cli_error("agent", TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);

    a.uri = uri;
    a.audit_file = audit_file;
    a.lifecycle_id = -1;
    g_queue_init(&a.pending);
    tg_cli_libvirt_quiet();
    xmlSetGenericErrorFunc(NULL, tg_xml_quiet);
    if (virEventRegisterDefaultImpl() < 0)
        return tg_cli_error("agent", TG_EXIT_USAGE, "cannot set up libvirt's event loop: %s",
                            virGetLastErrorMessage());

    if (once) {
        if (!agent_connect(&a))
            return tg_cli_error("agent", TG_EXIT_USAGE, "cannot connect to %s: %s",
                                uri ? uri : "libvirt's default URI", virGetLastErrorMessage());
        if (!agent_adopt(&a, &err)) {
            agent_disconnect(&a);
            return tg_cli_error("agent", TG_EXIT_USAGE, "%s", err->message);
        }
        agent_disconnect(&a);
        return TG_EXIT_ALLOW;
    }

    if (!agent_signals(&err))
        return tg_cli_error("agent", TG_EXIT_USAGE, "cannot set up signal handling: %s",
                            err->message);
    if (virEventAddHandle(tg_agent_wake[0], VIR_EVENT_HANDLE_READABLE, agent_wake_cb, NULL,
                          NULL) < 0)
        return tg_cli_error("agent", TG_EXIT_USAGE, "cannot watch the signal pipe: %s",
                            virGetLastErrorMessage());

    while (!tg_agent_quit) {
        if (!agent_connect(&a)) {
            agent_log_connection(&a, LOG_WARNING, "failed",
                                 "cannot connect to %s: %s; retrying in %d s",
                                 uri ? uri : "libvirt's default URI", virGetLastErrorMessage(),
                                 backoff);
            agent_sleep(backoff);
            backoff = MIN(backoff * 2, TG_AGENT_BACKOFF_MAX_S);
            continue;
        }
        /* Subscribe first: a guest that boots while the running ones are
         * adopted is stamped by its event (a second stamp only replaces
         * the first). */
        if (!agent_subscribe(&a)) {
            agent_log_connection(&a, LOG_WARNING, "failed",
                                 "cannot subscribe to lifecycle events: %s; retrying in %d s",
                                 virGetLastErrorMessage(), backoff);
            agent_disconnect(&a);
            agent_sleep(backoff);
            backoff = MIN(backoff * 2, TG_AGENT_BACKOFF_MAX_S);
            continue;
        }
        backoff = 1;
        agent_log_connection(&a, LOG_INFO, was_connected ? "reconnected" : "connected",
                             "%s to %s, listening for guest starts",
                             was_connected ? "reconnected" : "connected",
                             uri ? uri : "libvirt's default URI");
        was_connected = true;
        /* A listing that fails is logged; the events still come. */
        agent_adopt(&a, NULL);
        agent_drain(&a);
        while (!tg_agent_quit && !a.closed) {
            if (virEventRunDefaultImpl() < 0)
                break;
            agent_drain(&a);
        }
        if (!tg_agent_quit)
            agent_log_connection(&a, LOG_WARNING, "disconnected",
                                 "connection to %s lost; reconnecting",
                                 uri ? uri : "libvirt's default URI");
        agent_disconnect(&a);
        if (!tg_agent_quit)
            agent_sleep(backoff);
    }
    agent_disconnect(&a);
    agent_log_connection(&a, LOG_INFO, "stopped", "stopped by a signal");
    return TG_EXIT_ALLOW;
}
