/* tscgate: the compiled form of a loaded policy (see tg-policy.h): the
 * model as one GVariant, so that a policy and its inventory, once
 * validated, are read back without XML, RelaxNG or inventory files. The
 * candidate lists are derived data and are recomputed on the way in.
 * Decoding treats the bytes as untrusted: GVariant's normal-form check and
 * range checks on every enumeration, index and limit.
 */
#include <config.h>

#include "tg-policy-priv.h"

#include <string.h>

/* TgPolicySettings */
#define TG_SETTINGS_TYPE "(bububububbbbbbbu)"
/* name, tsc_hz, scaling */
#define TG_HOST_TYPE "(sti)"
/* name, line, indices into the hosts */
#define TG_GROUP_TYPE "(siau)"
/* glob, uuid (normalised), uuid as written, tag, has_class, class, line */
#define TG_MATCH_TYPE "(msmsmsmsbui)"
/* name, line, matches, deny, deny message, require-scaling, allow-with-warning,
 * has treat-as, treat-as, settings, has from-host-groups, from-host-groups */
#define TG_RULE_TYPE "(sia" TG_MATCH_TYPE "bmsbbbu" TG_SETTINGS_TYPE "bas)"
/* filename, mode, fail_open, global settings, hosts, groups, rules */
#define TG_POLICY_TYPE "(sub" TG_SETTINGS_TYPE "a" TG_HOST_TYPE "a" TG_GROUP_TYPE \
                       "a" TG_RULE_TYPE ")"

const char *
tg_policy_variant_type(void)
{
    return TG_POLICY_TYPE;
}

static GVariant *
tg_settings_to_variant(const TgPolicySettings *s)
{
    return g_variant_new(TG_SETTINGS_TYPE, s->has_tolerance, s->tolerance_ppm,
                         s->has_unknown_dest_scaling, (guint32)s->unknown_dest_scaling,
                         s->has_unknown_dest_frequency, (guint32)s->unknown_dest_frequency,
                         s->has_unknown_guest_frequency, (guint32)s->unknown_guest_frequency,
                         s->has_unsync, s->deny_unsync, s->has_unstable, s->deny_unstable,
                         s->has_record, s->record, s->has_hops, (guint32)s->hops);
}

GVariant *
tg_policy_to_variant(const TgPolicy *p)
{
    GVariantBuilder hosts, groups, rules;
    g_autoptr(GHashTable) index = g_hash_table_new(g_direct_hash, g_direct_equal);

    g_variant_builder_init(&hosts, G_VARIANT_TYPE("a" TG_HOST_TYPE));
    for (guint i = 0; i < p->hosts->len; i++) {
        const TgPolicyHost *h = p->hosts->pdata[i];

        g_hash_table_insert(index, (gpointer)h, GUINT_TO_POINTER(i));
        g_variant_builder_add(&hosts, TG_HOST_TYPE, h->name, h->hz, (gint32)h->scaling);
    }
    g_variant_builder_init(&groups, G_VARIANT_TYPE("a" TG_GROUP_TYPE));
    for (guint i = 0; i < p->groups->len; i++) {
        const TgPolicyGroup *g = p->groups->pdata[i];
        GVariantBuilder members;

        g_variant_builder_init(&members, G_VARIANT_TYPE("au"));
        for (guint k = 0; k < g->hosts->len; k++)
            g_variant_builder_add(&members, "u",
                                  GPOINTER_TO_UINT(g_hash_table_lookup(index, g->hosts->pdata[k])));
        g_variant_builder_add(&groups, TG_GROUP_TYPE, g->name, (gint32)g->line, &members);
    }
    g_variant_builder_init(&rules, G_VARIANT_TYPE("a" TG_RULE_TYPE));
    for (guint i = 0; i < p->rules->len; i++) {
        const TgPolicyRule *r = p->rules->pdata[i];
        GVariantBuilder matches;
        const char *const none[] = { NULL };

        g_variant_builder_init(&matches, G_VARIANT_TYPE("a" TG_MATCH_TYPE));
        for (guint k = 0; k < r->matches->len; k++) {
            const TgPolicyMatch *m = r->matches->pdata[k];

            g_variant_builder_add(&matches, TG_MATCH_TYPE, m->glob, m->uuid, m->uuid_text,
                                  m->tag, m->has_class, (guint32)m->cls, (gint32)m->line);
        }
        g_variant_builder_add(&rules, "(sia" TG_MATCH_TYPE "bmsbbbu@" TG_SETTINGS_TYPE "b@as)",
                              r->name, (gint32)r->line, &matches, r->force_deny,
                              r->deny_message, r->require_scaling, r->force_warn,
                              r->has_treat_as, (guint32)r->treat_as,
                              tg_settings_to_variant(&r->s), r->from_groups != NULL,
                              g_variant_new_strv(r->from_groups ? (const char *const *)r->from_groups
                                                                : none, -1));
    }
    return g_variant_new("(sub@" TG_SETTINGS_TYPE "a" TG_HOST_TYPE "a" TG_GROUP_TYPE
                         "a" TG_RULE_TYPE ")", p->filename ? p->filename : "", (guint32)p->mode,
                         p->fail_open, tg_settings_to_variant(&p->global), &hosts, &groups,
                         &rules);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

static bool
tg_bad(GError **error, const char *what)
{
    g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "compiled policy: bad %s", what);
    return false;
}

static bool
tg_settings_from_variant(GVariant *v, TgPolicySettings *s, GError **error)
{
    guint32 uds, udf, ugf, hops;
    gboolean b[11];

    g_variant_get(v, TG_SETTINGS_TYPE, &b[0], &s->tolerance_ppm, &b[1], &uds, &b[2], &udf,
                  &b[3], &ugf, &b[4], &b[5], &b[6], &b[7], &b[8], &b[9], &b[10], &hops);
    s->has_tolerance = b[0];
    s->has_unknown_dest_scaling = b[1];
    s->has_unknown_dest_frequency = b[2];
    s->has_unknown_guest_frequency = b[3];
    s->has_unsync = b[4];
    s->deny_unsync = b[5];
    s->has_unstable = b[6];
    s->deny_unstable = b[7];
    s->has_record = b[8];
    s->record = b[9];
    s->has_hops = b[10];
    if (uds > TG_UNKNOWN_ALLOW || udf > TG_UNKNOWN_ALLOW || ugf > TG_UNKNOWN_ALLOW)
        return tg_bad(error, "unknown action");
    if (s->tolerance_ppm > TG_MAX_PPM)
        return tg_bad(error, "tolerance");
    if (s->has_hops ? hops < 1 || hops > TG_MAX_HOPS : hops != 0)
        return tg_bad(error, "hop limit");
    s->unknown_dest_scaling = (TgUnknownAction)uds;
    s->unknown_dest_frequency = (TgUnknownAction)udf;
    s->unknown_guest_frequency = (TgUnknownAction)ugf;
    s->hops = hops;
    return true;
}

static bool
tg_hosts_from_variant(TgPolicy *p, GVariant *v, GError **error)
{
    GVariantIter it;
    const char *name;
    guint64 hz;
    gint32 scaling;

    g_variant_iter_init(&it, v);
    while (g_variant_iter_next(&it, "(&sti)", &name, &hz, &scaling)) {
        if (!*name || scaling < TG_TRI_UNKNOWN || scaling > TG_TRI_YES)
            return tg_bad(error, "host");
        tg_policy_host_add(p, NULL, name, hz, (TgTri)scaling);
    }
    return true;
}

static bool
tg_groups_from_variant(TgPolicy *p, GVariant *v, GError **error)
{
    GVariantIter it;
    const char *name;
    gint32 line;
    GVariant *members;

    g_variant_iter_init(&it, v);
    while (g_variant_iter_next(&it, "(&si@au)", &name, &line, &members)) {
        g_autoptr(GVariant) m = members;
        TgPolicyGroup *g;
        GVariantIter mi;
        guint32 idx;

        if (!*name || tg_policy_find_group(p, name))
            return tg_bad(error, "host group");
        g = tg_policy_group_new(p, name, line);
        g_variant_iter_init(&mi, m);
        while (g_variant_iter_next(&mi, "u", &idx)) {
            if (idx >= p->hosts->len)
                return tg_bad(error, "host group member");
            g_ptr_array_add(g->hosts, p->hosts->pdata[idx]);
        }
    }
    return true;
}

static bool
tg_matches_from_variant(TgPolicyRule *r, GVariant *v, GError **error)
{
    GVariantIter it;
    const char *glob, *uuid, *uuid_text, *tag;
    gboolean has_class;
    guint32 cls;
    gint32 line;

    g_variant_iter_init(&it, v);
    while (g_variant_iter_next(&it, "(m&sm&sm&sm&sbui)", &glob, &uuid, &uuid_text, &tag,
                               &has_class, &cls, &line)) {
        TgPolicyMatch *m;

        if (cls > TG_DEP_PARAVIRT || (!uuid) != (!uuid_text))
            return tg_bad(error, "match");
        m = g_new0(TgPolicyMatch, 1);
        m->glob = g_strdup(glob);
        m->uuid = g_strdup(uuid);
        m->uuid_text = g_strdup(uuid_text);
        m->tag = g_strdup(tag);
        m->has_class = has_class;
        m->cls = (TgDependence)cls;
        m->line = line;
        g_ptr_array_add(r->matches, m);
    }
    if (r->matches->len == 0)
        return tg_bad(error, "rule without match");
    return true;
}

static bool
tg_rule_from_variant(TgPolicy *p, GVariant *v, GError **error)
{
    g_autoptr(GVariant) matches = NULL;
    g_autoptr(GVariant) settings = NULL;
    g_autoptr(GVariant) groups = NULL;
    const char *name, *deny_message;
    gint32 line;
    gboolean force_deny, require_scaling, force_warn, has_treat_as, has_groups;
    guint32 treat_as;
    TgPolicyRule *r;

    g_variant_get(v, "(&si@a" TG_MATCH_TYPE "bm&sbbbu@" TG_SETTINGS_TYPE "b@as)", &name,
                  &line, &matches, &force_deny, &deny_message, &require_scaling, &force_warn,
                  &has_treat_as, &treat_as, &settings, &has_groups, &groups);
    if (!*name)
        return tg_bad(error, "rule name");
    if (has_treat_as && treat_as != TG_DEP_TSC_SENSITIVE && treat_as != TG_DEP_PARAVIRT)
        return tg_bad(error, "treat-as");
    r = g_new0(TgPolicyRule, 1);
    r->matches = g_ptr_array_new_with_free_func(tg_policy_match_free);
    g_ptr_array_add(p->rules, r);
    r->name = g_strdup(name);
    r->line = line;
    r->force_deny = force_deny;
    r->deny_message = g_strdup(deny_message);
    r->require_scaling = require_scaling;
    r->force_warn = force_warn;
    r->has_treat_as = has_treat_as;
    r->treat_as = has_treat_as ? (TgDependence)treat_as : TG_DEP_EXPLICIT_FREQUENCY;
    if (!tg_matches_from_variant(r, matches, error) ||
        !tg_settings_from_variant(settings, &r->s, error))
        return false;
    if (has_groups) {
        r->from_groups = g_variant_dup_strv(groups, NULL);
        if (!r->from_groups[0])
            return tg_bad(error, "from-host-groups");
        for (char **q = r->from_groups; *q; q++)
            if (!tg_policy_find_group(p, *q))
                return tg_bad(error, "from-host-groups");
    } else if (g_variant_n_children(groups) != 0) {
        return tg_bad(error, "from-host-groups");
    }
    return true;
}

TgPolicy *
tg_policy_from_variant(GVariant *v, GError **error)
{
    g_autoptr(TgPolicy) p = NULL;
    g_autoptr(GVariant) global = NULL;
    g_autoptr(GVariant) hosts = NULL;
    g_autoptr(GVariant) groups = NULL;
    g_autoptr(GVariant) rules = NULL;
    const char *filename;
    guint32 mode;
    gboolean fail_open;
    GVariantIter it;
    GVariant *rule;

    if (!g_variant_is_of_type(v, G_VARIANT_TYPE(TG_POLICY_TYPE)) ||
        !g_variant_is_normal_form(v)) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "compiled policy: not in normal form");
        return NULL;
    }
    g_variant_get(v, "(&sub@" TG_SETTINGS_TYPE "@a" TG_HOST_TYPE "@a" TG_GROUP_TYPE
                  "@a" TG_RULE_TYPE ")", &filename, &mode, &fail_open, &global, &hosts,
                  &groups, &rules);
    if (mode > TG_MODE_AUDIT) {
        tg_bad(error, "mode");
        return NULL;
    }
    p = tg_policy_new(filename);
    p->mode = (TgMode)mode;
    p->fail_open = fail_open;
    if (!tg_settings_from_variant(global, &p->global, error) ||
        !tg_hosts_from_variant(p, hosts, error) || !tg_groups_from_variant(p, groups, error))
        return NULL;
    g_variant_iter_init(&it, rules);
    while ((rule = g_variant_iter_next_value(&it))) {
        g_autoptr(GVariant) r = rule;

        if (!tg_rule_from_variant(p, r, error))
            return NULL;
    }
    tg_policy_resolve_candidates(p);
    return g_steal_pointer(&p);
}
