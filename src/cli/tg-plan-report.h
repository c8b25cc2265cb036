/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the fleet plan for people (a table that stays readable at 50
 * hosts), for programs (JSON) and for spreadsheets (CSV). */
#ifndef TG_PLAN_REPORT_H
#define TG_PLAN_REPORT_H

#include <stdio.h>

#include "tg-plan.h"

G_BEGIN_DECLS

typedef enum {
    TG_PLAN_TEXT,
    TG_PLAN_JSON,
    TG_PLAN_CSV,
} TgPlanFormat;

typedef struct {
    TgPlan *plan;
    const char *policy_path;
    gsize drain;            /* host index, G_MAXSIZE = no --drain */
    bool reasons;
    bool colour;
    GPtrArray *unreachable;
    FILE *out;
} TgPlanOut;

/* Returns true when guest `g` is printed: every guest, or with --drain
 * only those on the drained host. */
bool tg_plan_guest_in_scope(const TgPlanOut *o, const TgPlanGuest *g);

/* Print the plan `o->plan` to `o->out`: the table with its legend and the
 * reason codes (colour when `o->colour`), one JSON object, or one CSV row
 * per pair. Reasons are formatted only for what is printed. */
void tg_plan_print_text(const TgPlanOut *o);
void tg_plan_print_json(const TgPlanOut *o);
void tg_plan_print_csv(const TgPlanOut *o);

G_END_DECLS

#endif /* TG_PLAN_REPORT_H */
