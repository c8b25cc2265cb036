/* tscgate: where decision records go: journald's native protocol when its
 * socket exists, else syslog(3), and optionally an audit file. The record
 * itself is built and formatted by tg-record.h.
 */
#ifndef TG_LOG_H
#define TG_LOG_H

#include "tg-record.h"

G_BEGIN_DECLS

/* journald's native protocol socket (systemd's sd_journal_send target). */
#define TG_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Send the record to journald at `journal_socket` (NULL = TG_JOURNAL_SOCKET)
 * when that socket exists and accepts it; else to syslog(3). Returns
 * "journal" or "syslog" (static): where it went. Never fails: syslog is the
 * last resort. */
const char *tg_log_send(const TgLogRecord *r, const char *journal_socket);

/* Append the record's logfmt line to `path` (created 0640 if missing) with a
 * single write(2) on an O_APPEND descriptor. Returns false with `error`
 * (TG_ERROR_IO, naming the path) when the file cannot be opened or the line
 * was not written whole. */
bool tg_log_append_audit(const TgLogRecord *r, const char *path, gint64 now,
                         GError **error);

G_END_DECLS

#endif /* TG_LOG_H */
