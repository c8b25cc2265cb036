/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: selecting the rule for a guest and applying it (see
 * tg-policy.h and doc/tscgate-policy.5): first match in file order.
 */
#include <config.h>

#include "tg-policy-priv.h"

#include <string.h>

static void
tg_apply_settings(TgSettings *out, const TgPolicySettings *s)
{
    if (s->has_tolerance)
        out->tolerance_ppm = s->tolerance_ppm;
    if (s->has_unknown_dest_scaling)
        out->unknown_dest_scaling = s->unknown_dest_scaling;
    if (s->has_unknown_dest_frequency)
        out->unknown_dest_frequency = s->unknown_dest_frequency;
    if (s->has_unknown_guest_frequency)
        out->unknown_guest_frequency = s->unknown_guest_frequency;
    if (s->has_unknown_clock_sync)
        out->unknown_clock_sync = s->unknown_clock_sync;
    if (s->has_unknown_tsc_stability)
        out->unknown_tsc_stability = s->unknown_tsc_stability;
    if (s->has_unsync)
        out->deny_unsynchronized_clock = s->deny_unsync;
    if (s->has_unstable)
        out->deny_unstable_tsc = s->deny_unstable;
    if (s->has_offline)
        out->offline_detect = s->offline_detect;
    if (s->has_unplaced)
        out->unplaced_restore_same_host = s->unplaced_same_host;
    if (s->has_record)
        out->record_lineage = s->record;
    if (s->has_hops)
        out->hop_limit = s->hops;
}

static bool
tg_guest_has_tag(const TgGuestProfile *g, const char *tag)
{
    if (!g->tags)
        return false;
    for (guint i = 0; i < g->tags->len; i++)
        if (g->tags->pdata[i] && strcmp(g->tags->pdata[i], tag) == 0)
            return true;
    return false;
}

/* Does `m` select `g`? `guuid`: the guest's UUID normalised
 * (tg_policy_normalize_uuid), NULL when it has none. */
static bool
tg_match_guest(const TgPolicyMatch *m, const TgGuestProfile *g, const char *guuid)
{
    if (m->glob && !(g->name && g_pattern_match_simple(m->glob, g->name)))
        return false;
    if (m->uuid && !(guuid && strcmp(guuid, m->uuid) == 0))
        return false;
    if (m->tag && !tg_guest_has_tag(g, m->tag))
        return false;
    if (m->has_class && g->dependence != m->cls)
        return false;
    return true;
}

/* The criteria of match `m` that selected a guest, for `why`. */
static void
tg_match_describe(const TgPolicyMatch *m, GString *why)
{
    if (tg_policy_match_is_catch_all(m)) {
        g_string_append(why, "<match/> at line ");
        g_string_append_printf(why, "%d matches every guest", m->line);
        return;
    }
    if (m->glob)
        g_string_append_printf(why, "name '%s'", m->glob);
    if (m->uuid)
        g_string_append_printf(why, "%suuid '%s'", why->len ? " and " : "", m->uuid_text);
    if (m->tag)
        g_string_append_printf(why, "%stag '%s'", why->len ? " and " : "", m->tag);
    if (m->has_class)
        g_string_append_printf(why, "%sclass '%s'", why->len ? " and " : "",
                               tg_dependence_to_string(m->cls));
}

const char *
tg_policy_apply(const TgPolicy *p, const TgGuestProfile *guest, TgSettings *settings,
                char **why)
{
    g_autofree char *guuid = NULL;

    tg_settings_init(settings);
    if (why)
        *why = NULL;
    if (!p) {
        if (why)
            *why = g_strdup("no policy; default settings");
        return NULL;
    }
    tg_apply_settings(settings, &p->global);
    if (p->all_candidates->len) {
        settings->candidates = (const TgCandidateHost *)(void *)p->all_candidates->data;
        settings->n_candidates = p->all_candidates->len;
    }
    /* once per guest, not per <match uuid=...> */
    if (p->rules->len && guest->uuid)
        guuid = tg_policy_normalize_uuid(guest->uuid);
    for (guint i = 0; i < p->rules->len; i++) {
        const TgPolicyRule *r = p->rules->pdata[i];

        for (guint k = 0; k < r->matches->len; k++) {
            if (!tg_match_guest(r->matches->pdata[k], guest, guuid))
                continue;
            tg_apply_settings(settings, &r->s);
            settings->policy_rule = r->name;
            settings->force_deny = r->force_deny;
            settings->force_deny_message = r->deny_message;
            settings->require_scaling = r->require_scaling;
            settings->force_warn = r->force_warn;
            settings->override_dependence = r->has_treat_as;
            if (r->has_treat_as)
                settings->dependence_override = r->treat_as;
            if (r->candidates) {
                settings->candidates = r->candidates->len
                    ? (const TgCandidateHost *)(void *)r->candidates->data : NULL;
                settings->n_candidates = r->candidates->len;
            }
            if (why) {
                g_autoptr(GString) w = g_string_new(NULL);

                tg_match_describe(r->matches->pdata[k], w);
                *why = g_strdup_printf("rule '%s' matched: %s", r->name, w->str);
            }
            return r->name;
        }
    }
    if (why)
        *why = g_strdup("no rule matched; global settings");
    return NULL;
}

char *
tg_settings_describe(const TgSettings *s)
{
    GString *o = g_string_new(NULL);

    g_string_append_printf(o, "tolerance %u ppm; unknown: dest-scaling %s, dest-frequency %s, "
                           "guest-frequency %s",
                           s->tolerance_ppm,
                           tg_unknown_action_to_string(s->unknown_dest_scaling),
                           tg_unknown_action_to_string(s->unknown_dest_frequency),
                           tg_unknown_action_to_string(s->unknown_guest_frequency));
    /* Named when a policy sets them (the default allows). */
    if (s->unknown_clock_sync != TG_UNKNOWN_ALLOW || s->unknown_tsc_stability != TG_UNKNOWN_ALLOW)
        g_string_append_printf(o, ", clock-sync %s, tsc-stability %s",
                               tg_unknown_action_to_string(s->unknown_clock_sync),
                               tg_unknown_action_to_string(s->unknown_tsc_stability));
    g_string_append_printf(o, "; unsynchronized-clock %s; unstable-tsc %s",
                           s->deny_unsynchronized_clock ? "deny" : "warn",
                           s->deny_unstable_tsc ? "deny" : "warn");
    if (s->offline_detect)
        g_string_append(o, "; offline-migration detect");
    if (s->unplaced_restore_same_host)
        g_string_append(o, "; unplaced-restore same-host");
    if (s->force_deny)
        g_string_append_printf(o, "; deny%s%s%s", s->force_deny_message ? " \"" : "",
                               s->force_deny_message ? s->force_deny_message : "",
                               s->force_deny_message ? "\"" : "");
    if (s->require_scaling)
        g_string_append(o, "; require-scaling");
    if (s->force_warn)
        g_string_append(o, "; allow-with-warning");
    if (s->override_dependence)
        g_string_append_printf(o, "; treat-as %s", tg_dependence_to_string(s->dependence_override));
    if (s->record_lineage)
        g_string_append_printf(o, "; lineage record yes, %u hops", s->hop_limit);
    else
        g_string_append(o, "; lineage record no");
    if (s->n_candidates) {
        g_string_append_printf(o, "; inventory %" G_GSIZE_FORMAT " host%s:",
                               s->n_candidates, s->n_candidates == 1 ? "" : "s");
        for (gsize i = 0; i < s->n_candidates; i++) {
            const TgCandidateHost *h = &s->candidates[i];
            g_autofree char *mhz = h->tsc_hz ? tg_format_mhz(h->tsc_hz) : g_strdup("unknown");
            g_string_append_printf(o, "%s %s (%s, scaling %s)", i ? "," : "", h->name, mhz,
                                   tg_tri_to_string(h->scaling));
        }
    } else {
        g_string_append(o, "; inventory none");
    }
    return g_string_free(o, FALSE);
}

