/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: one structured record per gating decision, and its renderings.
 *
 * A record is a MESSAGE, a syslog PRIORITY and KEY=value fields. It goes to
 * journald via its native protocol when the journal socket exists (so every
 * field is queryable: `journalctl SYSLOG_IDENTIFIER=tscgate
 * TSCGATE_VERDICT=deny`), else to syslog(3) with ident "tscgate" (the
 * fields appended to the message in logfmt form). Optionally the record is
 * also appended to an audit file as one logfmt line, written with a single
 * write(2) on an O_APPEND descriptor so concurrent hooks never interleave.
 *
 * Values never carry control characters: any that reach the record are
 * escaped ("\\xHH"; C1, separator and bidi controls "\\uXXXX", see
 * tg_escape()). Escape untrusted strings (guest names) with
 * tg_escape_untrusted() before adding them, so the result is unambiguous.
 */
#ifndef TG_RECORD_H
#define TG_RECORD_H

#include "tg-common.h"
#include "tg-fields.h"

G_BEGIN_DECLS

#define TG_LOG_IDENT "tscgate"

/* MESSAGE_ID of each kind of record (journald's 128-bit ids, 32 lower-case
 * hex digits; `journalctl MESSAGE_ID=...`, and `journalctl -x` shows the
 * entry of data/tscgate.catalog). Never change one: queries depend on it. */
#define TG_MSGID_DECISION   "6e28bdb45fa24aa599616a3bddce218c" /* allowed, warned, denied */
#define TG_MSGID_AUDIT      "68d55fc021f9494a9be5418d89fea2c4" /* audit mode: a would-be denial */
#define TG_MSGID_ERROR      "1babdfb9b9f14697b8c047a733f5d064" /* no decision: denied (fail-closed) */
#define TG_MSGID_FAIL_OPEN  "f246ada5e13a4aa5a516f5685f136b24" /* no decision: allowed (fail-open) */
#define TG_MSGID_DEADLINE   "dbaf5ff51028413fa0b0a6702ce2649f" /* no answer within the deadline */

typedef struct _TgLogRecord TgLogRecord;

/* Returns a new record with PRIORITY `priority` (LOG_ERR..LOG_DEBUG),
 * SYSLOG_IDENTIFIER=tscgate and MESSAGE `message` (copied, control
 * characters escaped). Free with tg_log_record_free(). */
TgLogRecord *tg_log_record_new(int priority, const char *message);
void tg_log_record_free(TgLogRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgLogRecord, tg_log_record_free)

/* Add field `key` (upper case, digits, '_'; journald's rule) with `value`
 * (copied, control characters escaped; NULL is stored as ""). A key that
 * journald would reject is a programming error (g_return_if_fail). */
void tg_log_record_add(TgLogRecord *r, const char *key, const char *value);
void tg_log_record_addf(TgLogRecord *r, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Add every field of `f` that belongs in the record (tg-fields.h,
 * `in_record`) as TSCGATE_NAME: unknown values as the field's
 * `record_null`, booleans "yes"/"no", untrusted strings (guest, hosts)
 * escaped with tg_escape_untrusted(); those with `skip[id]` true left out
 * (`skip` nullable). */
void tg_log_record_add_fields(TgLogRecord *r, const TgFields *f, const bool *skip);
/* The same for field `id` of `f` alone (whether or not `in_record`). */
void tg_log_record_add_field(TgLogRecord *r, const TgFields *f, TgFieldId id);

/* The value of field `key` (MESSAGE and PRIORITY included) or NULL
 * (borrowed). */
const char *tg_log_record_get(const TgLogRecord *r, const char *key);

/* The record as one journald native-protocol datagram ("KEY=value\n" per
 * field, MESSAGE first). Returns a new buffer (g_free) and its length. */
char *tg_log_record_format_journal(const TgLogRecord *r, gsize *len);

/* The record as one logfmt line ending in "\n": `time=RFC3339 key=value...`
 * with keys lower-cased and a leading "TSCGATE_" dropped (SYSLOG_IDENTIFIER
 * omitted), values quoted when they hold spaces, '=' or '"'. `now` is UTC
 * seconds. Returns a new string (g_free). */
char *tg_log_record_format_logfmt(const TgLogRecord *r, gint64 now);

/* The record's syslog priority (LOG_ERR..LOG_DEBUG). */
int tg_log_record_priority(const TgLogRecord *r);

/* The record as one syslog message: MESSAGE, then the TSCGATE_ fields in
 * logfmt form in brackets. Returns a new string (g_free). */
char *tg_log_record_format_syslog(const TgLogRecord *r);

/* Copy `s` with control characters (C0, DEL) escaped as "\\n", "\\t",
 * "\\r" or "\\xHH"; backslashes are kept. NULL gives "". For text that
 * already holds escaped untrusted parts. Returns a new string (g_free). */
char *tg_log_escape_controls(const char *s);

G_END_DECLS

#endif /* TG_RECORD_H */
