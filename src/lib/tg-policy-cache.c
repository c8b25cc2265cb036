/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the compiled form of a loaded policy (see tg-policy.h): the
 * model in a small binary encoding, so that a policy and its inventory,
 * once validated, are read back without XML, RelaxNG or inventory files.
 *
 * Encoding: "TGPC", then little-endian u32 fields; u64 as two u32 (low
 * first); a string as its u32 length and bytes (no NUL), an absent string
 * as length 0xffffffff; lists as a u32 count and the items. The candidate
 * lists are derived data and are recomputed on the way in. Decoding treats
 * the bytes as untrusted: bounds on every read and count, no NUL in
 * strings, range checks on every enumeration, index and limit, and the
 * whole input consumed.
 */
#include <config.h>

#include "tg-policy-priv.h"

#include <string.h>

#define TG_COMPILED_MAGIC "TGPC"
#define TG_COMPILED_VERSION 2u
#define TG_NO_STRING G_MAXUINT32

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static void
tg_w_u32(GByteArray *b, guint32 v)
{
    guint8 x[4] = { (guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24) };

    g_byte_array_append(b, x, 4);
}

static void
tg_w_u64(GByteArray *b, guint64 v)
{
    tg_w_u32(b, (guint32)v);
    tg_w_u32(b, (guint32)(v >> 32));
}

static void
tg_w_str(GByteArray *b, const char *s)
{
    gsize n;

    if (!s) {
        tg_w_u32(b, TG_NO_STRING);
        return;
    }
    n = strlen(s);
    tg_w_u32(b, (guint32)n);
    g_byte_array_append(b, (const guint8 *)s, (guint)n);
}

static void
tg_w_settings(GByteArray *b, const TgPolicySettings *s)
{
    tg_w_u32(b, s->has_tolerance);
    tg_w_u32(b, s->tolerance_ppm);
    tg_w_u32(b, s->has_unknown_dest_scaling);
    tg_w_u32(b, s->unknown_dest_scaling);
    tg_w_u32(b, s->has_unknown_dest_frequency);
    tg_w_u32(b, s->unknown_dest_frequency);
    tg_w_u32(b, s->has_unknown_guest_frequency);
    tg_w_u32(b, s->unknown_guest_frequency);
    tg_w_u32(b, s->has_unknown_clock_sync);
    tg_w_u32(b, s->unknown_clock_sync);
    tg_w_u32(b, s->has_unknown_tsc_stability);
    tg_w_u32(b, s->unknown_tsc_stability);
    tg_w_u32(b, s->has_unsync);
    tg_w_u32(b, s->deny_unsync);
    tg_w_u32(b, s->has_unstable);
    tg_w_u32(b, s->deny_unstable);
    tg_w_u32(b, s->has_offline);
    tg_w_u32(b, s->offline_detect);
    tg_w_u32(b, s->has_unplaced);
    tg_w_u32(b, s->unplaced_same_host);
    tg_w_u32(b, s->has_record);
    tg_w_u32(b, s->record);
    tg_w_u32(b, s->has_hops);
    tg_w_u32(b, s->hops);
}

static void
tg_w_rule(GByteArray *b, const TgPolicyRule *r)
{
    tg_w_str(b, r->name);
    tg_w_u32(b, (guint32)r->line);
    tg_w_u32(b, r->matches->len);
    for (guint k = 0; k < r->matches->len; k++) {
        const TgPolicyMatch *m = r->matches->pdata[k];

        tg_w_str(b, m->glob);
        tg_w_str(b, m->uuid);
        tg_w_str(b, m->uuid_text);
        tg_w_str(b, m->tag);
        tg_w_u32(b, m->has_class);
        tg_w_u32(b, m->cls);
        tg_w_u32(b, (guint32)m->line);
    }
    tg_w_u32(b, r->force_deny);
    tg_w_str(b, r->deny_message);
    tg_w_u32(b, r->require_scaling);
    tg_w_u32(b, r->force_warn);
    tg_w_u32(b, r->has_treat_as);
    tg_w_u32(b, r->treat_as);
    tg_w_settings(b, &r->s);
    tg_w_u32(b, r->from_groups != NULL);
    tg_w_u32(b, r->from_groups ? g_strv_length(r->from_groups) : 0);
    for (char **q = r->from_groups; q && *q; q++)
        tg_w_str(b, *q);
}

void
tg_policy_compile(const TgPolicy *p, GByteArray *out)
{
    g_autoptr(GHashTable) index = g_hash_table_new(g_direct_hash, g_direct_equal);

    g_byte_array_append(out, (const guint8 *)TG_COMPILED_MAGIC, 4);
    tg_w_u32(out, TG_COMPILED_VERSION);
    tg_w_str(out, p->filename ? p->filename : "");
    tg_w_u32(out, p->mode);
    tg_w_u32(out, p->fail_open);
    tg_w_settings(out, &p->global);
    tg_w_u32(out, p->hosts->len);
    for (guint i = 0; i < p->hosts->len; i++) {
        const TgPolicyHost *h = p->hosts->pdata[i];

        g_hash_table_insert(index, (gpointer)h, GUINT_TO_POINTER(i));
        tg_w_str(out, h->name);
        tg_w_u64(out, h->hz);
        tg_w_u32(out, h->scaling);
    }
    tg_w_u32(out, p->groups->len);
    for (guint i = 0; i < p->groups->len; i++) {
        const TgPolicyGroup *g = p->groups->pdata[i];

        tg_w_str(out, g->name);
        tg_w_u32(out, (guint32)g->line);
        tg_w_u32(out, g->hosts->len);
        for (guint k = 0; k < g->hosts->len; k++)
            tg_w_u32(out, GPOINTER_TO_UINT(g_hash_table_lookup(index, g->hosts->pdata[k])));
    }
    tg_w_u32(out, p->rules->len);
    for (guint i = 0; i < p->rules->len; i++)
        tg_w_rule(out, p->rules->pdata[i]);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

typedef struct {
    const guint8 *p;
    const guint8 *end;
    const char *bad;     /* what was wrong first, or NULL */
} TgReader;

static void
tg_r_fail(TgReader *r, const char *what)
{
    if (!r->bad)
        r->bad = what;
}

static guint32
tg_r_u32(TgReader *r)
{
    guint32 v;

    if (r->bad || r->end - r->p < 4) {
        tg_r_fail(r, "truncated data");
        return 0;
    }
    v = (guint32)r->p[0] | (guint32)r->p[1] << 8 | (guint32)r->p[2] << 16 |
        (guint32)r->p[3] << 24;
    r->p += 4;
    return v;
}

static guint64
tg_r_u64(TgReader *r)
{
    guint64 lo = tg_r_u32(r);

    return lo | (guint64)tg_r_u32(r) << 32;
}

static bool
tg_r_bool(TgReader *r)
{
    guint32 v = tg_r_u32(r);

    if (v > 1)
        tg_r_fail(r, "boolean");
    return v == 1;
}

static gint32
tg_r_line(TgReader *r)
{
    guint32 v = tg_r_u32(r);

    if (v > G_MAXINT32)
        tg_r_fail(r, "line number");
    return (gint32)v;
}

/* A count of items of at least `min_size` bytes each: never more than the
 * rest of the input could hold, so no count makes a huge allocation. */
static guint32
tg_r_count(TgReader *r, gsize min_size)
{
    guint32 n = tg_r_u32(r);

    if (!r->bad && (gsize)n > (gsize)(r->end - r->p) / min_size)
        tg_r_fail(r, "count");
    return r->bad ? 0 : n;
}

/* A string (newly allocated), NULL when absent (allowed with `maybe`). */
static char *
tg_r_str(TgReader *r, bool maybe)
{
    guint32 n = tg_r_u32(r);
    char *s;

    if (r->bad)
        return NULL;
    if (n == TG_NO_STRING) {
        if (!maybe)
            tg_r_fail(r, "missing string");
        return NULL;
    }
    if ((gsize)n > (gsize)(r->end - r->p) || memchr(r->p, '\0', n)) {
        tg_r_fail(r, "string");
        return NULL;
    }
    s = g_strndup((const char *)r->p, n);
    r->p += n;
    return s;
}

static void
tg_r_settings(TgReader *r, TgPolicySettings *s)
{
    guint32 uds, udf, ugf, ucs, uts;

    s->has_tolerance = tg_r_bool(r);
    s->tolerance_ppm = tg_r_u32(r);
    s->has_unknown_dest_scaling = tg_r_bool(r);
    uds = tg_r_u32(r);
    s->has_unknown_dest_frequency = tg_r_bool(r);
    udf = tg_r_u32(r);
    s->has_unknown_guest_frequency = tg_r_bool(r);
    ugf = tg_r_u32(r);
    s->has_unknown_clock_sync = tg_r_bool(r);
    ucs = tg_r_u32(r);
    s->has_unknown_tsc_stability = tg_r_bool(r);
    uts = tg_r_u32(r);
    s->has_unsync = tg_r_bool(r);
    s->deny_unsync = tg_r_bool(r);
    s->has_unstable = tg_r_bool(r);
    s->deny_unstable = tg_r_bool(r);
    s->has_offline = tg_r_bool(r);
    s->offline_detect = tg_r_bool(r);
    s->has_unplaced = tg_r_bool(r);
    s->unplaced_same_host = tg_r_bool(r);
    s->has_record = tg_r_bool(r);
    s->record = tg_r_bool(r);
    s->has_hops = tg_r_bool(r);
    s->hops = tg_r_u32(r);
    if (uds > TG_UNKNOWN_ALLOW || udf > TG_UNKNOWN_ALLOW || ugf > TG_UNKNOWN_ALLOW ||
        ucs > TG_UNKNOWN_ALLOW || uts > TG_UNKNOWN_ALLOW)
        tg_r_fail(r, "unknown action");
    if (s->tolerance_ppm > TG_MAX_PPM)
        tg_r_fail(r, "tolerance");
    if (s->has_hops ? s->hops < 1 || s->hops > TG_MAX_HOPS : s->hops != 0)
        tg_r_fail(r, "hop limit");
    s->unknown_dest_scaling = (TgUnknownAction)(uds <= TG_UNKNOWN_ALLOW ? uds : 0);
    s->unknown_dest_frequency = (TgUnknownAction)(udf <= TG_UNKNOWN_ALLOW ? udf : 0);
    s->unknown_guest_frequency = (TgUnknownAction)(ugf <= TG_UNKNOWN_ALLOW ? ugf : 0);
    s->unknown_clock_sync = (TgUnknownAction)(ucs <= TG_UNKNOWN_ALLOW ? ucs : 0);
    s->unknown_tsc_stability = (TgUnknownAction)(uts <= TG_UNKNOWN_ALLOW ? uts : 0);
}

static void
tg_r_hosts(TgReader *r, TgPolicy *p)
{
    guint32 n = tg_r_count(r, 16);

    for (guint32 i = 0; i < n && !r->bad; i++) {
        g_autofree char *name = tg_r_str(r, false);
        guint64 hz = tg_r_u64(r);
        guint32 scaling = tg_r_u32(r);

        if (r->bad)
            return;
        if (!*name || scaling > TG_TRI_YES) {
            tg_r_fail(r, "host");
            return;
        }
        tg_policy_host_add(p, NULL, name, hz, (TgTri)scaling);
    }
}

static void
tg_r_groups(TgReader *r, TgPolicy *p)
{
    guint32 n = tg_r_count(r, 12);

    for (guint32 i = 0; i < n && !r->bad; i++) {
        g_autofree char *name = tg_r_str(r, false);
        gint32 line = tg_r_line(r);
        guint32 members = tg_r_count(r, 4);
        TgPolicyGroup *g;

        if (r->bad)
            return;
        if (!*name || tg_policy_find_group(p, name)) {
            tg_r_fail(r, "host group");
            return;
        }
        g = tg_policy_group_new(p, name, line);
        for (guint32 k = 0; k < members && !r->bad; k++) {
            guint32 idx = tg_r_u32(r);

            if (idx >= p->hosts->len)
                tg_r_fail(r, "host group member");
            else
                g_ptr_array_add(g->hosts, p->hosts->pdata[idx]);
        }
    }
}

static void
tg_r_matches(TgReader *r, TgPolicyRule *r_)
{
    guint32 n = tg_r_count(r, 28);

    if (n == 0)
        tg_r_fail(r, "rule without match");
    for (guint32 k = 0; k < n && !r->bad; k++) {
        TgPolicyMatch *m = g_new0(TgPolicyMatch, 1);
        guint32 cls;

        g_ptr_array_add(r_->matches, m);
        m->glob = tg_r_str(r, true);
        m->uuid = tg_r_str(r, true);
        m->uuid_text = tg_r_str(r, true);
        m->tag = tg_r_str(r, true);
        m->has_class = tg_r_bool(r);
        cls = tg_r_u32(r);
        m->line = tg_r_line(r);
        if (cls > TG_DEP_PARAVIRT || (!m->uuid) != (!m->uuid_text))
            tg_r_fail(r, "match");
        m->cls = cls <= TG_DEP_PARAVIRT ? (TgDependence)cls : TG_DEP_EXPLICIT_FREQUENCY;
    }
}

static void
tg_r_rule(TgReader *r, TgPolicy *p)
{
    TgPolicyRule *rule = g_new0(TgPolicyRule, 1);
    guint32 treat_as, n_groups;
    bool has_groups;

    rule->matches = g_ptr_array_new_with_free_func(tg_policy_match_free);
    g_ptr_array_add(p->rules, rule);
    rule->name = tg_r_str(r, false);
    rule->line = tg_r_line(r);
    tg_r_matches(r, rule);
    rule->force_deny = tg_r_bool(r);
    rule->deny_message = tg_r_str(r, true);
    rule->require_scaling = tg_r_bool(r);
    rule->force_warn = tg_r_bool(r);
    rule->has_treat_as = tg_r_bool(r);
    treat_as = tg_r_u32(r);
    tg_r_settings(r, &rule->s);
    has_groups = tg_r_bool(r);
    n_groups = tg_r_count(r, 4);
    if (r->bad)
        return;
    if (!*rule->name)
        tg_r_fail(r, "rule name");
    if (rule->has_treat_as ? treat_as != TG_DEP_TSC_SENSITIVE && treat_as != TG_DEP_PARAVIRT
                           : treat_as != 0)
        tg_r_fail(r, "treat-as");
    rule->treat_as = rule->has_treat_as ? (TgDependence)treat_as : TG_DEP_EXPLICIT_FREQUENCY;
    if (!has_groups) {
        if (n_groups)
            tg_r_fail(r, "from-host-groups");
        return;
    }
    if (n_groups == 0)
        tg_r_fail(r, "from-host-groups");
    rule->from_groups = g_new0(char *, (gsize)n_groups + 1);
    for (guint32 k = 0; k < n_groups && !r->bad; k++) {
        rule->from_groups[k] = tg_r_str(r, false);
        if (rule->from_groups[k] && !tg_policy_find_group(p, rule->from_groups[k]))
            tg_r_fail(r, "from-host-groups");
    }
}

TgPolicy *
tg_policy_from_compiled(const guint8 *data, gsize len, GError **error)
{
    TgReader r = { data, data + len, NULL };
    g_autoptr(TgPolicy) p = NULL;
    g_autofree char *filename = NULL;
    guint32 mode, n_rules;

    if (len < 8 || memcmp(data, TG_COMPILED_MAGIC, 4) != 0) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "compiled policy: bad magic");
        return NULL;
    }
    r.p += 4;
    if (tg_r_u32(&r) != TG_COMPILED_VERSION) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "compiled policy: unknown version");
        return NULL;
    }
    filename = tg_r_str(&r, false);
    p = tg_policy_new(filename ? filename : "");
    mode = tg_r_u32(&r);
    p->mode = mode == TG_MODE_AUDIT ? TG_MODE_AUDIT : TG_MODE_ENFORCE;
    if (mode > TG_MODE_AUDIT)
        tg_r_fail(&r, "mode");
    p->fail_open = tg_r_bool(&r);
    tg_r_settings(&r, &p->global);
    tg_r_hosts(&r, p);
    tg_r_groups(&r, p);
    n_rules = tg_r_count(&r, 40);
    for (guint32 i = 0; i < n_rules && !r.bad; i++)
        tg_r_rule(&r, p);
    if (!r.bad && r.p != r.end)
        tg_r_fail(&r, "trailing data");
    if (r.bad) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "compiled policy: invalid (%s)", r.bad);
        return NULL;
    }
    tg_policy_resolve_candidates(p);
    return g_steal_pointer(&p);
}
