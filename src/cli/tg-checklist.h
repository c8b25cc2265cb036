/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: this host's facts as a virt-host-validate style checklist, for
 * operators (`tscgate probe --human`).
 */
#ifndef TG_CHECKLIST_H
#define TG_CHECKLIST_H

#include "tg-hostfacts.h"

G_BEGIN_DECLS

/* Severity of one line of the human checklist. */
typedef enum {
    TG_CHECK_INFO,  /* a value, no judgement */
    TG_CHECK_PASS,
    TG_CHECK_WARN,
    TG_CHECK_FAIL,
} TgCheckLevel;

/* Returns "INFO", "PASS", "WARN" or "FAIL" (static string). */
const char *tg_check_level_to_string(TgCheckLevel level);

/* Format the facts as a virt-host-validate style checklist, one fact a line:
 *   "TSC frequency ................................ : 2596.120 MHz"
 *   "constant_tsc ................................. : PASS"
 *   "Host clock synchronised (NTP) ................ : WARN (hint...)"
 * Each line is "  LABEL ..... : [VALUE ][LEVEL][ (HINT)]", the colons aligned;
 * an unknown fact prints "unknown (REASON)" as its value (informational
 * facts stay INFO, judged ones count as WARN).
 * Returns a newly allocated string (g_free). `worst` (nullable) receives the
 * worst level printed. */
char *tg_probe_format_human(const TgHostFacts *facts, TgCheckLevel *worst);

G_END_DECLS

#endif /* TG_CHECKLIST_H */
