/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: sending decision records to journald, syslog and the audit file
 * (see tg-log.h). Nothing here may block: the gate runs inside libvirt's
 * migration and libvirt waits for it without a timeout. */
#include <config.h>

#include "tg-log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tg-file.h"
#include "tg-trust.h"

/* A non-blocking datagram socket connected to `path` (connected, so that
 * poll(2) reports when the peer's queue has room again). Returns the fd or
 * -1 with `error`. */
static int
connect_dgram(const char *path, GError **error)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: socket path too long", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, g_strerror(e));
        return -1;
    }
    return fd;
}

/* sendmsg(2) without blocking; a full queue (a reader that stopped
 * draining) is waited for with poll(2) for at most TG_LOG_SEND_WAIT_MS in
 * all. Returns 0, or the errno of the last attempt. */
static int
send_bounded(int fd, const struct msghdr *mh)
{
    gint64 until = g_get_monotonic_time() + TG_LOG_SEND_WAIT_MS * 1000;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        gint64 left;

        if (sendmsg(fd, mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return errno;
        left = (until - g_get_monotonic_time()) / 1000;
        if (left <= 0)
            return EAGAIN;
        if (poll(&pfd, 1, (int)MIN(left, 1000)) < 0 && errno != EINTR)
            return errno;
    }
}

static int
send_buffer(int fd, const char *buf, gsize len)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    return send_bounded(fd, &mh);
}

/* A record too big for one datagram goes as a sealed memfd passed with
 * SCM_RIGHTS and no payload, which journald reads in full
 * (systemd src/libsystemd/sd-journal/journal-send.c sd_journal_sendv,
 * src/journal/journald-native.c server_process_native_file). */
static int
send_memfd(int fd, const char *buf, gsize len)
{
    union {
        struct cmsghdr cmsg;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr mh = { .msg_control = &control, .msg_controllen = sizeof(control) };
    struct cmsghdr *cmsg;
    const char *p = buf;
    gsize left = len;
    int mfd, e;

    mfd = memfd_create("tscgate-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return errno;
    while (left > 0) {
        ssize_t n = write(mfd, p, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            close(mfd);
            return e;
        }
        p += n;
        left -= (gsize)n;
    }
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        e = errno;
        close(mfd);
        return e;
    }
    memset(&control, 0, sizeof(control));
    cmsg = CMSG_FIRSTHDR(&mh);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &mfd, sizeof(int));
    e = send_bounded(fd, &mh);
    close(mfd);
    return e;
}

/* Send the record to journald's native socket at `path`. */
static bool
send_journal(const TgLogRecord *r, const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    int fd, e;

    fd = connect_dgram(path, error);
    if (fd < 0)
        return false;
    buf = tg_log_record_format_journal(r, &len);
    e = send_buffer(fd, buf, len);
    if (e == EMSGSIZE || e == ENOBUFS)
        e = send_memfd(fd, buf, len);
    close(fd);
    if (e) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path,
                    e == EAGAIN ? "not accepting records (queue full)" : g_strerror(e));
        return false;
    }
    return true;
}

char *
tg_log_format_rfc3164(const TgLogRecord *r, gint64 now, int pid)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    g_autofree char *text = tg_log_record_format_syslog(r);
    time_t t = (time_t)now;
    struct tm tm;
    GString *out = g_string_new(NULL);

    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof(tm));
    /* What glibc's syslog(3) writes to /dev/log (misc/syslog.c
     * __vsyslog_internal): "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MSG", no
     * hostname on the local socket. */
    g_string_append_printf(out, "<%d>%s %2d %02d:%02d:%02d %s[%d]: ",
                           LOG_DAEMON | tg_log_record_priority(r), months[tm.tm_mon % 12],
                           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, TG_LOG_IDENT, pid);
    if (strlen(text) > TG_LOG_SYSLOG_MAX_MESSAGE) {
        /* Cut on a character boundary (the text is ASCII but for UTF-8 in
         * names) and say so. */
        const char *end = g_utf8_find_prev_char(text, text + TG_LOG_SYSLOG_MAX_MESSAGE);

        g_string_append_len(out, text, end ? end - text : 0);
        g_string_append(out, " [truncated]");
    } else {
        g_string_append(out, text);
    }
    return g_string_free(out, FALSE);
}

/* Send the record to the syslog socket at `path` as glibc would, but
 * never blocking. */
static bool
send_syslog(const TgLogRecord *r, const char *path, GError **error)
{
    g_autofree char *line = tg_log_format_rfc3164(r, g_get_real_time() / G_USEC_PER_SEC,
                                                  (int)getpid());
    int fd, e;

    fd = connect_dgram(path, error);
    if (fd < 0)
        return false;
    e = send_buffer(fd, line, strlen(line));
    close(fd);
    if (e) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path,
                    e == EAGAIN ? "not accepting records (queue full)" : g_strerror(e));
        return false;
    }
    return true;
}

const char *
tg_log_send(const TgLogRecord *r, const TgLogSinks *sinks, GError **error)
{
    g_autoptr(GError) jerr = NULL;
    g_autoptr(GError) serr = NULL;
    const char *journal = sinks && sinks->journal_socket ? sinks->journal_socket
                                                         : TG_JOURNAL_SOCKET;
    const char *syslog_path = sinks && sinks->syslog_socket ? sinks->syslog_socket
                                                            : TG_SYSLOG_SOCKET;

    if (send_journal(r, journal, &jerr))
        return "journal";
    if (send_syslog(r, syslog_path, &serr))
        return "syslog";
    g_set_error(error, TG_ERROR, TG_ERROR_IO, "journal %s; syslog %s", jerr->message,
                serr->message);
    return NULL;
}

/* The flags every audit path is resolved with: each directory on the way
 * owned by root or the trusted owner and writable by nobody else unless
 * sticky, links followed only when root's or the trusted owner's. */
#define TG_AUDIT_RESOLVE (TG_TRUST_ROOT_LINKS | TG_TRUST_SECURE_DIRS)

/* Open the directory `dir` (absolute, not a symbolic link once resolved)
 * for reading with O_DIRECTORY|O_NOFOLLOW after resolving its path with
 * TG_AUDIT_RESOLVE. Returns the fd, or -1 with `error` and *err_no (the
 * failing call's errno, 0 for a trust failure). */
static int
open_secure_dir(const char *dir, uid_t owner_uid, int *err_no, GError **error)
{
    g_autofree char *last = NULL;
    int pfd = tg_trust_resolve_at(AT_FDCWD, dir, dir, owner_uid, TG_AUDIT_RESOLVE, &last, NULL,
                                  err_no, error);
    int dfd, e;

    if (pfd < 0)
        return -1;
    dfd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    e = errno;
    close(pfd);
    if (dfd < 0) {
        *err_no = e;
        g_set_error(error, TG_ERROR, e == EACCES ? TG_ERROR_PERMISSION : TG_ERROR_IO, "%s: %s",
                    dir, g_strerror(e));
        return -1;
    }
    return dfd;
}

/* Open the directory the audit file lives in, creating it 0750 when it is
 * missing and its parent exists and is trusted; every directory from "/"
 * down passes tg_trust_check_secure_dir(). Returns the fd or -1. */
static int
open_audit_dir(const char *path, const char *dir, uid_t owner_uid, GError **error)
{
    g_autoptr(GError) err = NULL;
    struct stat st;
    int e = 0;
    int dfd = open_secure_dir(dir, owner_uid, &e, &err);

    if (dfd < 0 && e == ENOENT) {
        g_autofree char *parent = g_path_get_dirname(dir);
        g_autofree char *base = g_path_get_basename(dir);
        g_autoptr(GError) perr = NULL;
        int pfd = open_secure_dir(parent, owner_uid, &e, &perr);

        if (pfd < 0 && e != 0) {
            /* A missing grandparent: only the last level is created. */
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open audit file: %s", path,
                        g_strerror(e));
            return -1;
        }
        if (pfd < 0 || fstat(pfd, &st) != 0 ||
            !tg_trust_check_secure_dir(parent, &st, owner_uid, &perr)) {
            if (!perr)
                g_set_error(&perr, TG_ERROR, TG_ERROR_IO, "%s: %s", parent, g_strerror(errno));
            if (pfd >= 0)
                close(pfd);
            g_set_error(error, perr->domain, perr->code, "%s: cannot create its directory: %s",
                        path, perr->message);
            return -1;
        }
        if (mkdirat(pfd, base, 0750) != 0 && errno != EEXIST) {
            e = errno;
            close(pfd);
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot create directory %s: %s",
                        path, dir, g_strerror(e));
            return -1;
        }
        close(pfd);
        g_clear_error(&err);
        dfd = open_secure_dir(dir, owner_uid, &e, &err);
    }
    if (dfd < 0) {
        if (e)
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open audit file: %s", path,
                        g_strerror(e));
        else
            g_set_error(error, err->domain, err->code, "%s: not appended: %s", path,
                        err->message);
        return -1;
    }
    if (fstat(dfd, &st) != 0 || !tg_trust_check_secure_dir(dir, &st, owner_uid, &err)) {
        if (!err)
            g_set_error(&err, TG_ERROR, TG_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        g_set_error(error, err->domain, err->code, "%s: not appended: %s", path, err->message);
        close(dfd);
        return -1;
    }
    return dfd;
}

bool
tg_log_append_line(const char *path, const char *line, uid_t owner_uid, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    size_t len = strlen(line);
    struct stat st, out;
    ssize_t n;
    int dfd, fd, err;

    if (!g_path_is_absolute(path) || !*base || strcmp(base, "/") == 0) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: not an absolute file name", path);
        return false;
    }
    dfd = open_audit_dir(path, dir, owner_uid, error);
    if (dfd < 0)
        return false;
    /* O_NOFOLLOW: a link planted in the directory is refused, /dev/stdout
     * included; O_NONBLOCK: a FIFO never stalls the gate. */
    fd = openat(dfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
                O_NOCTTY, 0640);
    err = errno;
    close(dfd);
    if (fd < 0) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open audit file: %s", path,
                    err == ELOOP ? "is a symbolic link" : g_strerror(err));
        return false;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot open audit file: is a %s, not a "
                    "regular file", path, tg_file_type_name(st.st_mode));
        return false;
    }
    if (st.st_uid != 0 && st.st_uid != owner_uid) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s: owned by uid %u (mode %04o), must be owned by uid 0 or %u", path,
                    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)owner_uid);
        return false;
    }
    /* Nobody else may write it (or truncate what it holds), and it is no
     * second name of another file (a hard link planted while the
     * directory was open to others). */
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION,
                    "%s: writable by %s (mode %04o); run chmod go-w", path,
                    tg_trust_writers(st.st_mode),
                    (unsigned)(st.st_mode & 07777));
        return false;
    }
    if (st.st_nlink != 1) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_PERMISSION, "%s: has %ju hard links, must have 1",
                    path, (uintmax_t)st.st_nlink);
        return false;
    }
    /* Never the gate's own stdout: that is the domain XML libvirt reads. */
    if (fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino) {
        close(fd);
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: is the hook's stdout", path);
        return false;
    }
    /* One write(2) with O_APPEND: the kernel appends the whole line
     * atomically with respect to other appenders of a regular file. No
     * retry on a short write (a second write could interleave): what was
     * written of the line is cut off again, so the file only ever holds
     * whole lines. */
    n = write(fd, line, len);
    err = errno;
    if (n > 0 && (size_t)n < len) {
        off_t end = lseek(fd, 0, SEEK_CUR);

        if (end >= n && ftruncate(fd, end - n) != 0) {
            int e = errno;

            close(fd);
            g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: short write (%zd of %zu bytes) "
                        "and cannot cut it off: %s", path, n, len, g_strerror(e));
            return false;
        }
        err = ENOSPC;
    }
    if (close(fd) != 0 && n == (ssize_t)len) {
        err = errno;
        n = -1;
    }
    if (n != (ssize_t)len) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: cannot append audit line: %s", path,
                    n > 0 ? "short write (disk full?), nothing kept" : g_strerror(err));
        return false;
    }
    return true;
}

bool
tg_log_append_audit(const TgLogRecord *r, const char *path, uid_t owner_uid, gint64 now,
                    GError **error)
{
    g_autofree char *line = tg_log_record_format_logfmt(r, now);

    return tg_log_append_line(path, line, owner_uid, error);
}
