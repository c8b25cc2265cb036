/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the one list of a decision's fields. Every rendering of a
 * decision (the text and JSON reports of `check` and `preflight`, `policy
 * explain`, the hook's log record and audit line, `plan`) takes its fields
 * from here, under the same names:
 *
 *   JSON key and logfmt key  NAME          ("guest_hz")
 *   journald field           TSCGATE_NAME  ("TSCGATE_GUEST_HZ")
 *
 * A value that is not known is NULL here, `null` in JSON and `unknown` in
 * the log record; it is never 0.
 */
#ifndef TG_FIELDS_H
#define TG_FIELDS_H

#include "tg-evaluate.h"

G_BEGIN_DECLS

typedef enum {
    TG_FIELD_TEXT = 0,   /* JSON string */
    TG_FIELD_NUMBER,     /* JSON number (decimal digits) */
    TG_FIELD_BOOL,       /* JSON true/false, "yes"/"no" in the log record */
} TgFieldType;

typedef enum {
    TG_F_VERDICT = 0,
    TG_F_ALLOWED,
    TG_F_MODE,
    TG_F_CODE,
    TG_F_RULE,
    TG_F_REASON,
    TG_F_GUEST,
    TG_F_UUID,
    TG_F_CLOCK_CLASS,
    TG_F_GUEST_HZ,
    TG_F_GUEST_HZ_ORIGIN,
    TG_F_DEST_HZ,
    TG_F_DEST_SCALING,
    TG_F_WINDOW_LO,
    TG_F_WINDOW_HI,
    TG_F_TOLERANCE_PPM,
    TG_F_EFFECTIVE_HZ,
    TG_F_EFFECTIVE_CHANGED,
    TG_F_POLICY_RULE,
    TG_F_POLICY_WHY,
    TG_F_OP,
    TG_F_SOURCE,
    TG_F_POLICY_DIGEST,
    TG_F_TSCGATE_VERSION,
    TG_F_DESTINATION,
    TG_F_COUNT
} TgFieldId;

typedef struct {
    const char *name;    /* JSON/logfmt key; the journald field is TSCGATE_ + upper case */
    TgFieldType type;
    const char *label;   /* the text report's label */
    bool in_record;      /* false: the log record says it otherwise (MESSAGE for reason) */
    bool untrusted;      /* from the guest or another host: escaped for the record */
    const char *record_null; /* what an unknown (NULL) value is in the log record;
                              * "" (simply absent): the text report leaves it out */
    const char *unit;    /* a number's unit in the text report ("Hz", "ppm"), NULL: none */
} TgFieldDef;

/* The definition of field `id` (static). */
const TgFieldDef *tg_field_def(TgFieldId id);

/* The field called `name`, or TG_F_COUNT when there is none. */
TgFieldId tg_field_by_name(const char *name);

/* The values of one decision's fields, NULL for unknown. Zero-initialise
 * ({ 0 }); a value is owned (g_free) unless `borrowed`. */
typedef struct {
    char *v[TG_F_COUNT];
    bool borrowed[TG_F_COUNT]; /* v[id] is a static string or points into num[id] */
    char num[TG_F_COUNT][24];  /* a number's digits, without an allocation */
} TgFields;

/* Set field `id` to a copy of `value` (NULL: unknown). */
void tg_fields_set(TgFields *f, TgFieldId id, const char *value);
/* Set field `id` to `value` itself, a string that outlives `f` (a static
 * one: tg_verdict_to_string(), a reason code), without a copy. */
void tg_fields_set_static(TgFields *f, TgFieldId id, const char *value);
/* Set field `id` to the decimal `value`, or unknown when `known` is false. */
void tg_fields_set_u64(TgFields *f, TgFieldId id, guint64 value, bool known);
void tg_fields_clear(TgFields *f);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgFields, tg_fields_clear)

/* Fill `f` from evaluation `e` of `guest` (op "migrate", the tscgate
 * version; the caller sets op, source, destination and policy_digest when
 * it knows them). The source is the lineage record's newest hop's host when
 * the evaluation took the source facts from it. Rates and the tolerance
 * window the engine did not know are unknown, never 0. */
void tg_fields_from_evaluation(TgFields *f, const TgGuestProfile *guest,
                               const TgEvaluation *e);

/* The fields as JSON object members, `"name":value` joined by ",", in
 * list order, unknown as null; fields with `skip[id]` true left out
 * (`skip` nullable). Returns a new string (g_free). */
char *tg_fields_json_members(const TgFields *f, const bool *skip);

/* Append the JSON members of tg_fields_json_members() to `out`. */
void tg_fields_json_append(GString *out, const TgFields *f, const bool *skip);

/* Append the fields to `out` as the text report's lines, one per field in
 * list order: "  LABEL  VALUE\n", the label padded to 16 columns, a rate
 * as "N Hz (M MHz)", a boolean as yes/no, every value escaped for a
 * terminal (tg_escape_untrusted). An unknown value is "unknown"; one that
 * is simply absent (record_null "": no policy rule matched) has no line.
 * Fields with `skip[id]` true are left out (`skip` nullable). */
void tg_fields_text_append(GString *out, const TgFields *f, const bool *skip);

G_END_DECLS

#endif /* TG_FIELDS_H */
