/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: one evaluation of an incoming guest, shared by `tscgate check`,
 * `tscgate preflight` and the hook's gate: settings from the policy (if
 * any), source facts from the caller or from the guest's lineage record, then
 * the pure engine. No I/O.
 */
#ifndef TG_EVALUATE_H
#define TG_EVALUATE_H

#include "tg-decide.h"
#include "tg-policy.h"

G_BEGIN_DECLS

/* Source host facts recorded in the guest's lineage record: the newest hop
 * describes the host the guest runs on now (its TSC Hz, scaling, name).
 * Returns a new object (tg_host_facts_free), or NULL when the guest has no
 * record or the newest hop carries no frequency. */
TgHostFacts *tg_source_facts_from_lineage(const TgGuestProfile *guest);

typedef struct {
    TgDecision *decision;  /* owned */
    TgMode mode;           /* enforce unless the policy says audit */
    char *why;             /* policy selection explanation or NULL (g_free) */
    bool source_from_lineage; /* source facts came from the lineage record */
} TgEvaluation;

/* Evaluate `guest` arriving from `source` (nullable: taken from the lineage
 * record when NULL) on `dest` under `policy` (nullable: default rules).
 * In audit mode a denial still carries the lineage adjustment (the guest
 * goes through). Returns a new evaluation (tg_evaluation_free). */
TgEvaluation *tg_evaluate(const TgGuestProfile *guest, const TgHostFacts *source,
                          const TgHostFacts *dest, const TgPolicy *policy);
/* The per-guest half of tg_evaluate(): fill `settings` as the policy
 * (nullable: the default rules) gives them to `guest`, and `mode` (its
 * mode; enforce without a policy). `why` (nullable) receives the selection
 * explanation (g_free), as TgEvaluation.why. Pointers in `settings` are
 * owned by the policy. */
void tg_evaluate_settings(const TgGuestProfile *guest, const TgPolicy *policy,
                          TgSettings *settings, TgMode *mode, char **why);

/* The per-pair half: the verdict, reason code, rule and rates tg_evaluate()
 * decides for `guest` on `dest` under `settings` from
 * tg_evaluate_settings(), without formatting a reason
 * (tg_decide_outcome()): fills `out`, which needs no freeing. In audit mode
 * a denial lets the guest through: see tg_evaluate_outcome_allows(). */
void tg_evaluate_outcome(const TgGuestProfile *guest, const TgHostFacts *dest,
                         const TgSettings *settings, TgDecision *out);

/* The per-pair half with its reason formatted: the decision tg_evaluate()
 * makes for `guest` on `dest` under `settings` from tg_evaluate_settings(),
 * for a caller that applied the policy once already (plan). Returns a new
 * decision (tg_decision_free). */
TgDecision *tg_evaluate_reasoned(const TgGuestProfile *guest, const TgHostFacts *dest,
                                 const TgSettings *settings);

/* tg_evaluation_allows() for an outcome decided in `mode`. */
bool tg_evaluate_outcome_allows(const TgDecision *d, TgMode mode);

/* tg_evaluate() of one run the caller knows more of (`run`, nullable: a
 * live migration): the operation, whether the definition looks running,
 * whether a restore happens on the host that saved it. Returns a new
 * evaluation (tg_evaluation_free). */
TgEvaluation *tg_evaluate_run(const TgGuestProfile *guest, const TgHostFacts *source,
                              const TgHostFacts *dest, const TgPolicy *policy,
                              const TgRunContext *run);
void tg_evaluation_free(TgEvaluation *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvaluation, tg_evaluation_free)

/* In audit mode a denial lets the operation through. Returns true when the
 * operation may proceed. */
bool tg_evaluation_allows(const TgEvaluation *e);

G_END_DECLS

#endif /* TG_EVALUATE_H */
