/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: printing an evaluation for people (text) and programs (JSON). */
#ifndef TG_REPORT_H
#define TG_REPORT_H

#include <stdio.h>

#include "tg-evaluate.h"

G_BEGIN_DECLS

/* What `check` and `preflight` know about the destination, which they do
 * not run on: its name, where its facts came from, and whether it enforces
 * the policy they decide with. All strings borrowed. */
typedef struct {
    const char *name;          /* host name, NULL: "the destination" */
    const char *facts_from;    /* one phrase: "facts published in DIR/b.xml by tscgate 0.1.0 at T" */
    const char *facts_path;    /* the file or URI the facts came from (JSON) */
    bool policy_known;         /* its published policy is the one decided with */
    const char *policy_note;   /* one phrase saying so, or why it cannot be known */
    const TgHostFacts *facts;  /* for the per-fact source lines, nullable */
    const char *source_from;   /* where the source host's facts came from, NULL: none given */
    const char *source_name;   /* the source host's name, NULL: unknown (or from the lineage) */
    const char *policy_digest; /* digest of the policy decided with, "none": the default rules */
} TgReportDest;

/* Returns `reason` (the engine's, written as the destination's hook sees
 * it: "this host") naming the destination instead ("destination NAME", or
 * "the destination"), and advising publishing its facts where the engine
 * advises a host.xml this report did not read. Newly allocated (g_free). */
char *tg_report_name_destination(const char *reason, const char *name);

/* tg_report_text() with, when `dest` is not NULL, the reason naming the
 * destination and detail lines saying where every destination fact came
 * from and what it enforces. Newly allocated (g_free). */
char *tg_report_text_dest(const TgGuestProfile *guest, const TgEvaluation *e,
                          const TgReportDest *dest);

/* tg_report_json() with, when `dest` is not NULL, the reason naming the
 * destination, the fields source and policy_digest from it, and after the
 * decision's fields dest_facts_from, dest_policy_known and dest_policy.
 * Newly allocated (g_free). */
char *tg_report_json_dest(const TgGuestProfile *guest, const TgEvaluation *e,
                          const TgReportDest *dest);

/* The members of tg_report_json_dest()'s object, without the braces, for
 * a command that adds its own (`policy explain`). Newly allocated (g_free). */
char *tg_report_json_members_dest(const TgGuestProfile *guest, const TgEvaluation *e,
                                  const TgReportDest *dest);

/* Returns a newly allocated text report (g_free): a first line
 * "VERDICT: reason" followed by indented detail lines. */
char *tg_report_text(const TgGuestProfile *guest, const TgEvaluation *e);

/* Returns a newly allocated JSON object (one line plus "\n", g_free): the
 * decision's fields (tg-fields.h) in their order, null for what is not
 * known. */
char *tg_report_json(const TgGuestProfile *guest, const TgEvaluation *e);

/* Exit status for an evaluation: TG_EXIT_ALLOW unless denied in enforce mode. */
int tg_report_exit_status(const TgEvaluation *e);

G_END_DECLS

#endif /* TG_REPORT_H */
