/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the policy's conflict rules (see tg-policy-priv.h), one
 * function each: what the schema cannot say about a document that is
 * well-formed and valid. Each reports its problem at the element it is
 * about and returns true when the rule holds. Name checks use hash
 * tables, so a policy of tens of thousands of rules loads in linear time.
 */
#include <config.h>

#include "tg-policy-priv.h"
#include "tg-xml.h"

#include <string.h>

/* Two <host-group>s of one name. */
bool
tg_check_duplicate_group(TgLoadCtx *c, const TgPolicy *p, const xmlNode *n, const char *name)
{
    const TgPolicyGroup *o = tg_policy_find_group(p, name);

    if (!o)
        return true;
    tg_problem_node(c, n, "duplicate host group name '%s' (first at line %d)", name, o->line);
    return false;
}

/* One <host> name twice in a <host-group>; `seen` maps the group's host
 * names to their lines. */
bool
tg_check_duplicate_group_host(TgLoadCtx *c, GHashTable *seen, const TgPolicyGroup *g,
                              const xmlNode *n, const char *host)
{
    gpointer prev = g_hash_table_lookup(seen, host);

    if (prev) {
        tg_problem_node(c, n, "host '%s' listed twice in host group '%s' (first at line %d)",
                        host, g->name, GPOINTER_TO_INT(prev));
        return false;
    }
    g_hash_table_insert(seen, g_strdup(host), GINT_TO_POINTER(tg_xml_line(n)));
    return true;
}

/* Two <rule>s of one name; `seen` maps names to the first rule (borrowed
 * from the policy). */
bool
tg_check_duplicate_rule(TgLoadCtx *c, GHashTable *seen, const TgPolicyRule *r,
                        const xmlNode *n)
{
    const TgPolicyRule *o = g_hash_table_lookup(seen, r->name);

    if (o) {
        tg_problem_node(c, n, "duplicate rule name '%s' (first at line %d)", r->name, o->line);
        return false;
    }
    g_hash_table_insert(seen, r->name, (gpointer)r);
    return true;
}

/* A rule after one that matches every guest is never selected. */
bool
tg_check_reachable(TgLoadCtx *c, const TgPolicyRule *catch_all, const TgPolicyRule *r,
                   const xmlNode *n)
{
    if (!catch_all)
        return true;
    tg_problem_node(c, n, "rule '%s' can never match: rule '%s' (line %d) before it matches "
                    "every guest", r->name, catch_all->name, catch_all->line);
    return false;
}

bool
tg_check_deny_and_warn(TgLoadCtx *c, const TgPolicyRule *r, const xmlNode *n)
{
    if (!(r->force_deny && r->force_warn))
        return true;
    tg_problem_node(c, n, "conflicting settings in rule '%s': <deny> and <allow-with-warning>",
                    r->name);
    return false;
}

bool
tg_check_deny_and_require_scaling(TgLoadCtx *c, const TgPolicyRule *r, const xmlNode *n)
{
    if (!(r->force_deny && r->require_scaling))
        return true;
    tg_problem_node(c, n, "conflicting settings in rule '%s': <deny> and <require-scaling> "
                    "(deny already refuses every migration)", r->name);
    return false;
}

/* <treat-as> on a rule that matches explicit-frequency or reenlightenment
 * guests: QEMU pins or checks their rate whatever the policy says
 * (QEMU target/i386/kvm/kvm.c, kvm_arch_set_tsc_khz). */
bool
tg_check_treat_as_class(TgLoadCtx *c, const TgPolicyRule *r)
{
    bool ok = true;

    if (!r->has_treat_as)
        return true;
    for (guint k = 0; k < r->matches->len; k++) {
        const TgPolicyMatch *m = r->matches->pdata[k];

        if (m->has_class && (m->cls == TG_DEP_EXPLICIT_FREQUENCY ||
                             m->cls == TG_DEP_REENLIGHTENMENT)) {
            tg_problem(c, TG_ERROR_INVALID, m->line,
                       "conflicting settings in rule '%s': <treat-as> cannot change the "
                       "class of %s guests (QEMU pins or checks their TSC rate)",
                       r->name, tg_dependence_to_string(m->cls));
            ok = false;
        }
    }
    return ok;
}

/* <lineage record='no' hops='N'>: `hops_state` is tg_uint_attr()'s result
 * for hops (0 absent). */
bool
tg_check_lineage_hops(TgLoadCtx *c, const TgPolicySettings *s, int hops_state,
                      const xmlNode *n)
{
    if (!(s->has_record && !s->record && hops_state != 0))
        return true;
    tg_problem_node(c, n, "conflicting settings: <lineage> hops has no effect with "
                    "record='no'");
    return false;
}

/* One group twice in a <from-host-groups>; `seen` holds the names so far
 * (borrowed strings, alive as long as the caller's split list). */
bool
tg_check_group_named_twice(TgLoadCtx *c, GHashTable *seen, const xmlNode *n,
                           const char *group)
{
    if (g_hash_table_contains(seen, group)) {
        tg_problem_node(c, n, "host group '%s' named twice in <from-host-groups>", group);
        return false;
    }
    g_hash_table_add(seen, (gpointer)group);
    return true;
}

/* A <from-host-groups> name that <inventory> does not define. */
bool
tg_check_group_defined(TgLoadCtx *c, const TgPolicy *p, const TgPolicyRule *r,
                       const xmlNode *n, const char *group)
{
    g_autofree char *esc = NULL;

    if (tg_policy_find_group(p, group))
        return true;
    esc = tg_escape_untrusted(group);
    tg_problem_node(c, n, "rule '%s' names host group '%s', which <inventory> does not "
                    "define", r->name, esc);
    return false;
}

/* An empty <from-host-groups>. */
bool
tg_check_groups_named(TgLoadCtx *c, guint n_groups, const xmlNode *n)
{
    if (n_groups)
        return true;
    tg_problem_node(c, n, "<from-host-groups> names no host group");
    return false;
}
