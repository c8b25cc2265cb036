/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the fleet plan, every guest on every other host (`tscgate plan`).
 *
 * Pure: parsed guests and host facts in, one outcome per pair out. Each
 * pair goes through the evaluation the hook uses (tg-evaluate.h): the
 * policy is applied once per guest (tg_evaluate_settings), every pair is
 * decided without formatting a reason (tg_evaluate_outcome); a caller that
 * prints a reason asks tg_evaluate() for that pair.
 */
#ifndef TG_PLAN_H
#define TG_PLAN_H

#include "tg-evaluate.h"
#include "tg-pin.h"

G_BEGIN_DECLS

typedef struct {
    char *name;          /* the hostname fact, else what the caller named it */
    char *from;          /* the file or URI its facts came from */
    TgHostFacts *facts;  /* owned */
} TgPlanHost;

typedef struct {
    char *name;              /* <name>, else what the caller named it */
    char *from;              /* the file or URI its XML came from */
    char *host;              /* the host it runs on, NULL = unknown */
    TgGuestProfile *profile; /* owned */
    /* filled by tg_plan_run(): */
    gsize self;              /* index of its host in the plan, G_MAXSIZE = none */
    TgSettings settings;     /* as the policy gives them (borrowed from the policy) */
    TgMode mode;
    gsize n_allowed;         /* other hosts that let it in */
    TgPinChoice pin;         /* the rate to pin (hz 0: no suggestion) */
    gsize pin_more;          /* how many more hosts that rate opens than now */
} TgPlanGuest;

/* One guest on one host. */
typedef struct {
    TgVerdict verdict;
    const char *code;        /* static reason code */
    int rule;
    bool allowed;            /* the operation may proceed (audit mode lets a denial through) */
    bool self;               /* the guest's own host: not decided (code NULL) */
    guint64 effective_hz;    /* 0 = unknown */
} TgPlanCell;

typedef struct {
    GPtrArray *hosts;        /* TgPlanHost* */
    GPtrArray *guests;       /* TgPlanGuest* */
    TgPlanCell *cells;       /* guests x hosts, row-major, after tg_plan_run() */
} TgPlan;

/* Returns a new empty plan (tg_plan_free). */
TgPlan *tg_plan_new(void);
void tg_plan_free(TgPlan *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPlan, tg_plan_free)

/* Add host facts `facts` (taken) read from `from`, named by their hostname
 * fact, else `fallback_name`. Returns false with `error` (TG_ERROR_INVALID,
 * "FROM and OTHER both describe host NAME") when a host of that name is
 * already in the plan. */
bool tg_plan_add_host(TgPlan *p, TgHostFacts *facts, const char *from,
                      const char *fallback_name, GError **error);

/* Add guest `profile` (taken) read from `from`, named by its <name>, else
 * `fallback_name`, running on host `host` (nullable: the host its lineage
 * record's newest hop names, if any). Returns the guest (borrowed). */
TgPlanGuest *tg_plan_add_guest(TgPlan *p, TgGuestProfile *profile, const char *from,
                               const char *fallback_name, const char *host);

/* Returns the index of the host named `name`, or G_MAXSIZE. */
gsize tg_plan_find_host(const TgPlan *p, const char *name);

/* Decide every guest on every host but its own under `policy` (nullable:
 * the default rules) and, when `pins`, choose each guest's rate to pin
 * (tg-pin.h) and how many more hosts it opens. */
void tg_plan_run(TgPlan *p, const TgPolicy *policy, bool pins);

/* The cell of guest `g` on host `h` (after tg_plan_run). */
const TgPlanCell *tg_plan_cell(const TgPlan *p, gsize g, gsize h);

G_END_DECLS

#endif /* TG_PLAN_H */
