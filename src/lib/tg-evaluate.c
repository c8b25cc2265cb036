/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: evaluation glue shared by the CLI and the hook (tg-evaluate.h). */
#include <config.h>

#include "tg-evaluate.h"

/* The newest hop of the guest's lineage record when it names the rate of
 * the host the guest comes from, else NULL. */
static const TgHop *
tg_lineage_source_hop(const TgGuestProfile *guest)
{
    const TgHop *hop = guest && guest->lineage ? tg_lineage_last_hop(guest->lineage) : NULL;

    return hop && hop->host_hz != 0 ? hop : NULL;
}

TgHostFacts *
tg_source_facts_from_lineage(const TgGuestProfile *guest)
{
    const TgHop *hop = tg_lineage_source_hop(guest);
    TgHostFacts *facts;
    g_autofree char *source = NULL;

    if (!hop)
        return NULL;
    source = g_strdup_printf("tscgate lineage record (newest hop, %s)",
                             hop->op ? hop->op : "hop");
    facts = tg_host_facts_new();
    tg_u64_fact_set(&facts->tsc_hz, hop->host_hz, source);
    if (hop->scaling != TG_TRI_UNKNOWN)
        tg_bool_fact_set(&facts->tsc_scaling, hop->scaling == TG_TRI_YES, source);
    else
        tg_fact_set_unknown(&facts->tsc_scaling.note, "lineage record does not say");
    if (hop->host)
        tg_str_fact_set(&facts->hostname, hop->host, source);
    return facts;
}

void
tg_evaluate_settings(const TgGuestProfile *guest, const TgPolicy *policy,
                     TgSettings *settings, TgMode *mode, char **why)
{
    if (policy) {
        /* tg_policy_apply starts from tg_settings_init() itself */
        tg_policy_apply(policy, guest, settings, why);
        *mode = tg_policy_mode(policy);
    } else {
        tg_settings_init(settings);
        *mode = TG_MODE_ENFORCE;
    }
}

void
tg_evaluate_outcome(const TgGuestProfile *guest, const TgHostFacts *dest,
                    const TgSettings *settings, TgDecision *out)
{
    tg_decide_outcome(guest, dest, settings, out);
}

TgDecision *
tg_evaluate_reasoned(const TgGuestProfile *guest, const TgHostFacts *dest,
                     const TgSettings *settings)
{
    return tg_decide(guest, NULL, dest, settings);
}

bool
tg_evaluate_outcome_allows(const TgDecision *d, TgMode mode)
{
    return d->verdict != TG_VERDICT_DENY || mode == TG_MODE_AUDIT;
}

TgEvaluation *
tg_evaluate(const TgGuestProfile *guest, const TgHostFacts *source,
            const TgHostFacts *dest, const TgPolicy *policy)
{
    return tg_evaluate_run(guest, source, dest, policy, NULL);
}

TgEvaluation *
tg_evaluate_run(const TgGuestProfile *guest, const TgHostFacts *source,
                const TgHostFacts *dest, const TgPolicy *policy, const TgRunContext *run)
{
    TgEvaluation *e = g_new0(TgEvaluation, 1);
    TgSettings settings;

    tg_evaluate_settings(guest, policy, &settings, &e->mode, &e->why);
    if (run)
        settings.run = *run;
    /* Without source facts, the report names the lineage record's newest
     * hop as the source; the engine needs no source host's facts (a source
     * host's rate is not the guest's, doc/tsc-model.md), so none are built. */
    e->source_from_lineage = !source && tg_lineage_source_hop(guest) != NULL;
    e->decision = tg_decide(guest, source, dest, &settings);
    if (e->decision->verdict == TG_VERDICT_DENY && e->mode == TG_MODE_AUDIT &&
        settings.record_lineage && guest && guest->kind != TG_GUEST_NO_TSC) {
        /* The engine adjusts nothing on a deny; audit mode lets the guest
         * through, so its record (with the hop's verdict "deny") is kept. */
        TgAdjustment a = { .kind = TG_ADJUST_RECORD_LINEAGE, .hop_limit = settings.hop_limit };

        g_array_append_val(e->decision->adjustments, a);
    }
    return e;
}

void
tg_evaluation_free(TgEvaluation *e)
{
    if (!e)
        return;
    tg_decision_free(e->decision);
    g_free(e->why);
    g_free(e);
}

bool
tg_evaluation_allows(const TgEvaluation *e)
{
    return tg_evaluate_outcome_allows(e->decision, e->mode);
}
