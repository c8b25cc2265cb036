/* tscgate: printing an evaluation for people (text) and programs (JSON). */
#ifndef TG_REPORT_H
#define TG_REPORT_H

#include <stdio.h>

#include "tg-evaluate.h"

G_BEGIN_DECLS

/* Returns `s` as a JSON string literal with quotes (g_free); NULL -> "null". */
char *tg_json_string(const char *s);

/* Returns a newly allocated text report (g_free): a first line
 * "VERDICT: reason" followed by indented detail lines. */
char *tg_report_text(const TgGuestProfile *guest, const TgEvaluation *e);

/* Returns a newly allocated JSON object (one line plus "\n", g_free). */
char *tg_report_json(const TgGuestProfile *guest, const TgEvaluation *e);

/* Exit status for an evaluation: TG_EXIT_ALLOW unless denied in enforce mode. */
int tg_report_exit_status(const TgEvaluation *e);

G_END_DECLS

#endif /* TG_REPORT_H */
