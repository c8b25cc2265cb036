/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the fleet plan (tg-plan.h). */
#include <config.h>

#include <string.h>

#include "tg-plan.h"

static void
tg_plan_host_free(gpointer data)
{
    TgPlanHost *h = data;

    g_free(h->name);
    g_free(h->from);
    tg_host_facts_free(h->facts);
    g_free(h);
}

static void
tg_plan_guest_free(gpointer data)
{
    TgPlanGuest *g = data;

    g_free(g->name);
    g_free(g->from);
    g_free(g->host);
    tg_guest_profile_free(g->profile);
    g_free(g);
}

TgPlan *
tg_plan_new(void)
{
    TgPlan *p = g_new0(TgPlan, 1);

    p->hosts = g_ptr_array_new_with_free_func(tg_plan_host_free);
    p->guests = g_ptr_array_new_with_free_func(tg_plan_guest_free);
    return p;
}

void
tg_plan_free(TgPlan *p)
{
    if (!p)
        return;
    g_ptr_array_unref(p->hosts);
    g_ptr_array_unref(p->guests);
    g_free(p->cells);
    g_free(p);
}

gsize
tg_plan_find_host(const TgPlan *p, const char *name)
{
    if (!name)
        return G_MAXSIZE;
    for (guint i = 0; i < p->hosts->len; i++) {
        const TgPlanHost *h = g_ptr_array_index(p->hosts, i);

        if (strcmp(h->name, name) == 0)
            return i;
    }
    return G_MAXSIZE;
}

bool
tg_plan_add_host(TgPlan *p, TgHostFacts *facts, const char *from, const char *fallback_name,
                 GError **error)
{
    TgPlanHost *h;
    const char *name = facts->hostname.note.known && facts->hostname.value &&
                       *facts->hostname.value ? facts->hostname.value : fallback_name;
    gsize other = tg_plan_find_host(p, name);

    if (other != G_MAXSIZE) {
        const TgPlanHost *o = g_ptr_array_index(p->hosts, other);
        g_autofree char *esc = tg_escape_untrusted(name);

        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s and %s both describe host %s",
                    o->from, from, esc);
        tg_host_facts_free(facts);
        return false;
    }
    h = g_new0(TgPlanHost, 1);
    h->name = g_strdup(name);
    h->from = g_strdup(from);
    h->facts = facts;
    g_ptr_array_add(p->hosts, h);
    return true;
}

TgPlanGuest *
tg_plan_add_guest(TgPlan *p, TgGuestProfile *profile, const char *from,
                  const char *fallback_name, const char *host)
{
    TgPlanGuest *g = g_new0(TgPlanGuest, 1);

    g->name = g_strdup(profile->name ? profile->name : fallback_name);
    g->from = g_strdup(from);
    if (host) {
        g->host = g_strdup(host);
    } else if (profile->lineage) {
        const TgHop *hop = tg_lineage_last_hop(profile->lineage);

        if (hop && hop->host)
            g->host = g_strdup(hop->host);
    }
    g->profile = profile;
    g->self = G_MAXSIZE;
    g_ptr_array_add(p->guests, g);
    return g;
}

const TgPlanCell *
tg_plan_cell(const TgPlan *p, gsize g, gsize h)
{
    return &p->cells[g * p->hosts->len + h];
}

/* The rate to pin `g` at over the plan's hosts, from a table shared by
 * every guest whose pinned form gets the same settings. */
static void
tg_plan_pin(TgPlan *p, TgPlanGuest *g, const TgPolicy *policy, GPtrArray *tables,
            TgHostFacts **facts, gsize n_fit)
{
    TgPinTable *t = NULL;
    guint64 prefer = tg_guest_nominal_hz(g->profile, NULL);

    if (g->profile->kind == TG_GUEST_NO_TSC)
        return;
    for (guint i = 0; i < tables->len && !t; i++)
        if (tg_pin_table_applies(g_ptr_array_index(tables, i), g->profile, policy))
            t = g_ptr_array_index(tables, i);
    if (!t) {
        t = tg_pin_table_new(g->profile, policy, facts, p->hosts->len);
        g_ptr_array_add(tables, t);
    }
    if (tg_pin_table_best(t, g->self, prefer, &g->pin) && g->pin.n_hosts > n_fit &&
        !(g->profile->has_explicit_hz && g->pin.hz == g->profile->explicit_hz)) {
        g->pin_more = g->pin.n_hosts - n_fit;
    } else {
        g->pin.hz = 0;
        g->pin.n_hosts = 0;
    }
}

void
tg_plan_run(TgPlan *p, const TgPolicy *policy, bool pins)
{
    gsize nh = p->hosts->len;
    g_autofree TgHostFacts **facts = g_new0(TgHostFacts *, MAX(nh, 1));
    g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func((GDestroyNotify)tg_pin_table_free);

    for (gsize h = 0; h < nh; h++)
        facts[h] = ((TgPlanHost *)g_ptr_array_index(p->hosts, h))->facts;
    g_free(p->cells);
    p->cells = g_new0(TgPlanCell, MAX(p->guests->len * nh, 1));
    for (gsize i = 0; i < p->guests->len; i++) {
        TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        TgPlanCell *row = &p->cells[i * nh];
        gsize n_fit = 0;

        g->self = tg_plan_find_host(p, g->host);
        g->n_allowed = 0;
        g->pin.hz = 0;
        g->pin.n_hosts = 0;
        g->pin_more = 0;
        /* once per guest: the policy's settings for it */
        tg_evaluate_settings(g->profile, policy, &g->settings, &g->mode, NULL);
        for (gsize h = 0; h < nh; h++) {
            TgDecision d;

            if (h == g->self) {
                row[h].self = true;
                continue;
            }
            tg_evaluate_outcome(g->profile, facts[h], &g->settings, &d);
            row[h].verdict = d.verdict;
            row[h].code = d.code;
            row[h].rule = d.rule;
            row[h].effective_hz = d.effective_hz;
            row[h].allowed = tg_evaluate_outcome_allows(&d, g->mode);
            if (row[h].allowed)
                g->n_allowed++;
            if (d.verdict != TG_VERDICT_DENY)
                n_fit++;
        }
        if (pins)
            tg_plan_pin(p, g, policy, tables, facts, n_fit);
    }
}
