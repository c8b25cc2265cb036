/* tscgate: `tscgate plan`, every guest on every other host (tg-cli.h).
 *
 * Guests and host facts come from files, directories of *.xml, and
 * libvirt connections (running guests and capabilities, read concurrently,
 * each under a deadline); the pairs are decided by src/lib/tg-plan.c
 * through the hook's evaluation. Output: a table for people, JSON, CSV.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WITH_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

#include "tg-cli.h"
#include "tg-cli-plan.h"
#include "tg-file.h"
#include "tg-plan.h"
#include "tg-report.h"

#define TG_PLAN_CMD "plan"
#define TG_PLAN_DEFAULT_TIMEOUT 30

/* ---- inputs ---- */

static bool tg_plan_load_hosts(TgPlan *plan, char **paths, GError **error);

static gint
tg_plan_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.xml files of `path` in name order, or `path` itself when it is not
 * a directory. Returns false with `error`. */
static bool
tg_plan_expand(const char *path, GPtrArray *out, GError **error)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(out, g_strdup(path));
        return true;
    }
    if (!(dir = g_dir_open(path, 0, &err))) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, err->message);
        return false;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)))
        if (g_str_has_suffix(name, ".xml") && name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, tg_plan_name_cmp);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(out, g_build_filename(path, (const char *)names->pdata[i], NULL));
    return true;
}

/* "NAME" of ".../NAME.xml". */
static char *
tg_plan_file_name(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    if (g_str_has_suffix(base, ".xml") && strlen(base) > 4)
        base[strlen(base) - 4] = '\0';
    return g_steal_pointer(&base);
}

TgPlan *
tg_cli_plan_load_hosts(char **paths, GError **error)
{
    g_autoptr(TgPlan) plan = tg_plan_new();

    if (!tg_plan_load_hosts(plan, paths, error))
        return NULL;
    if (!plan->hosts->len) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "no host facts (*.xml) in %s",
                    paths && *paths ? paths[0] : "the paths given");
        return NULL;
    }
    return g_steal_pointer(&plan);
}

static bool
tg_plan_load_hosts(TgPlan *plan, char **paths, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    for (char **p = paths; p && *p; p++)
        if (!tg_plan_expand(*p, files, error))
            return false;
    for (guint i = 0; i < files->len; i++) {
        const char *f = files->pdata[i];
        g_autofree char *name = tg_plan_file_name(f);
        TgHostFacts *facts = tg_host_facts_load(f, error);

        if (!facts || !tg_plan_add_host(plan, facts, f, name, error))
            return false;
    }
    return true;
}

static bool
tg_plan_load_guests(TgPlan *plan, char **paths, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    for (char **p = paths; p && *p; p++)
        if (!tg_plan_expand(*p, files, error))
            return false;
    for (guint i = 0; i < files->len; i++) {
        const char *f = files->pdata[i];
        g_autofree char *name = tg_plan_file_name(f);
        TgGuestProfile *g = tg_guest_profile_load(f, error);

        if (!g)
            return false;
        tg_plan_add_guest(plan, g, f, name, NULL);
    }
    return true;
}

/* ---- libvirt connections ---- */

struct _TgPlanConnSet {
    GMutex lock;
    GCond cond;
    gint refs;        /* the main thread's and every worker's */
    gsize n_done;
    bool guests;      /* read the running guests too */
    GPtrArray *conns; /* TgPlanConn* */
};

void
tg_plan_conn_set_lock(TgPlanConnSet *s)
{
    g_mutex_lock(&s->lock);
}

void
tg_plan_conn_set_unlock(TgPlanConnSet *s)
{
    g_mutex_unlock(&s->lock);
}

GPtrArray *
tg_plan_conn_set_conns(TgPlanConnSet *s)
{
    return s->conns;
}

static void
tg_plan_conn_free(gpointer data)
{
    TgPlanConn *c = data;

    g_free(c->uri);
    g_free(c->error);
    g_free(c->hostname);
    g_free(c->caps);
    if (c->xmls)
        g_ptr_array_unref(c->xmls);
    if (c->names)
        g_ptr_array_unref(c->names);
    g_free(c);
}

void
tg_plan_conn_set_unref(TgPlanConnSet *s)
{
    if (!g_atomic_int_dec_and_test(&s->refs))
        return;
    g_ptr_array_unref(s->conns);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    g_free(s);
}

#ifdef WITH_LIBVIRT
static void
tg_plan_libvirt_quiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

typedef struct {
    TgPlanConnSet *set;
    TgPlanConn *conn;
} TgPlanWork;

/* One connection, on its own thread: everything it reads is kept in local
 * variables and handed over under the lock, so a connection the main
 * thread gave up on changes nothing it reports. */
static gpointer
tg_plan_conn_thread(gpointer data)
{
    TgPlanWork *w = data;
    TgPlanConnSet *set = w->set;
    TgPlanConn *c = w->conn;
    virConnectPtr conn;
    virDomainPtr *doms = NULL;
    int n = 0;
    char *error = NULL, *hostname = NULL, *caps = NULL;
    GPtrArray *xmls = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

    g_free(w);
    if (!(conn = virConnectOpenReadOnly(c->uri))) {
        error = g_strdup_printf("cannot connect: %s", virGetLastErrorMessage());
        goto out;
    }
    if (!(caps = virConnectGetCapabilities(conn))) {
        error = g_strdup_printf("cannot read its capabilities: %s", virGetLastErrorMessage());
        goto out;
    }
    hostname = virConnectGetHostname(conn);
    if (!set->guests)
        goto out;
    if ((n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE)) < 0) {
        error = g_strdup_printf("cannot list its running guests: %s", virGetLastErrorMessage());
        n = 0;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        /* the migratable form needs a read-write connection (libvirt
         * virDomainGetXMLDesc); the live XML carries the same <clock>,
         * <cpu> and <features>, as `preflight` reads it */
        char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_MIGRATABLE);
        const char *name = virDomainGetName(doms[i]);

        if (!xml)
            xml = virDomainGetXMLDesc(doms[i], 0);
        if (!xml) {
            error = g_strdup_printf("cannot read the XML of guest %s: %s", name ? name : "?",
                                    virGetLastErrorMessage());
            break;
        }
        g_ptr_array_add(xmls, g_strdup(xml));
        g_ptr_array_add(names, g_strdup(name ? name : "?"));
        free(xml);
    }
out:
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    if (conn)
        virConnectClose(conn);
    g_mutex_lock(&set->lock);
    c->error = error;
    c->hostname = hostname ? g_strdup(hostname) : NULL;
    c->caps = caps ? g_strdup(caps) : NULL;
    c->xmls = xmls;
    c->names = names;
    c->done = true;
    set->n_done++;
    g_cond_signal(&set->cond);
    g_mutex_unlock(&set->lock);
    free(hostname);
    free(caps);
    tg_plan_conn_set_unref(set);
    return NULL;
}
#endif

TgPlanConnSet *
tg_plan_connect(char **uris, guint timeout, bool guests)
{
    TgPlanConnSet *set = g_new0(TgPlanConnSet, 1);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_SECOND;
    gsize n = 0;

    g_mutex_init(&set->lock);
    g_cond_init(&set->cond);
    set->refs = 1;
    set->guests = guests;
    set->conns = g_ptr_array_new_with_free_func(tg_plan_conn_free);
    for (char **u = uris; u && *u; u++) {
        TgPlanConn *c = g_new0(TgPlanConn, 1);

        c->uri = g_strdup(*u);
        g_ptr_array_add(set->conns, c);
        n++;
    }
#ifdef WITH_LIBVIRT
    if (n) {
        virInitialize();
        virSetErrorFunc(NULL, tg_plan_libvirt_quiet);
    }
    for (guint i = 0; i < set->conns->len; i++) {
        TgPlanWork *w = g_new0(TgPlanWork, 1);
        g_autoptr(GError) err = NULL;
        GThread *t;

        w->set = set;
        w->conn = set->conns->pdata[i];
        g_atomic_int_inc(&set->refs);
        if (!(t = g_thread_try_new("tscgate-plan", tg_plan_conn_thread, w, &err))) {
            TgPlanConn *c = set->conns->pdata[i];

            g_mutex_lock(&set->lock);
            c->error = g_strdup_printf("cannot start a thread: %s", err->message);
            c->done = true;
            set->n_done++;
            g_mutex_unlock(&set->lock);
            g_free(w);
            tg_plan_conn_set_unref(set);   /* the main thread's reference remains */
            continue;
        }
        g_thread_unref(t);
    }
    g_mutex_lock(&set->lock);
    while (set->n_done < n)
        if (!g_cond_wait_until(&set->cond, &set->lock, deadline))
            break;
    g_mutex_unlock(&set->lock);
#else
    for (guint i = 0; i < set->conns->len; i++) {
        TgPlanConn *c = set->conns->pdata[i];

        c->error = g_strdup("this tscgate was built without libvirt");
        c->done = true;
    }
    (void)deadline;
#endif
    return set;
}

/* What a connection adds to the plan: its host (unless facts files named
 * it already: what the host published wins over its daemon's
 * capabilities) and its running guests on it. Problems go to `unreachable`
 * ("URI: why"). Returns false with `error` for input that cannot be used. */
static bool
tg_plan_add_conns(TgPlan *plan, TgPlanConnSet *set, guint timeout, GPtrArray *unreachable,
                  GError **error)
{
    g_mutex_lock(&set->lock);
    for (guint i = 0; i < set->conns->len; i++) {
        TgPlanConn *c = set->conns->pdata[i];
        g_autoptr(TgHostFacts) facts = NULL;
        g_autofree char *from = NULL;
        g_autoptr(GError) err = NULL;
        const char *name;

        if (!c->done) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: no answer within %u s", c->uri,
                                                         timeout));
            continue;
        }
        if (c->error) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, c->error));
            continue;
        }
        from = g_strdup_printf("the capabilities of %s", c->uri);
        if (!(facts = tg_host_facts_parse_xml(c->caps, strlen(c->caps), from, &err))) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, err->message));
            continue;
        }
        name = c->hostname && tg_cli_host_name_ok(c->hostname) ? c->hostname : c->uri;
        if (tg_plan_find_host(plan, name) == G_MAXSIZE &&
            !tg_plan_add_host(plan, g_steal_pointer(&facts), c->uri, name, error)) {
            g_mutex_unlock(&set->lock);
            return false;
        }
        for (guint j = 0; j < c->xmls->len; j++) {
            const char *xml = c->xmls->pdata[j];
            g_autofree char *gfrom = g_strdup_printf("guest %s on %s", (char *)c->names->pdata[j],
                                                     c->uri);
            g_autoptr(GError) gerr = NULL;
            TgGuestProfile *g = tg_guest_profile_parse_xml(xml, strlen(xml), gfrom, &gerr);

            if (!g) {
                g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, gerr->message));
                continue;
            }
            tg_plan_add_guest(plan, g, c->uri, c->names->pdata[j], name);
        }
    }
    g_mutex_unlock(&set->lock);
    return true;
}

/* ---- output ---- */

typedef enum {
    TG_PLAN_TEXT,
    TG_PLAN_JSON,
    TG_PLAN_CSV,
} TgPlanFormat;

typedef struct {
    TgPlan *plan;
    const TgPolicy *policy;
    const char *policy_path;
    gsize drain;            /* host index, G_MAXSIZE = no --drain */
    bool reasons;
    bool colour;
    GPtrArray *unreachable;
    FILE *out;
} TgPlanOut;

static const char *
tg_plan_symbol(const TgPlanCell *c)
{
    if (c->self)
        return ".";
    switch (c->verdict) {
    case TG_VERDICT_ALLOW:
        return "+";
    case TG_VERDICT_WARN:
        return "~";
    case TG_VERDICT_DENY:
    default:
        return c->allowed ? "!" : "x";
    }
}

/* virt-host-validate's colours (tools/virt-host-validate-common.c):
 * green PASS, yellow WARN, red FAIL. */
static const char *
tg_plan_colour(const TgPlanCell *c)
{
    if (c->self)
        return "";
    switch (c->verdict) {
    case TG_VERDICT_ALLOW:
        return "\033[32m";
    case TG_VERDICT_WARN:
        return "\033[33m";
    case TG_VERDICT_DENY:
    default:
        return "\033[31m";
    }
}

/* The reason for one pair, formatted through the hook's evaluation and
 * naming the destination (g_free). */
static char *
tg_plan_reason(const TgPlanOut *o, gsize gi, gsize hi)
{
    const TgPlanGuest *g = g_ptr_array_index(o->plan->guests, gi);
    const TgPlanHost *h = g_ptr_array_index(o->plan->hosts, hi);
    g_autoptr(TgEvaluation) e = tg_evaluate(g->profile, NULL, h->facts, o->policy);

    return tg_report_name_destination(e->decision->reason, h->name);
}

static bool
tg_plan_guest_in_scope(const TgPlanOut *o, const TgPlanGuest *g)
{
    return o->drain == G_MAXSIZE || g->self == o->drain;
}

static void
tg_plan_hz_text(char *buf, gsize size, guint64 hz)
{
    if (hz)
        g_snprintf(buf, size, "%" G_GUINT64_FORMAT " Hz", hz);
    else
        g_snprintf(buf, size, "unknown");
}

static void
tg_plan_print_text(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len, width = 5;
    g_autoptr(GHashTable) codes = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) code_list = g_ptr_array_new();
    g_autofree char *pol = o->policy_path ? tg_escape_untrusted(o->policy_path)
                                          : g_strdup("the default rules");
    gsize n_nowhere = 0, n_scope = 0;

    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_autofree char *esc = tg_escape_untrusted(g->name);

        width = MAX(width, MIN(strlen(esc), 32));
    }
    fprintf(o->out, "tscgate plan: %u guest%s x %" G_GSIZE_FORMAT " host%s, decided with %s\n",
            p->guests->len, p->guests->len == 1 ? "" : "s", nh, nh == 1 ? "" : "s", pol);
    fprintf(o->out, "hosts:\n");
    for (gsize h = 0; h < nh; h++) {
        const TgPlanHost *host = g_ptr_array_index(p->hosts, h);
        g_autofree char *name = tg_escape_untrusted(host->name);
        g_autofree char *from = tg_escape_untrusted(host->from);
        char hz[32];

        tg_plan_hz_text(hz, sizeof(hz), host->facts->tsc_hz.note.known
                                            ? host->facts->tsc_hz.value : 0);
        fprintf(o->out, "  %3" G_GSIZE_FORMAT "  %s: %s, scaling %s (%s)\n", h + 1, name, hz,
                tg_tri_to_string(tg_bool_fact_tri(&host->facts->tsc_scaling)), from);
    }
    /* the host indices as column headings: tens over ones, in groups of 10 */
    if (nh >= 10) {
        fprintf(o->out, "%-*s  ", (int)width, "");
        for (gsize h = 0; h < nh; h++)
            fprintf(o->out, "%s%c", h && h % 10 == 0 ? " " : "",
                    (h + 1) >= 10 ? (char)('0' + ((h + 1) / 10) % 10) : ' ');
        fputc('\n', o->out);
    }
    fprintf(o->out, "%-*s  ", (int)width, "guest");
    for (gsize h = 0; h < nh; h++)
        fprintf(o->out, "%s%c", h && h % 10 == 0 ? " " : "", (char)('0' + (h + 1) % 10));
    fprintf(o->out, "  hosts  suggestion\n");
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_autofree char *esc = tg_escape_untrusted(g->name);

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        n_scope++;
        if (strlen(esc) > 32)
            strcpy(esc + 29, "...");
        fprintf(o->out, "%-*s  ", (int)width, esc);
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (h && h % 10 == 0)
                fputc(' ', o->out);
            if (o->colour && !c->self)
                fprintf(o->out, "%s%s\033[0m", tg_plan_colour(c), tg_plan_symbol(c));
            else
                fputs(tg_plan_symbol(c), o->out);
            if (!c->self && c->code && !g_hash_table_contains(codes, c->code)) {
                g_hash_table_insert(codes, (gpointer)c->code,
                                    GSIZE_TO_POINTER(i * nh + h + 1));
                g_ptr_array_add(code_list, (gpointer)c->code);
            }
        }
        fprintf(o->out, "  %5" G_GSIZE_FORMAT, g->n_allowed);
        if (g->pin.hz)
            fprintf(o->out, "  pin %" G_GUINT64_FORMAT " Hz: %" G_GSIZE_FORMAT
                    " more host%s", g->pin.hz, g->pin_more, g->pin_more == 1 ? "" : "s");
        if (!g->n_allowed) {
            n_nowhere++;
            fprintf(o->out, "%snowhere to go", g->pin.hz ? "; " : "  ");
        }
        fputc('\n', o->out);
    }
    fprintf(o->out, "legend: + allow, ~ allow-with-warning, x deny, ! deny (audit mode lets "
            "it through), . the guest's own host\n");
    if (code_list->len)
        fprintf(o->out, "reason codes (doc/reason-codes.md), each with its first pair:\n");
    for (guint k = 0; k < code_list->len; k++) {
        const char *code = code_list->pdata[k];
        gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(codes, code)) - 1;
        gsize gi = at / nh, hi = at % nh;
        const TgPlanGuest *g = g_ptr_array_index(p->guests, gi);
        const TgPlanHost *h = g_ptr_array_index(p->hosts, hi);
        g_autofree char *reason = tg_plan_reason(o, gi, hi);
        g_autofree char *gn = tg_escape_untrusted(g->name);
        g_autofree char *hn = tg_escape_untrusted(h->name);
        gsize count = 0;

        for (guint i = 0; i < p->guests->len; i++) {
            if (!tg_plan_guest_in_scope(o, g_ptr_array_index(p->guests, i)))
                continue;
            for (gsize j = 0; j < nh; j++) {
                const TgPlanCell *c = tg_plan_cell(p, i, j);

                count += !c->self && c->code == code;
            }
        }
        fprintf(o->out, "  %s (%" G_GSIZE_FORMAT " pair%s): %s on %s: %s\n", code, count,
                count == 1 ? "" : "s", gn, hn, reason);
    }
    if (o->drain != G_MAXSIZE) {
        const TgPlanHost *dh = g_ptr_array_index(p->hosts, o->drain);
        g_autofree char *dn = tg_escape_untrusted(dh->name);

        fprintf(o->out, "drain %s: %" G_GSIZE_FORMAT " guest%s\n", dn, n_scope,
                n_scope == 1 ? "" : "s");
        for (guint i = 0; i < p->guests->len; i++) {
            const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
            g_autofree char *gn = tg_escape_untrusted(g->name);
            bool any = false;

            if (!tg_plan_guest_in_scope(o, g))
                continue;
            fprintf(o->out, "  %s:", gn);
            for (gsize h = 0; h < nh; h++) {
                const TgPlanCell *c = tg_plan_cell(p, i, h);
                g_autofree char *hn = NULL;

                if (c->self || !c->allowed)
                    continue;
                hn = tg_escape_untrusted(((TgPlanHost *)g_ptr_array_index(p->hosts, h))->name);
                fprintf(o->out, "%s %s", any ? "," : "", hn);
                any = true;
            }
            fprintf(o->out, "%s\n", any ? "" : " nowhere to go");
        }
    }
    if (n_nowhere)
        fprintf(o->out, "%" G_GSIZE_FORMAT " guest%s with nowhere to go\n", n_nowhere,
                n_nowhere == 1 ? "" : "s");
    for (guint i = 0; i < o->unreachable->len; i++) {
        g_autofree char *esc = tg_escape_untrusted(o->unreachable->pdata[i]);

        fprintf(o->out, "not in the plan: %s\n", esc);
    }
}

/* JSON number or null for 0 (unknown). */
static void
tg_plan_json_hz(FILE *out, guint64 hz)
{
    if (hz)
        fprintf(out, "%" G_GUINT64_FORMAT, hz);
    else
        fputs("null", out);
}

static const char *
tg_plan_json_tri(TgTri t)
{
    return t == TG_TRI_YES ? "true" : t == TG_TRI_NO ? "false" : "null";
}

static void
tg_plan_print_json(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len;
    g_autoptr(GPtrArray) hnames = g_ptr_array_new_with_free_func(g_free);
    bool first = true;

    fputs("{\"hosts\":[", o->out);
    for (gsize h = 0; h < nh; h++) {
        const TgPlanHost *host = g_ptr_array_index(p->hosts, h);
        const TgHostFacts *f = host->facts;
        g_autofree char *from = tg_json_string(host->from);
        g_autofree char *digest = tg_json_string(f->policy_digest.note.known
                                                     ? f->policy_digest.value : NULL);
        g_autofree char *vendor = tg_json_string(f->cpu_vendor.note.known
                                                     ? f->cpu_vendor.value : NULL);

        g_ptr_array_add(hnames, tg_json_string(host->name));
        fprintf(o->out, "%s{\"index\":%" G_GSIZE_FORMAT ",\"name\":%s,\"from\":%s,\"tsc_hz\":",
                h ? "," : "", h + 1, (char *)hnames->pdata[h], from);
        tg_plan_json_hz(o->out, f->tsc_hz.note.known ? f->tsc_hz.value : 0);
        fprintf(o->out, ",\"scaling\":%s,\"cpu_vendor\":%s,\"policy_digest\":%s}",
                tg_plan_json_tri(tg_bool_fact_tri(&f->tsc_scaling)), vendor, digest);
    }
    fputs("],\"guests\":[", o->out);
    for (guint i = 0, n = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        TgNominalOrigin origin;
        guint64 hz = tg_guest_nominal_hz(g->profile, &origin);
        g_autofree char *name = tg_json_string(g->name);
        g_autofree char *uuid = tg_json_string(g->profile->uuid);
        g_autofree char *from = tg_json_string(g->from);
        g_autofree char *host = tg_json_string(g->host);

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        fprintf(o->out, "%s{\"name\":%s,\"uuid\":%s,\"from\":%s,\"host\":%s,"
                "\"clock_class\":\"%s\",\"guest_hz\":", n++ ? "," : "", name, uuid, from, host,
                tg_dependence_to_string(g->profile->dependence));
        tg_plan_json_hz(o->out, hz);
        fprintf(o->out, ",\"guest_hz_origin\":%s%s%s,\"mode\":\"%s\",\"allowed_hosts\":%"
                G_GSIZE_FORMAT ",\"pin\":", hz ? "\"" : "",
                hz ? tg_nominal_origin_to_string(origin) : "null", hz ? "\"" : "",
                tg_mode_to_string(g->mode), g->n_allowed);
        if (g->pin.hz)
            fprintf(o->out, "{\"frequency\":%" G_GUINT64_FORMAT ",\"hosts\":%" G_GSIZE_FORMAT
                    ",\"more_hosts\":%" G_GSIZE_FORMAT "}", g->pin.hz, g->pin.n_hosts,
                    g->pin_more);
        else
            fputs("null", o->out);
        if (o->drain != G_MAXSIZE) {
            fputs(",\"may_go_to\":[", o->out);
            for (gsize h = 0, k = 0; h < nh; h++) {
                const TgPlanCell *c = tg_plan_cell(p, i, h);

                if (!c->self && c->allowed)
                    fprintf(o->out, "%s%s", k++ ? "," : "", (char *)hnames->pdata[h]);
            }
            fputc(']', o->out);
        }
        fputc('}', o->out);
    }
    fputs("],\"decisions\":[", o->out);
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_autofree char *gname = NULL;

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        gname = tg_json_string(g->name);
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (c->self)
                continue;
            fprintf(o->out, "%s{\"guest\":%s,\"host\":%s,\"verdict\":\"%s\",\"code\":\"%s\","
                    "\"rule\":%d,\"allowed\":%s,\"effective_hz\":", first ? "" : ",", gname,
                    (char *)hnames->pdata[h], tg_verdict_to_string(c->verdict), c->code,
                    c->rule, c->allowed ? "true" : "false");
            first = false;
            tg_plan_json_hz(o->out, c->effective_hz);
            if (o->reasons) {
                g_autofree char *r = tg_plan_reason(o, i, h);
                g_autofree char *js = tg_json_string(r);

                fprintf(o->out, ",\"reason\":%s", js);
            }
            fputc('}', o->out);
        }
    }
    fputs("],\"unreachable\":[", o->out);
    for (guint i = 0; i < o->unreachable->len; i++) {
        g_autofree char *s = tg_json_string(o->unreachable->pdata[i]);

        fprintf(o->out, "%s%s", i ? "," : "", s);
    }
    fputc(']', o->out);
    if (o->drain != G_MAXSIZE) {
        g_autofree char *dn = tg_json_string(((TgPlanHost *)g_ptr_array_index(p->hosts, o->drain))->name);
        bool any = false;

        fprintf(o->out, ",\"drain\":%s,\"nowhere\":[", dn);
        for (guint i = 0; i < p->guests->len; i++) {
            const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
            g_autofree char *gn = NULL;

            if (!tg_plan_guest_in_scope(o, g) || g->n_allowed)
                continue;
            gn = tg_json_string(g->name);
            fprintf(o->out, "%s%s", any ? "," : "", gn);
            any = true;
        }
        fputc(']', o->out);
    }
    fputs("}\n", o->out);
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void
tg_plan_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void
tg_plan_print_csv(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len;

    fprintf(o->out, "guest,host,verdict,code,rule,allowed,effective_hz%s\r\n",
            o->reasons ? ",reason" : "");
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (c->self)
                continue;
            tg_plan_csv_field(o->out, g->name);
            fputc(',', o->out);
            tg_plan_csv_field(o->out, ((TgPlanHost *)g_ptr_array_index(p->hosts, h))->name);
            fprintf(o->out, ",%s,%s,%d,%s,", tg_verdict_to_string(c->verdict), c->code, c->rule,
                    c->allowed ? "yes" : "no");
            if (c->effective_hz)
                fprintf(o->out, "%" G_GUINT64_FORMAT, c->effective_hz);
            if (o->reasons) {
                g_autofree char *r = tg_plan_reason(o, i, h);

                fputc(',', o->out);
                tg_plan_csv_field(o->out, r);
            }
            fputs("\r\n", o->out);
        }
    }
}

int
tg_cli_plan_main(int argc, char **argv)
{
    g_auto(GStrv) domains = NULL, hosts = NULL, uris = NULL;
    g_autofree char *policy_path = NULL, *drain = NULL;
    gboolean json = FALSE, csv = FALSE, reasons = FALSE, no_pins = FALSE;
    gint timeout = TG_PLAN_DEFAULT_TIMEOUT;
    GOptionEntry entries[] = {
        { "domain", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &domains,
          "Guest domain XML, or a directory of *.xml (repeatable)", "PATH" },
        { "host", 'H', 0, G_OPTION_ARG_FILENAME_ARRAY, &hosts,
          "Host facts (tscgate probe, probe --publish or virsh capabilities output), or a "
          "directory of *.xml (repeatable)", "PATH" },
        { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &uris,
          "libvirt URI: its running guests and its host join the plan (repeatable)", "URI" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          "Seconds to wait for the --connect hosts (default 30)", "SECONDS" },
        { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_path,
          "Policy XML (default: the built-in default rules)", "FILE" },
        { "drain", 0, 0, G_OPTION_ARG_STRING, &drain,
          "Only the guests on HOST: where each may go, and which may go nowhere", "HOST" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
        { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print one CSV row per pair", NULL },
        { "reasons", 0, 0, G_OPTION_ARG_NONE, &reasons,
          "Give every pair's one-line reason in JSON and CSV (slower)", NULL },
        { "no-pins", 0, 0, G_OPTION_ARG_NONE, &no_pins,
          "Do not suggest rates to pin", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- decide every guest on every other host");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPlan) plan = tg_plan_new();
    g_autoptr(TgPolicy) policy = NULL;
    g_autofree char *digest = NULL;
    g_autoptr(GPtrArray) unreachable = g_ptr_array_new_with_free_func(g_free);
    TgPlanConnSet *set = NULL;
    TgPlanOut o = { 0 };
    static char obuf[1 << 16];
    bool nowhere = false;
    TgPlanFormat format;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Every guest (--domain files, the running guests of every --connect host) is\n"
        "decided on every host but its own (--host facts, the --connect hosts) as the\n"
        "destination's hook would. A guest's own host is its --connect host, else the\n"
        "host its lineage record's newest hop names. Exit status 0 when every guest\n"
        "(with --drain: every guest on HOST) may go somewhere, 1 when one may not, 2 for\n"
        "bad input; see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options(TG_PLAN_CMD, ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (json && csv)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "give either --json or --csv");
    if (!hosts && !uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--host PATH or --connect URI is required");
    if (!domains && !uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--domain PATH or --connect URI is required");
    if (timeout <= 0 || timeout > 3600)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE,
                            "--timeout %d is out of range (1 to 3600 seconds)", timeout);
    for (char **p = domains; p && *p; p++)
        if (strcmp(*p, "-") == 0)
            return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--domain - (stdin) is not supported: "
                                "give files or directories");
    for (char **p = hosts; p && *p; p++)
        if (strcmp(*p, "-") == 0)
            return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--host - (stdin) is not supported: "
                                "give files or directories");
#ifndef WITH_LIBVIRT
    if (uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE,
                            "--connect needs libvirt, and this tscgate was built without it");
#endif
    if (policy_path && !(policy = tg_cli_load_policy(policy_path, &digest, &err)))
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "%s", err->message);
    /* the connections run while the files are read */
    if (uris)
        set = tg_plan_connect(uris, (guint)timeout, true);
    if (!tg_plan_load_hosts(plan, hosts, &err) || !tg_plan_load_guests(plan, domains, &err) ||
        (set && !tg_plan_add_conns(plan, set, (guint)timeout, unreachable, &err))) {
        if (set)
            tg_plan_conn_set_unref(set);
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "%s", err->message);
    }
    if (set)
        tg_plan_conn_set_unref(set);
    for (guint i = 0; i < unreachable->len; i++) {
        g_autofree char *esc = tg_escape_untrusted(unreachable->pdata[i]);

        tg_cli_error(TG_PLAN_CMD, 0, "left out of the plan: %s", esc);
    }
    if (!plan->hosts->len)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "no host facts to plan with");
    o.drain = G_MAXSIZE;
    if (drain && (o.drain = tg_plan_find_host(plan, drain)) == G_MAXSIZE) {
        g_autofree char *esc = tg_escape_untrusted(drain);

        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--drain %s: no such host in the plan",
                            esc);
    }

    tg_plan_run(plan, policy, !no_pins);

    format = json ? TG_PLAN_JSON : csv ? TG_PLAN_CSV : TG_PLAN_TEXT;
    o.plan = plan;
    o.policy = policy;
    o.policy_path = policy_path;
    o.reasons = reasons;
    o.unreachable = unreachable;
    o.out = stdout;
    o.colour = format == TG_PLAN_TEXT && isatty(STDOUT_FILENO) && !g_getenv("NO_COLOR");
    /* nothing was written to stdout yet: a large buffer for large plans */
    setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
    switch (format) {
    case TG_PLAN_JSON:
        tg_plan_print_json(&o);
        break;
    case TG_PLAN_CSV:
        tg_plan_print_csv(&o);
        break;
    case TG_PLAN_TEXT:
    default:
        tg_plan_print_text(&o);
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "cannot write the plan: %s",
                            g_strerror(errno));
    for (guint i = 0; i < plan->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(plan->guests, i);

        if (tg_plan_guest_in_scope(&o, g) && !g->n_allowed)
            nowhere = true;
    }
    return nowhere ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}
