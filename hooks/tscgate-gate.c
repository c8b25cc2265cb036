/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
 * Fail-open never covers what libvirt passes for the guest: wrong
 * arguments, a domain XML the gate refuses (any guest's owner can add
 * metadata that breaks the gate's input bounds: `virsh metadata`), or a
 * deadline while that XML is read, parsed or decided on.
 *
 * Never hangs libvirt: nothing the gate reads, writes or sends can block
 * (tg-file.h, tg-hostcache.h, tg-log.h; stdout and stderr, pipes libvirt
 * may stop reading, are written within the deadline: write_fd_until),
 * and a watchdog thread enforces a deadline on the whole run (hook.conf
 * deadline=, default TG_HOOK_DEFAULT_DEADLINE_S): when it expires the
 * watchdog answers like any other failure (code "deadline", the line
 * naming the phase the gate was in), logs the record and _exit()s. SIGPIPE is ignored, so a reader
 * gone from stdout is an output error that is logged like the others.
 *
 * The run is read (gate_read), decide (gate_decide), emit (gate_emit);
 * gate_fail() answers for any step that could not finish.
 *
 * The gate never calls back into libvirt (that would deadlock: libvirt
 * waits for the hook synchronously) and does not link it.
 *
 * Environment (libvirt passes a clean one, so these are for tests and
 * staged roll-outs): TSCGATE_CONFIG_DIR, TSCGATE_RUNTIME_DIR,
 * TSCGATE_TRUST_UID (owner expected of the config files, default 0),
 * TSCGATE_FAKE_NOW (UTC seconds stamped into records, tests only),
 * TSCGATE_JOURNAL_SOCKET and TSCGATE_SYSLOG_SOCKET (journald and syslog
 * socket paths, tests only), TSCGATE_LIBVIRT_SAVE_DIR (where libvirt's
 * managed save images are, tests only). None of them gives more power than
 * TSCGATE_CONFIG_DIR already does (whoever sets the gate's environment
 * picks its policy), and libvirt runs hooks with a clean environment
 * (src/util/virhook.c virHookCall, virCommandAddEnvPassCommon).
 */
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
#include "tg-config.h"
#include "tg-configcache.h"
#include "tg-inventory.h"
#include "tg-trust.h"
#include "tg-gate.h"

/* Where libvirt keeps managed save images (cfg->saveDir of a system
 * libvirtd: LOCALSTATEDIR/lib/libvirt/qemu/save, src/qemu/qemu_conf.c;
 * qemuDomainManagedSavePath names them NAME.save), whatever tscgate's
 * prefix. */
#ifndef TG_LIBVIRT_SAVE_DIR
#define TG_LIBVIRT_SAVE_DIR "/var/lib/libvirt/qemu/save"
#endif

static TgHostFacts *
probe_this_host(gpointer data)
{
    tg_gate_phase(data, "probing /dev/kvm");
    return tg_probe_host(NULL);
}

/* Clock synchronisation, clocksources, the TSC-unstable mark, the cpufreq
 * policy: read at every run, the cache keeps only what a boot fixes. */
static void
refresh_this_host(TgHostFacts *facts, gpointer data)
{
    tg_gate_phase(data, "reading this host's clock and TSC health");
    tg_probe_per_run(facts, NULL);
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

/* Load hook.conf and policy.xml (when present) into `g` and `policy`
 * (tg-config.h, as `tscgate config test` loads them; `dir_checked` as
 * there, shared with load_host_facts). Returns false with `code` and
 * `error` for the first problem; the policy is still read after a
 * hook.conf problem, so fail-open is known. */
static bool
load_config(TgGate *g, const char *config_dir, bool *dir_checked, TgPolicy **policy,
            const char **code, GError **error)
{
    g_autoptr(TgHookConf) conf = NULL;
    g_autofree char *cache_note = NULL;
    g_autofree char *digest = NULL;
    bool ok;
    GError *conf_err = NULL;

    tg_gate_phase(g, "reading hook.conf");
    if (tg_config_load_hookconf(config_dir, g->uid, dir_checked, &conf, &conf_err) && conf) {
        tg_gate_set(g, &g->audit_file, g_steal_pointer(&conf->audit_file));
        tg_gate_set_deadline(g, conf->deadline_s);
    }

    tg_gate_phase(g, "loading the policy");
    ok = tg_config_load_policy(config_dir, g->uid, dir_checked, g->runtime_dir, policy,
                               &cache_note, &digest, error);
    /* the record's policy digest, that of the bytes loaded, also when they
     * did not parse */
    tg_gate_set(g, &g->policy_digest, g_steal_pointer(&digest));
    if (!ok) {
        g_clear_error(&conf_err);
        *code = "policy-error";
        return false;
    }
    if (cache_note)
        tg_gate_note(g, "policy", cache_note);
    if (*policy) {
        g_mutex_lock(&g->lock);
        g->mode = tg_policy_mode(*policy);
        g->fail_open = tg_policy_fail_open(*policy);
        g_mutex_unlock(&g->lock);
    }
    if (conf_err) {
        g_propagate_error(error, conf_err);
        *code = "hook-conf-error";
        return false;
    }
    return true;
}

/* This host's facts when host.xml states some: host.xml speaks for every
 * fact it states and for the KVM facts (TSC rate and scaling) whether it
 * states them or not (a `virsh capabilities` without a TSC counter is
 * libvirt saying it found none; no KVM VM is created for host.xml users);
 * every other fact it leaves unknown, health included, is read from this
 * host now (tg_probe_host() without the KVM device). Returns a new
 * object. */
static TgHostFacts *
host_facts_complete(TgGate *g, const TgHostFacts *stated)
{
    TgProbeOptions opts = { .skip_kvm = true };
    TgHostFacts *f;
    const TgHostFactField *fields;
    gsize n_fields = 0;
    bool probed = false;

    tg_gate_phase(g, "reading this host's facts host.xml does not state");
    f = tg_probe_host(&opts);
    fields = tg_host_facts_fields(&n_fields);
    for (gsize i = 0; i < n_fields; i++) {
        const TgFactNote *s = (const TgFactNote *)((const char *)stated + fields[i].offset);
        const TgFactNote *p = (const TgFactNote *)((const char *)f + fields[i].offset);

        if (!s->known && p->known)
            probed = true;
    }
    tg_host_facts_overlay(f, stated, "host.xml");
    f->tsc_hz.value = stated->tsc_hz.value;
    tg_fact_note_copy(&f->tsc_hz.note, &stated->tsc_hz.note);
    f->tsc_scaling.value = stated->tsc_scaling.value;
    tg_fact_note_copy(&f->tsc_scaling.note, &stated->tsc_scaling.note);
    tg_gate_set(g, &g->host_facts_from, g_strdup(probed ? "host.xml+probe" : "host.xml"));
    return f;
}

/* This host's facts: CONFIG_DIR/host.xml when present (trust-checked,
 * unless `dir_checked` says load_config did), completed by the probe
 * (host_facts_complete), else the per-boot probe cache with the per-run
 * facts read now. */
static TgHostFacts *
load_host_facts(TgGate *g, const char *config_dir, bool *dir_checked, GError **error)
{
    g_autofree char *boot_id = NULL;
    g_autoptr(GError) cache_err = NULL;
    TgHostcacheResult res;
    TgHostFacts *f = NULL;
    bool was_read = false;
    bool ok;

    tg_gate_phase(g, "reading host.xml");
    ok = tg_config_load_host_xml(config_dir, g->uid, dir_checked, &f, &was_read, error);
    if (was_read)
        tg_gate_set(g, &g->host_facts_from, g_strdup("host.xml"));
    if (!ok)
        return NULL;
    if (f) {
        g_autoptr(TgHostFacts) stated = f;

        return host_facts_complete(g, stated);
    }
    tg_gate_phase(g, "reading the probe cache");
    boot_id = tg_hostcache_boot_id(NULL, &cache_err);
    if (boot_id)
        f = tg_hostcache_get(g->runtime_dir, boot_id, g->uid, probe_this_host,
                             refresh_this_host, g, &res, &cache_err);
    else
        f = tg_hostcache_get(NULL, NULL, g->uid, probe_this_host, refresh_this_host, g, &res,
                             NULL);
    tg_gate_set(g, &g->host_facts_from,
             g_strdup(res == TG_HOSTCACHE_HIT ? "probe-cache"
                      : res == TG_HOSTCACHE_STORED ? "probe" : "probe-uncached"));
    if (cache_err)
        tg_gate_note(g, "probe cache not used", cache_err->message);
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

/* What gate_read() gathers. */
typedef struct {
    TgPolicy *policy;
    char *xml;                /* the domain XML from stdin */
    gsize len;
    xmlDoc *doc;              /* parsed once: read here, the record written into it */
    TgGuestProfile *guest;
    TgHostFacts *dest;
} TgGateInput;

static void
gate_input_clear(TgGateInput *in)
{
    g_clear_pointer(&in->policy, tg_policy_free);
    g_clear_pointer(&in->xml, g_free);
    g_clear_pointer(&in->doc, xmlFreeDoc);
    g_clear_pointer(&in->guest, tg_guest_profile_free);
    g_clear_pointer(&in->dest, tg_host_facts_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgGateInput, gate_input_clear)

/* What gate_decide() makes of it. */
typedef struct {
    TgEvaluation *eval;
    TgLineage *rec;           /* the lineage record written, or NULL */
    char *out;                /* the domain XML for stdout, or NULL (unchanged) */
    bool allowed;
    bool audited;             /* a denial that audit mode lets through */
} TgGateVerdict;

static void
gate_verdict_clear(TgGateVerdict *v)
{
    g_clear_pointer(&v->eval, tg_evaluation_free);
    g_clear_pointer(&v->rec, tg_lineage_free);
    g_clear_pointer(&v->out, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgGateVerdict, gate_verdict_clear)

/* Read everything the decision needs: configuration, argv, the domain XML
 * on stdin, this host's facts. Returns false with `code` and `error`. */
static bool
gate_read(TgGate *g, int argc, const char *config_dir, TgGateInput *in, const char **code,
          GError **error)
{
    /* the configuration directory is trust-checked once for its files */
    bool dir_checked = false;

    if (!load_config(g, config_dir, &dir_checked, &in->policy, code, error))
        return false;
    if (argc < 4) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                    "wrong arguments: expected GUEST OP SUBOP EXTRA as libvirt passes them, got %d",
                    argc - 1);
        *code = "usage-error";
        return false;
    }
    tg_gate_phase_input(g, "reading the domain XML from stdin");
    *code = "input-error";
    if (!tg_read_file("-", &in->xml, &in->len, error))
        return false;
    tg_gate_phase_input(g, "parsing the domain XML");
    in->doc = tg_xml_parse(in->xml, in->len, TG_STDIN_NAME, error);
    if (in->doc)
        in->guest = tg_guest_profile_from_doc(in->doc, error);
    if (!in->guest)
        return false;
    if (in->guest->name)
        tg_gate_set(g, &g->guest_esc, tg_escape_untrusted(in->guest->name));
    if (in->guest->uuid)
        tg_gate_set(g, &g->uuid_esc, tg_escape_untrusted(in->guest->uuid));
    if (in->guest->lineage_ignored)
        tg_gate_note(g, "lineage record ignored", in->guest->lineage_ignored);

    *code = "host-facts-error";
    in->dest = load_host_facts(g, config_dir, &dir_checked, error);
    return in->dest != NULL;
}

/* The run's boot began at this UTC second (now - CLOCK_BOOTTIME), or 0. */
static gint64
boot_started_at(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return 0;
    return g_get_real_time() / G_USEC_PER_SEC - (gint64)ts.tv_sec;
}

/* Where a `restore` happens (doc/tsc-model.md, "Restore"): on the host
 * that saved the image when libvirt's managed save image of the guest is
 * there (qemuDomainObjStart restores SAVEDIR/NAME.save and deletes it only
 * afterwards: `virsh start` after `virsh managedsave`, libvirt-guests), in
 * this boot when it was written after the boot began; else when the
 * lineage record's newest hop names this host with this host's exact
 * rate (its boot unknown). `why` receives how it is known (static). */
static TgSameHost
restore_place(const TgGateInput *in, const char *name, const char **why)
{
    const char *env = g_getenv("TSCGATE_LIBVIRT_SAVE_DIR");
    const char *dir = env && *env ? env : TG_LIBVIRT_SAVE_DIR;
    const TgHop *hop = tg_lineage_last_hop(in->guest->lineage);
    const TgHostFacts *h = in->dest;
    struct stat st;

    /* libvirt refuses '/' in domain names (virDomainDefParseXML); a name
     * that could leave the directory is not a managed save image. */
    if (name && *name && *name != '.' && !strchr(name, '/')) {
        g_autofree char *base = g_strconcat(name, ".save", NULL);
        g_autofree char *path = g_build_filename(dir, base, NULL);

        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            gint64 boot = boot_started_at();

            if (boot > 0 && (gint64)st.st_mtime >= boot) {
                *why = "libvirt's managed save image of this guest, written in this boot";
                return TG_SAME_HOST_SAME_BOOT;
            }
            *why = "libvirt's managed save image of this guest, written before this boot";
            return TG_SAME_HOST_EARLIER_BOOT;
        }
    }
    if (hop && hop->host && hop->host_hz && h->hostname.note.known && h->hostname.value &&
        strcmp(hop->host, h->hostname.value) == 0 && h->tsc_hz.note.known &&
        h->tsc_hz.value == hop->host_hz) {
        *why = "the lineage record's newest hop is on this host, at its rate";
        return TG_SAME_HOST_EARLIER_BOOT;
    }
    *why = NULL;
    return TG_SAME_HOST_NO;
}

/* What the gate knows of this run beyond the XML's clock (the engine's
 * TgRunContext). */
static void
gate_run_context(const TgGate *g, const TgGateInput *in, const char *name, TgRunContext *run)
{
    memset(run, 0, sizeof(*run));
    if (strcmp(g->op, "restore") == 0) {
        run->operation = TG_OP_RESTORE;
        run->same_host = restore_place(in, name, &run->same_host_why);
        return;
    }
    run->operation = TG_OP_MIGRATE;
    /* libvirt formats the incoming definition for the hook from an
     * inactive parse (qemuMigrationAnyPrepareDef) for live and offline
     * migrations alike; what a run leaves that survives it is
     * <resource><partition>, which qemuInitCgroup adds to every guest it
     * starts where it manages cgroups. */
    run->definition_not_running =
        !tg_xml_child(xmlDocGetRootElement(in->doc), NULL, "resource");
}

/* Evaluate, and for an allowed run that records lineage, build the domain
 * XML with the new record. Returns false with `code` and `error`. */
static bool
gate_decide(TgGate *g, const TgGateInput *in, const char *name, TgGateVerdict *v,
            const char **code, GError **error)
{
    const TgDecision *d;
    guint hop_limit = TG_DEFAULT_HOP_LIMIT;
    bool record = false;
    bool strip = false;
    TgRunContext run;

    tg_gate_phase_input(g, "deciding");
    gate_run_context(g, in, name, &run);
    v->eval = tg_evaluate_run(in->guest, NULL, in->dest, in->policy, &run);
    d = v->eval->decision;
    v->audited = d->verdict == TG_VERDICT_DENY && v->eval->mode == TG_MODE_AUDIT;
    v->allowed = tg_evaluation_allows(v->eval);
    for (guint i = 0; i < d->adjustments->len; i++) {
        const TgAdjustment *a = &g_array_index(d->adjustments, TgAdjustment, i);

        if (a->kind == TG_ADJUST_RECORD_LINEAGE) {
            record = true;
            hop_limit = a->hop_limit;
        } else if (a->kind == TG_ADJUST_STRIP_LINEAGE) {
            strip = true;
        }
    }
    if (v->allowed && strip) {
        guint removed = 0;

        v->out = tg_lineage_strip_domain(in->xml, in->len, TG_STDIN_NAME, &removed, error);
        if (!v->out) {
            *code = "output-error";
            return false;
        }
        if (removed == 0)
            g_clear_pointer(&v->out, g_free);   /* nothing to take out: unchanged */
        else
            tg_gate_note(g, "lineage record taken out",
                      "an offline migration: the definition does not run");
        return true;
    }
    if (v->allowed && record) {
        const char *host = in->dest->hostname.note.known && in->dest->hostname.value
                               ? in->dest->hostname.value : g_get_host_name();

        v->rec = tg_lineage_next(in->guest->lineage, d, g->op, host, g->now, hop_limit);
        v->out = tg_lineage_rewrite_doc(in->doc, in->xml, in->len, v->rec, error);
        if (!v->out) {
            *code = "output-error";
            return false;
        }
    }
    return true;
}

/* Answer: the domain XML to stdout (allowed, recording lineage), the
 * record to the logs, the line to stderr (denied). Returns the exit
 * status. */
static int
gate_emit(TgGate *g, const TgGateInput *in, const TgGateVerdict *v)
{
    const TgDecision *d = v->eval->decision;
    g_auto(TgFields) f = { 0 };
    g_autoptr(TgLogRecord) r = NULL;
    g_autofree char *prefix = NULL;
    g_autofree char *reason = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *log_note = NULL;

    if (!tg_gate_claim(g))
        tg_gate_wait_for_watchdog();
    if (v->out) {
        static const char writing[] = "writing the domain XML to stdout";
        gint64 until;
        guint deadline_s;

        g_mutex_lock(&g->lock);
        g->phase = writing;
        g->stdout_started = true;
        until = g->deadline_us;
        deadline_s = g->deadline_s;
        g_mutex_unlock(&g->lock);
        /* within the deadline: the watchdog cannot answer for a run that
         * has claimed its answer */
        if (!tg_gate_write_fd_until(STDOUT_FILENO, v->out, strlen(v->out), until)) {
            int e = errno;
            g_autofree char *what = NULL;

            if (e == ETIMEDOUT) {
                what = g_strdup_printf("no answer within %u s: still %s", deadline_s, writing);
                return tg_gate_fail_claimed(g, "deadline", what, writing, false);
            }
            what = g_strdup_printf("cannot write the domain XML to stdout: %s", g_strerror(e));
            return tg_gate_fail_claimed(g, "output-error", what, NULL, false);
        }
    }

    /* The record: the decision's fields (tg-fields.h), then the older
     * names queries already use (TSCGATE_REASON is the code). */
    tg_fields_from_evaluation(&f, in->guest, v->eval);
    g_mutex_lock(&g->lock);
    prefix = tg_gate_guest_prefix(g);
    g->source_name = g_strdup(f.v[TG_F_SOURCE]);
    if (in->dest->hostname.note.known && in->dest->hostname.value && *in->dest->hostname.value)
        g->dest_name = g_strdup(in->dest->hostname.value);
    g_mutex_unlock(&g->lock);
    reason = tg_log_escape_controls(d->reason);
    msg = g_strdup_printf("%s %s %s: %s", prefix, g->op, outcome_word(d, v->audited), reason);
    r = tg_log_record_new(d->verdict == TG_VERDICT_DENY ? LOG_WARNING
                          : d->verdict == TG_VERDICT_WARN ? LOG_NOTICE : LOG_INFO, msg);
    tg_log_record_add(r, "TSCGATE_VERDICT", tg_verdict_to_string(d->verdict));
    tg_log_record_add(r, "TSCGATE_OUTCOME", v->allowed ? "allowed" : "denied");
    tg_log_record_add(r, "TSCGATE_REASON", d->code);
    tg_log_record_add(r, "MESSAGE_ID", v->audited ? TG_MSGID_AUDIT : TG_MSGID_DECISION);
    {
        /* tg_gate_log() adds what every record names, after these */
        bool later[TG_F_COUNT] = { [TG_F_OP] = true, [TG_F_MODE] = true, [TG_F_GUEST] = true,
                                   [TG_F_UUID] = true, [TG_F_DESTINATION] = true,
                                   [TG_F_SOURCE] = true, [TG_F_POLICY_DIGEST] = true,
                                   [TG_F_TSCGATE_VERSION] = true };

        tg_log_record_add_fields(r, &f, later);
    }
    tg_log_record_add(r, "TSCGATE_NOMINAL_ORIGIN", tg_nominal_origin_to_string(d->guest_hz_origin));
    tg_log_record_add(r, "TSCGATE_SCALING", tg_tri_to_string(d->dest_scaling));
    tg_log_record_add(r, "TSCGATE_DEPENDENCE", tg_dependence_to_string(d->dependence));
    tg_log_record_add(r, "TSCGATE_LINEAGE", v->rec ? "recorded" : "unchanged");
    log_note = tg_gate_log(g, r, true);

    if (v->allowed)
        return 0;
    tg_gate_print_line(g, msg, log_note);
    return 1;
}

static int
gate_run(TgGate *g, int argc, char **argv)
{
    g_autofree char *config_dir = tg_config_dir();
    g_auto(TgGateInput) in = { 0 };
    g_auto(TgGateVerdict) v = { 0 };
    g_autoptr(GError) err = NULL;
    const char *code = NULL;

    g->config_dir = config_dir;
    g->now = gate_now();
    g->uid = tg_config_trust_uid();
    g->op = argc >= 3 ? argv[2] : "(no operation)";
    g->guest_esc = tg_escape_untrusted(argc >= 2 ? argv[1] : "");
    g->mode = TG_MODE_ENFORCE;
    g->phase = "starting";
    g->runtime_dir = tg_hostcache_dir();
    g->sinks.journal_socket = g_getenv("TSCGATE_JOURNAL_SOCKET");
    g->sinks.syslog_socket = g_getenv("TSCGATE_SYSLOG_SOCKET");

    /* The trampoline only sends migrate/restore begin; anything else that
     * reaches the gate is not ours to gate either. */
    if (argc >= 4 && ((strcmp(argv[2], "migrate") != 0 && strcmp(argv[2], "restore") != 0) ||
                      strcmp(argv[3], "begin") != 0))
        return 0;

    tg_gate_start_watchdog(g);
    if (!gate_read(g, argc, config_dir, &in, &code, &err) ||
        !gate_decide(g, &in, argv[1], &v, &code, &err))
        return tg_gate_fail(g, code, err->message);
    return gate_emit(g, &in, &v);
}

int
main(int argc, char **argv)
{
    /* Static: the watchdog thread waits on it and may outlive main(). */
    static TgGate g;
    int rc;

    /* A reader gone from stdout or stderr is an error to log, not a death
     * before the record is written. */
    signal(SIGPIPE, SIG_IGN);
    g_mutex_init(&g.lock);
    g_cond_init(&g.changed);
    /* Every path through gate_run() that returns has claimed the answer
     * (or never started the watchdog): a watchdog still asleep will not
     * answer any more. */
    rc = gate_run(&g, argc, argv);
    g_mutex_lock(&g.lock);
    tg_gate_clear(&g);
    g_mutex_unlock(&g.lock);
    return rc;
}
