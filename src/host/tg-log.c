/* tscgate: sending decision records to journald, syslog and the audit file
 * (see tg-log.h). */
#include <config.h>

#include "tg-log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

/* Send one datagram to journald's native socket. */
static bool
send_journal(const TgLogRecord *r, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autofree char *buf = NULL;
    gsize len = 0;
    ssize_t n;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path) || access(path, F_OK) != 0)
        return false;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    buf = tg_log_record_format_journal(r, &len);
    n = sendto(fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)&sa, sizeof(sa));
    close(fd);
    return n == (ssize_t)len;
}

const char *
tg_log_send(const TgLogRecord *r, const char *journal_socket)
{
    g_autofree char *text = NULL;

    if (send_journal(r, journal_socket ? journal_socket : TG_JOURNAL_SOCKET))
        return "journal";

    text = tg_log_record_format_syslog(r);
    openlog(TG_LOG_IDENT, LOG_PID, LOG_DAEMON);
    syslog(tg_log_record_priority(r), "%s", text);
    closelog();
    return "syslog";
}

bool
tg_log_append_audit(const TgLogRecord *r, const char *path, gint64 now,
                    GError **error)
{
    g_autofree char *line = tg_log_record_format_logfmt(r, now);
    size_t len = strlen(line);
    ssize_t n;
    int fd, err;

    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0) {
        err = errno;
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open audit file: %s",
                    path, g_strerror(err));
        return false;
    }
    /* One write(2) with O_APPEND: the kernel appends the whole line
     * atomically with respect to other appenders of a regular file. No
     * retry on a short write: a second write could interleave. */
    n = write(fd, line, len);
    err = errno;
    if (close(fd) != 0 && n == (ssize_t)len) {
        err = errno;
        n = -1;
    }
    if (n != (ssize_t)len) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot append audit line: %s",
                    path, n < 0 ? g_strerror(err) : "short write");
        return false;
    }
    return true;
}
