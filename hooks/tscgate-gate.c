/* tscgate-gate: the gate the qemu hook trampoline (tscgate-hook) execs for
 * `migrate begin` and `restore begin` on the destination host.
 *
 * argv: GUEST OP SUBOP EXTRA (as libvirt calls the hook, docs/hooks.rst);
 * stdin: the domain XML. libvirt treats `migrate` and `restore` as filters
 * (src/util/virhook.c, src/qemu/qemu_migration.c): empty stdout keeps the
 * domain, non-empty stdout replaces it (checked for ABI stability), a
 * non-zero exit aborts the operation and stderr lands in virsh's error.
 *
 * So: deny -> exit 1, stdout empty, ONE stderr line. allow / warn -> exit 0,
 * stdout = the domain with tscgate's lineage record in <metadata> (or empty
 * when the policy does not record lineage). Nothing but XML ever goes to
 * stdout. Exactly one log record per decision (tg-log.h).
 *
 * Broken input (argv, stdin, host facts, policy, hook.conf) denies with a
 * one-line reason (fail-closed) unless a readable policy says fail-open.
 *
 * The gate never calls back into libvirt (that would deadlock: libvirt
 * waits for the hook synchronously) and does not link it.
 *
 * Environment (libvirt passes a clean one, so these are for tests and
 * staged roll-outs): TSCGATE_CONFIG_DIR, TSCGATE_RUNTIME_DIR,
 * TSCGATE_TRUST_UID (owner expected of the config files, default 0),
 * TSCGATE_FAKE_NOW (UTC seconds stamped into records, tests only),
 * TSCGATE_JOURNAL_SOCKET (journald socket path, tests only).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "tg-decide.h"
#include "tg-evaluate.h"
#include "tg-guest.h"
#include "tg-hookconf.h"
#include "tg-hostcache.h"
#include "tg-hostfacts.h"
#include "tg-lineage.h"
#include "tg-log.h"
#include "tg-policy.h"
#include "tg-probe.h"
#include "tg-xml.h"
#include "tg-file.h"
#include "tg-trust.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* Everything known about one gating run, for the log record. */
typedef struct {
    const char *op;
    char *guest_esc;          /* escaped guest name */
    char *uuid_esc;           /* escaped uuid or NULL */
    gint64 now;
    TgMode mode;
    bool fail_open;
    char *audit_file;
    char *host_facts_from;    /* "host.xml", "probe cache", "probe" */
    char *note;               /* non-fatal problem to log (cache) */
} TgGate;

static void
gate_clear(TgGate *g)
{
    g_free(g->guest_esc);
    g_free(g->uuid_esc);
    g_free(g->audit_file);
    g_free(g->host_facts_from);
    g_free(g->note);
}

/* "tscgate: guest 'NAME' (UUID)" */
static char *
guest_prefix(const TgGate *g)
{
    if (g->uuid_esc)
        return g_strdup_printf("tscgate: guest '%s' (%s)", g->guest_esc, g->uuid_esc);
    return g_strdup_printf("tscgate: guest '%s'", g->guest_esc);
}

static const char *
hz_field(guint64 hz, char buf[32])
{
    if (!hz)
        return "unknown";
    g_snprintf(buf, 32, "%" G_GUINT64_FORMAT, hz);
    return buf;
}

/* Emit the one record of this run: audit file first (so a failure to
 * append can be noted in the journal/syslog record), then journal/syslog. */
static void
gate_log(const TgGate *g, TgLogRecord *r)
{
    g_autoptr(GError) err = NULL;

    tg_log_record_add(r, "TSCGATE_GUEST", g->guest_esc);
    tg_log_record_add(r, "TSCGATE_UUID", g->uuid_esc ? g->uuid_esc : "");
    tg_log_record_add(r, "TSCGATE_OP", g->op);
    tg_log_record_add(r, "TSCGATE_MODE", tg_mode_to_string(g->mode));
    if (g->host_facts_from)
        tg_log_record_add(r, "TSCGATE_HOST_FACTS", g->host_facts_from);
    if (g->note)
        tg_log_record_add(r, "TSCGATE_NOTE", g->note);
    if (g->audit_file && !tg_log_append_audit(r, g->audit_file, g->now, &err))
        tg_log_record_add(r, "TSCGATE_AUDIT_ERROR", err->message);
    tg_log_send(r, g_getenv("TSCGATE_JOURNAL_SOCKET"));
}

/* Write all of `buf` to stdout. */
static bool
write_stdout(const char *buf, gsize len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (gsize)n;
    }
    return true;
}

/* No decision could be made: deny (fail-closed) or, when the policy says
 * fail-open, allow the operation unchanged and log it loudly. Returns the
 * exit status. */
static int
gate_fail(const TgGate *g, const char *code, const char *what)
{
    g_autofree char *prefix = guest_prefix(g);
    g_autofree char *what_esc = tg_log_escape_controls(what);
    g_autofree char *msg = NULL;
    g_autoptr(TgLogRecord) r = NULL;

    if (g->fail_open)
        msg = g_strdup_printf("%s %s cannot be checked, allowed (fail-open): %s",
                              prefix, g->op, what_esc);
    else
        msg = g_strdup_printf("%s %s denied (fail-closed): %s", prefix, g->op, what_esc);
    r = tg_log_record_new(g->fail_open ? LOG_CRIT : LOG_ERR, msg);
    tg_log_record_add(r, "TSCGATE_VERDICT", "error");
    tg_log_record_add(r, "TSCGATE_OUTCOME", g->fail_open ? "allowed" : "denied");
    tg_log_record_add(r, "TSCGATE_REASON", code);
    tg_log_record_add(r, "TSCGATE_FAIL_OPEN", g->fail_open ? "yes" : "no");
    gate_log(g, r);
    if (g->fail_open)
        return 0;
    fprintf(stderr, "%s\n", msg);
    return 1;
}

/* Does `path` exist? false with `error` for anything but ENOENT. */
static bool
path_exists(const char *path, bool *exists, GError **error)
{
    struct stat st;

    if (lstat(path, &st) == 0) {
        *exists = true;
        return true;
    }
    *exists = false;
    if (errno == ENOENT)
        return true;
    {
        int e = errno;

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, g_strerror(e));
    }
    return false;
}

/* Trust-check the config directory once. */
static bool
config_dir_trusted(const char *config_dir, uid_t uid, bool *dir_checked, GError **error)
{
    if (!*dir_checked) {
        if (!tg_trust_check_path(config_dir, uid, error))
            return false;
        *dir_checked = true;
    }
    return true;
}

/* Read the config file `path` (in `config_dir`) when it exists, as every
 * config file is read: the directory trust-checked, the file opened
 * without blocking and checked on its descriptor (owner, mode, regular
 * file, at most `max` bytes; tg_file_read_trusted()). Returns false with
 * `error`; true with *buf NULL when the file does not exist. */
static bool
read_config_file(const char *config_dir, const char *path, uid_t uid, bool *dir_checked,
                 gsize max, char **buf, gsize *len, GError **error)
{
    bool exists = false;

    *buf = NULL;
    if (!path_exists(path, &exists, error))
        return false;
    if (!exists)
        return true;
    return config_dir_trusted(config_dir, uid, dir_checked, error) &&
           tg_file_read_trusted(path, uid, max, buf, len, NULL, error);
}

static TgHostFacts *
probe_this_host(gpointer unused)
{
    return tg_probe_host(NULL);
}

static gint64
gate_now(void)
{
    const char *fake = g_getenv("TSCGATE_FAKE_NOW");
    guint64 v;

    if (fake && tg_parse_u64(fake, &v) && v <= G_MAXINT64)
        return (gint64)v;
    return g_get_real_time() / G_USEC_PER_SEC;
}

static uid_t
trust_uid(void)
{
    const char *s = g_getenv("TSCGATE_TRUST_UID");
    guint64 v;

    if (s && tg_parse_u64(s, &v) && v < G_MAXUINT32)
        return (uid_t)v;
    return 0;
}

/* Load hook.conf and policy.xml (when present) into `g` and `policy`.
 * Returns false with `code` and `error` for the first problem; the policy
 * is still read after a hook.conf problem, so fail-open is known. */
static bool
load_config(TgGate *g, const char *config_dir, TgPolicy **policy,
            const char **code, GError **error)
{
    g_autofree char *conf_path = g_build_filename(config_dir, "hook.conf", NULL);
    g_autofree char *policy_path = g_build_filename(config_dir, "policy.xml", NULL);
    g_autofree char *conf_buf = NULL;
    g_autofree char *policy_buf = NULL;
    uid_t uid = trust_uid();
    bool dir_checked = false;
    gsize len = 0;
    GError *conf_err = NULL;

    if (read_config_file(config_dir, conf_path, uid, &dir_checked, TG_HOOKCONF_MAX_BYTES,
                         &conf_buf, &len, &conf_err) && conf_buf) {
        g_autoptr(TgHookConf) conf = tg_hookconf_parse(conf_buf, len, conf_path, &conf_err);

        if (conf)
            g->audit_file = g_steal_pointer(&conf->audit_file);
    }

    if (!read_config_file(config_dir, policy_path, uid, &dir_checked, TG_MAX_INPUT_BYTES,
                          &policy_buf, &len, error) ||
        (policy_buf && !(*policy = tg_policy_parse_xml(policy_buf, len, policy_path, error)))) {
        g_clear_error(&conf_err);
        *code = "policy-error";
        return false;
    }
    if (*policy) {
        const GPtrArray *inv = tg_policy_inventory_paths(*policy);

        /* The inventory speaks for guests whose frequency is unknown: its
         * files need the same trust as policy.xml. */
        for (guint i = 0; i < inv->len; i++) {
            if (!tg_trust_check_path(inv->pdata[i], uid, error)) {
                g_clear_error(&conf_err);
                *code = "policy-error";
                return false;
            }
        }
        g->mode = tg_policy_mode(*policy);
        g->fail_open = tg_policy_fail_open(*policy);
    }
    if (conf_err) {
        g_propagate_error(error, conf_err);
        *code = "hook-conf-error";
        return false;
    }
    return true;
}

/* This host's facts: CONFIG_DIR/host.xml when present (trust-checked),
 * else the per-boot probe cache. */
static TgHostFacts *
load_host_facts(TgGate *g, const char *config_dir, GError **error)
{
    g_autofree char *path = g_build_filename(config_dir, "host.xml", NULL);
    g_autofree char *dir = NULL;
    g_autofree char *boot_id = NULL;
    g_autoptr(GError) cache_err = NULL;
    g_autofree char *buf = NULL;
    TgHostcacheResult res;
    TgHostFacts *f;
    bool dir_checked = false;
    gsize len = 0;

    if (!read_config_file(config_dir, path, trust_uid(), &dir_checked, TG_MAX_INPUT_BYTES,
                          &buf, &len, error))
        return NULL;
    if (buf) {
        g->host_facts_from = g_strdup("host.xml");
        return tg_host_facts_parse_xml(buf, len, path, error);
    }
    dir = tg_hostcache_dir();
    boot_id = tg_hostcache_boot_id(NULL, &cache_err);
    if (boot_id)
        f = tg_hostcache_get(dir, boot_id, trust_uid(), probe_this_host, NULL, &res, &cache_err);
    else
        f = tg_hostcache_get(NULL, NULL, trust_uid(), probe_this_host, NULL, &res, NULL);
    g->host_facts_from = g_strdup(res == TG_HOSTCACHE_HIT ? "probe-cache"
                                  : res == TG_HOSTCACHE_STORED ? "probe" : "probe-uncached");
    if (cache_err)
        g->note = g_strdup_printf("probe cache not used: %s", cache_err->message);
    return f;
}

static const char *
outcome_word(const TgDecision *d, bool audited)
{
    if (audited)
        return "deny (audit: allowed)";
    switch (d->verdict) {
    case TG_VERDICT_ALLOW:
        return "allowed";
    case TG_VERDICT_WARN:
        return "allowed with warning";
    case TG_VERDICT_DENY:
    default:
        return "denied";
    }
}

static int
gate_run(TgGate *g, int argc, char **argv)
{
    const char *env_dir = g_getenv("TSCGATE_CONFIG_DIR");
    g_autofree char *config_dir = g_strdup(env_dir && *env_dir ? env_dir : SYSCONFDIR "/tscgate");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgHostFacts) dest = NULL;
    g_autoptr(TgEvaluation) eval = NULL;
    const TgDecision *d;
    g_autoptr(TgLineage) rec = NULL;
    g_autoptr(TgLogRecord) r = NULL;
    g_autofree char *buf = NULL;
    g_autofree char *out = NULL;
    g_autofree char *prefix = NULL;
    g_autofree char *reason = NULL;
    g_autofree char *msg = NULL;
    const char *code = NULL;
    bool audited, allowed, record = false;
    guint hop_limit = TG_DEFAULT_HOP_LIMIT;
    gsize len = 0;
    char b1[32], b2[32];

    g->now = gate_now();
    g->op = argc >= 3 ? argv[2] : "(no operation)";
    g->guest_esc = tg_escape_untrusted(argc >= 2 ? argv[1] : "");
    g->mode = TG_MODE_ENFORCE;

    /* The trampoline only sends migrate/restore begin; anything else that
     * reaches the gate is not ours to gate either. */
    if (argc >= 4 && ((strcmp(argv[2], "migrate") != 0 && strcmp(argv[2], "restore") != 0) ||
                      strcmp(argv[3], "begin") != 0))
        return 0;

    if (!load_config(g, config_dir, &policy, &code, &err))
        return gate_fail(g, code, err->message);
    if (argc < 4) {
        g_autofree char *what = g_strdup_printf(
            "wrong arguments: expected GUEST OP SUBOP EXTRA as libvirt passes them, got %d", argc - 1);
        return gate_fail(g, "usage-error", what);
    }
    if (!tg_read_file("-", &buf, &len, &err))
        return gate_fail(g, "input-error", err->message);
    guest = tg_guest_profile_parse_xml(buf, len, "stdin", &err);
    if (!guest)
        return gate_fail(g, "input-error", err->message);
    if (guest->name) {
        g_free(g->guest_esc);
        g->guest_esc = tg_escape_untrusted(guest->name);
    }
    if (guest->uuid)
        g->uuid_esc = tg_escape_untrusted(guest->uuid);

    dest = load_host_facts(g, config_dir, &err);
    if (!dest)
        return gate_fail(g, "host-facts-error", err->message);

    eval = tg_evaluate(guest, NULL, dest, policy);
    d = eval->decision;
    audited = d->verdict == TG_VERDICT_DENY && eval->mode == TG_MODE_AUDIT;
    allowed = tg_evaluation_allows(eval);
    for (guint i = 0; i < d->adjustments->len; i++) {
        const TgAdjustment *a = &g_array_index(d->adjustments, TgAdjustment, i);

        if (a->kind == TG_ADJUST_RECORD_LINEAGE) {
            record = true;
            hop_limit = a->hop_limit;
        }
    }
    if (allowed && record) {
        const char *host = dest->hostname.note.known && dest->hostname.value
                               ? dest->hostname.value : g_get_host_name();

        rec = tg_lineage_next(guest->lineage, d, g->op, host, g->now, hop_limit);
        out = tg_lineage_rewrite_domain(buf, len, "stdin", rec, &err);
        if (!out)
            return gate_fail(g, "output-error", err->message);
    }
    if (out && !write_stdout(out, strlen(out))) {
        int e = errno;
        g_autofree char *what = g_strdup_printf("cannot write the domain XML to stdout: %s",
                                                g_strerror(e));

        return gate_fail(g, "output-error", what);
    }

    prefix = guest_prefix(g);
    reason = tg_log_escape_controls(d->reason);
    msg = g_strdup_printf("%s %s %s: %s", prefix, g->op, outcome_word(d, audited), reason);
    r = tg_log_record_new(d->verdict == TG_VERDICT_DENY ? LOG_WARNING
                          : d->verdict == TG_VERDICT_WARN ? LOG_NOTICE : LOG_INFO, msg);
    tg_log_record_add(r, "TSCGATE_VERDICT", tg_verdict_to_string(d->verdict));
    tg_log_record_add(r, "TSCGATE_OUTCOME", allowed ? "allowed" : "denied");
    tg_log_record_add(r, "TSCGATE_REASON", d->code);
    tg_log_record_add(r, "TSCGATE_GUEST_HZ", hz_field(d->guest_hz, b1));
    tg_log_record_add(r, "TSCGATE_NOMINAL_ORIGIN", tg_nominal_origin_to_string(d->guest_hz_origin));
    tg_log_record_add(r, "TSCGATE_DEST_HZ", hz_field(d->dest_hz, b2));
    tg_log_record_add(r, "TSCGATE_SCALING", tg_tri_to_string(d->dest_scaling));
    tg_log_record_add(r, "TSCGATE_DEPENDENCE", tg_dependence_to_string(d->dependence));
    tg_log_record_addf(r, "TSCGATE_RULE", "%d", d->rule);
    tg_log_record_add(r, "TSCGATE_POLICY_RULE", d->policy_rule ? d->policy_rule : "");
    tg_log_record_add(r, "TSCGATE_LINEAGE", rec ? "recorded" : "unchanged");
    gate_log(g, r);

    if (allowed)
        return 0;
    fprintf(stderr, "%s\n", msg);
    return 1;
}

int
main(int argc, char **argv)
{
    TgGate g = { 0 };
    int rc = gate_run(&g, argc, argv);

    gate_clear(&g);
    return rc;
}
