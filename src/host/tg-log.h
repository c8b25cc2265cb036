/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: where decision records go: journald's native protocol, else the
 * syslog socket, and optionally an audit file. The record itself is built
 * and formatted by tg-record.h.
 *
 * None of this blocks, whoever is on the other end: the sockets are
 * non-blocking and a full queue (a journald that stopped draining, a
 * stalled /dev/log) is waited for at most TG_LOG_SEND_WAIT_MS per sink;
 * syslog is written directly (glibc's syslog(3) blocks on a full /dev/log);
 * the audit file is opened O_NONBLOCK|O_NOFOLLOW and must be a regular
 * file. A record too big for one journal datagram is passed as a memfd,
 * as sd_journal_sendv() does, so it is never lost to EMSGSIZE.
 */
#ifndef TG_LOG_H
#define TG_LOG_H

#include <sys/types.h>

#include "tg-record.h"

G_BEGIN_DECLS

/* journald's native protocol socket (systemd's sd_journal_send target). */
#define TG_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* The local syslog socket (glibc's _PATH_LOG). */
#define TG_SYSLOG_SOCKET "/dev/log"
/* How long one sink's full queue is waited for before it counts as down. */
#define TG_LOG_SEND_WAIT_MS 250
/* A syslog message longer than this is cut (and says so): syslog daemons
 * take a few KiB per datagram (RFC 3164 asks for 1024 bytes; rsyslog's
 * default maximum is 8 KiB). The journal has no such limit. */
#define TG_LOG_SYSLOG_MAX_MESSAGE 7680

/* Where tg_log_send() delivers. NULL members: the system's sockets. */
typedef struct {
    const char *journal_socket;  /* NULL = TG_JOURNAL_SOCKET */
    const char *syslog_socket;   /* NULL = TG_SYSLOG_SOCKET */
} TgLogSinks;

/* Send the record to journald when its socket takes it, else to the syslog
 * socket (RFC 3164, facility daemon, ident tscgate). Never blocks longer
 * than TG_LOG_SEND_WAIT_MS per sink. `sinks` may be NULL. Returns
 * "journal" or "syslog" (static): where it went; NULL with `error`
 * (TG_ERROR_IO, naming each sink's problem) when neither took it. */
const char *tg_log_send(const TgLogRecord *r, const TgLogSinks *sinks, GError **error);

/* The record as one RFC 3164 datagram for the local syslog socket, what
 * glibc's syslog(3) sends: "<PRI>Mmm dd hh:mm:ss tscgate[PID]: MESSAGE
 * [FIELDS]" with `now` in local time, the text cut at
 * TG_LOG_SYSLOG_MAX_MESSAGE bytes (" [truncated]"). Returns a new string
 * (g_free). */
char *tg_log_format_rfc3164(const TgLogRecord *r, gint64 now, int pid);

/* Append `line` (ending in "\n") to the file `path` (absolute) whole or
 * not at all: one write(2) on an O_APPEND|O_NOFOLLOW|O_NONBLOCK
 * descriptor; a short write (disk full) is cut off again with
 * ftruncate(2). The file is created 0640 when missing, its directory 0750
 * when missing and its parent exists. Refused: a symbolic link, anything
 * but a regular file, the gate's own stdout, a file owned by anyone but
 * root or `owner_uid`, writable by group or others or with more than one
 * hard link; any directory from "/" down to the file's owned by anyone
 * else or writable by group or others unless sticky
 * (tg_trust_check_secure_dir()), a symbolic link on the way owned by
 * anyone else. Returns false with `error` (naming the path) when the line
 * was not appended. */
bool tg_log_append_line(const char *path, const char *line, uid_t owner_uid, GError **error);

/* tg_log_append_line() of the record's logfmt line (tg-record.h) stamped
 * `now` (UTC seconds). */
bool tg_log_append_audit(const TgLogRecord *r, const char *path, uid_t owner_uid, gint64 now,
                         GError **error);

G_END_DECLS

#endif /* TG_LOG_H */
