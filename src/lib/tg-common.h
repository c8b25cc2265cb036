/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: shared types and error reporting for the core library.
 *
 * Every module of libtscgate reports failures through GError with the
 * TG_ERROR domain; messages are one line, name the file (and line when the
 * input is XML) and say what is wrong.
 */
#ifndef TG_COMMON_H
#define TG_COMMON_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

G_BEGIN_DECLS

#define TG_ERROR (tg_error_quark())
/* Returns the GQuark of tscgate's error domain (static, never freed). */
GQuark tg_error_quark(void);

typedef enum {
    TG_ERROR_IO,        /* a file or device could not be read/written */
    TG_ERROR_PARSE,     /* input is not well-formed XML */
    TG_ERROR_INVALID,   /* well-formed, but not what we expect (wrong root, bad number...) */
    TG_ERROR_UNSUPPORTED, /* e.g. a newer major version of a tscgate format */
    TG_ERROR_PERMISSION,  /* trust check failed (owner, mode) */
} TgErrorCode;

/* Exit status of the `tscgate` CLI. What each value means is described
 * once, in doc/tscgate.8 (EXIT STATUS); everything else refers there. */
typedef enum {
    TG_EXIT_ALLOW = 0,
    TG_EXIT_DENY = 1,
    TG_EXIT_USAGE = 2,
} TgExitStatus;

/* How every reader names standard input in messages ("stdin:3: ..."). */
#define TG_STDIN_NAME "stdin"

/* The name of input `path` in messages: TG_STDIN_NAME for "-", NULL for
 * NULL, else `path` itself (borrowed). */
const char *tg_input_name(const char *path);

/* The spellings of an enum whose values are 0..n-1: names[v] spells value
 * v; a NULL entry is a value without a spelling (never read nor written).
 * One table per enum, next to the enum's type; the readers of every format
 * (XML attributes, element text, CLI options) take it. */
typedef struct {
    const char *const *names;
    guint n;
} TgEnumTable;

/* Initialiser for a TgEnumTable over a static array of names. */
#define TG_ENUM_TABLE(array) { (array), G_N_ELEMENTS(array) }

/* Returns the spelling of `value` in `table` (static), or NULL when the
 * value is out of range or has no spelling. */
const char *tg_enum_to_string(const TgEnumTable *table, int value);

/* Returns the value spelled `s` in `table` (>= 0), or -1 when `s` is NULL
 * or not one of the spellings. */
int tg_enum_from_string(const TgEnumTable *table, const char *s);

/* Returns the spellings of `table`, in value order, joined by ", " ("yes,
 * no"), for "is not one of: ..." messages. Newly allocated (g_free). */
char *tg_enum_list(const TgEnumTable *table);

/* A three-valued fact: libvirt's scaling='yes|no' or absent, and friends. */
typedef enum {
    TG_TRI_UNKNOWN = 0,
    TG_TRI_NO,
    TG_TRI_YES,
} TgTri;

/* Spellings of TgTri: "unknown", "no", "yes" (e.g. a lineage hop's
 * scaling attribute). */
extern const TgEnumTable tg_tri_table;

/* Returns "yes", "no" or "unknown" (static string). */
const char *tg_tri_to_string(TgTri t);

/* Where a fact came from, or why it is unknown.
 * known=true: `source` says where it came from ("KVM_GET_TSC_KHZ on /dev/kvm",
 * "/proc/cpuinfo flags", "capabilities XML <counter>").
 * known=false: `reason` says why it is unknown ("/dev/kvm: No such file or
 * directory"). Both strings are owned by the fact. */
typedef struct {
    bool known;
    char *source;
    char *reason;
} TgFactNote;

typedef struct {
    TgFactNote note;
    guint64 value;
} TgU64Fact;

typedef struct {
    TgFactNote note;
    bool value;
} TgBoolFact;

typedef struct {
    TgFactNote note;
    char *value;
} TgStrFact;

/* Mark a fact known with `value` and a source (copied). Frees previous strings. */
void tg_u64_fact_set(TgU64Fact *f, guint64 value, const char *source);
void tg_bool_fact_set(TgBoolFact *f, bool value, const char *source);
void tg_str_fact_set(TgStrFact *f, const char *value, const char *source);
/* Mark a fact unknown with a reason (printf-style, copied). */
void tg_fact_set_unknown(TgFactNote *n, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Release the strings a fact owns; the fact becomes unknown with no reason. */
void tg_fact_note_clear(TgFactNote *n);
void tg_str_fact_clear(TgStrFact *f);
/* Deep-copy helpers (dst is cleared first). */
void tg_fact_note_copy(TgFactNote *dst, const TgFactNote *src);

/* Bool fact as a TgTri: unknown when not known. */
TgTri tg_bool_fact_tri(const TgBoolFact *f);

/* Parse a base-10 unsigned 64-bit integer, the whole string, no sign, no
 * spaces, no overflow. Returns true on success. */
bool tg_parse_u64(const char *s, guint64 *out);

/* How tg_escape() writes what cannot stand as it is. */
typedef enum {
    TG_ESCAPE_UNTRUSTED, /* "\n" "\r" "\t" "\\", other C0/DEL "\xHH", C1/bidi "\uXXXX" */
    TG_ESCAPE_CONTROLS,  /* the same, but a backslash stays (text already escaped) */
    TG_ESCAPE_JSON,      /* a JSON string body: also "\"", other C0/DEL "\u00HH" */
} TgEscapeStyle;

/* Returns `s` (not NULL) with control characters escaped in `style`, so it
 * stays on one line of a log, message or JSON document and shows as what it
 * is. In every style, C1 controls (U+0080..U+009F), U+2028/U+2029 and the
 * bidirectional controls (U+200E, U+200F, U+061C, U+202A..U+202E,
 * U+2066..U+2069) become "\uXXXX" (JSON's own escape, so JSON readers
 * decode them back); bytes that are not UTF-8 become "\xHH" ("\u00HH" in
 * JSON). Other UTF-8 stays as it is. Newly allocated (g_free). */
char *tg_escape(const char *s, TgEscapeStyle style);

/* Append `s` to `out` as a JSON string literal with its quotes
 * (TG_ESCAPE_JSON); NULL as null. */
void tg_json_string_append(GString *out, const char *s);

/* Returns `s` as a JSON string literal with quotes (g_free); NULL -> "null". */
char *tg_json_string(const char *s);

/* Escape control characters (and backslash) of an untrusted string, e.g. a
 * guest name, for logs and one-line messages: "\n" -> "\\n", other C0/DEL ->
 * "\\xHH". Returns a newly allocated string (g_free). NULL -> "(null)". */
char *tg_escape_untrusted(const char *s);

/* Format Hz as "2596.120 MHz" (newly allocated, g_free). */
char *tg_format_mhz(guint64 hz);

/* Format `t` (UTC seconds) as RFC 3339 "2026-11-25T08:00:00Z". Returns a new
 * string (g_free). */
char *tg_format_utc(gint64 t);

G_END_DECLS

#endif /* TG_COMMON_H */
