/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-log.c: record formats, journald native datagram, syslog
 * fallback choice, audit file appends (also from concurrent processes). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "tg-log.h"

static TgLogRecord *
sample_record(void)
{
    TgLogRecord *r = tg_log_record_new(LOG_WARNING, "tscgate: guest 'web1' denied");

    tg_log_record_add(r, "TSCGATE_VERDICT", "deny");
    tg_log_record_add(r, "TSCGATE_REASON", "explicit-outside-tolerance");
    tg_log_record_add(r, "TSCGATE_GUEST", "web1");
    tg_log_record_addf(r, "TSCGATE_GUEST_HZ", "%u", 2100000000u);
    return r;
}

static void
test_utc(void **state)
{
    g_autofree char *a = tg_format_utc(0);
    g_autofree char *b = tg_format_utc(1795593600); /* 2026-11-25T08:00:00Z */

    (void)state;
    assert_string_equal(a, "1970-01-01T00:00:00Z");
    assert_string_equal(b, "2026-11-25T08:00:00Z");
}

static void
test_journal_format(void **state)
{
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *buf = NULL;
    gsize len = 0;

    (void)state;
    buf = tg_log_record_format_journal(r, &len);
    assert_int_equal(len, strlen(buf));
    assert_string_equal(buf,
        "MESSAGE=tscgate: guest 'web1' denied\n"
        "PRIORITY=4\n"
        "SYSLOG_IDENTIFIER=tscgate\n"
        "TSCGATE_VERDICT=deny\n"
        "TSCGATE_REASON=explicit-outside-tolerance\n"
        "TSCGATE_GUEST=web1\n"
        "TSCGATE_GUEST_HZ=2100000000\n");
}

static void
test_control_chars_escaped(void **state)
{
    g_autoptr(TgLogRecord) r = tg_log_record_new(LOG_INFO, "line1\nline2\x1b[31m");
    g_autofree char *buf = NULL;
    g_autofree char *line = NULL;
    gsize len = 0;

    (void)state;
    tg_log_record_add(r, "TSCGATE_GUEST", "evil\nMESSAGE=forged\t\x7f");
    assert_string_equal(tg_log_record_get(r, "MESSAGE"), "line1\\nline2\\x1b[31m");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_GUEST"),
                        "evil\\nMESSAGE=forged\\t\\x7f");
    buf = tg_log_record_format_journal(r, &len);
    /* Exactly one line per field: the forged MESSAGE is not a field. */
    assert_string_equal(buf,
        "MESSAGE=line1\\nline2\\x1b[31m\n"
        "PRIORITY=6\n"
        "SYSLOG_IDENTIFIER=tscgate\n"
        "TSCGATE_GUEST=evil\\nMESSAGE=forged\\t\\x7f\n");
    line = tg_log_record_format_logfmt(r, 0);
    assert_string_equal(line,
        "time=1970-01-01T00:00:00Z message=line1\\nline2\\x1b[31m priority=6 "
        "guest=\"evil\\\\nMESSAGE=forged\\\\t\\\\x7f\"\n");
}

static void
test_field_replaced_and_null(void **state)
{
    g_autoptr(TgLogRecord) r = tg_log_record_new(LOG_ERR, "m");

    (void)state;
    tg_log_record_add(r, "TSCGATE_RULE", "1");
    tg_log_record_add(r, "TSCGATE_RULE", "3");
    tg_log_record_add(r, "TSCGATE_POLICY_RULE", NULL);
    assert_string_equal(tg_log_record_get(r, "TSCGATE_RULE"), "3");
    assert_string_equal(tg_log_record_get(r, "TSCGATE_POLICY_RULE"), "");
    assert_null(tg_log_record_get(r, "TSCGATE_NOPE"));
    assert_string_equal(tg_log_record_get(r, "PRIORITY"), "3");
}

static void
test_logfmt(void **state)
{
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *line = NULL;

    (void)state;
    tg_log_record_add(r, "TSCGATE_POLICY_RULE", "");
    tg_log_record_add(r, "TSCGATE_MODE", "say \"hi\"");
    line = tg_log_record_format_logfmt(r, 1795593600);
    assert_string_equal(line,
        "time=2026-11-25T08:00:00Z message=\"tscgate: guest 'web1' denied\" priority=4 "
        "verdict=deny reason=explicit-outside-tolerance guest=web1 guest_hz=2100000000 "
        "policy_rule=\"\" mode=\"say \\\"hi\\\"\"\n");
}

static void
test_send_journal_socket(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "socket", NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *want = NULL;
    char got[4096];
    gsize wlen = 0;
    ssize_t n;
    int fd;

    (void)state;
    assert_non_null(dir);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

    assert_string_equal(tg_log_send(r, &(TgLogSinks){ path, NULL }, NULL), "journal");
    n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
    want = tg_log_record_format_journal(r, &wlen);
    assert_int_equal(n, (ssize_t)wlen);
    got[n] = '\0';
    assert_string_equal(got, want);
    /* Exactly one datagram per record. */
    assert_int_equal(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);

    close(fd);
    unlink(path);
    rmdir(dir);
}

/* A bound datagram socket nobody reads (a journald or syslog daemon that
 * stopped draining); `fill` fills its queue first. Returns the fd. */
static int
stalled_socket(const char *path, bool fill)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char junk[2048] = { 0 };
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    int wfd;

    assert_true(fd >= 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    if (!fill)
        return fd;
    wfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    assert_int_equal(connect(wfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    while (send(wfd, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
        ;
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(wfd);
    return fd;
}

/* Kill the test instead of hanging it. */
static void
bound_test(unsigned seconds)
{
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
}

static void
test_send_falls_back_to_syslog(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *sys = g_build_filename(dir, "log", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    int fd = stalled_socket(sys, false);
    char got[4096];
    ssize_t n;

    (void)state;
    assert_string_equal(tg_log_send(r, &(TgLogSinks){ "/nonexistent/tscgate/journal.socket", sys },
                                    NULL), "syslog");
    n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    got[n] = '\0';
    /* RFC 3164 as glibc's syslog(3) sends it: facility daemon (3), warning (4). */
    assert_true(g_str_has_prefix(got, "<28>"));
    assert_non_null(strstr(got, " tscgate["));
    assert_true(g_str_has_suffix(got, "]: tscgate: guest 'web1' denied [TSCGATE_VERDICT=deny "
                                 "TSCGATE_REASON=explicit-outside-tolerance TSCGATE_GUEST=web1 "
                                 "TSCGATE_GUEST_HZ=2100000000]"));
    close(fd);
    unlink(sys);
    rmdir(dir);
}

static void
test_rfc3164_format(void **state)
{
    g_autoptr(TgLogRecord) r = tg_log_record_new(LOG_ERR, "m");
    g_autoptr(TgLogRecord) big = NULL;
    g_autofree char *pad = g_strnfill(20000, 'x');
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *saved = g_strdup(g_getenv("TZ"));

    (void)state;
    g_setenv("TZ", "UTC", TRUE);
    tzset();
    a = tg_log_format_rfc3164(r, 1795593600, 42);  /* 2026-11-25T08:00:00Z */
    assert_string_equal(a, "<27>Nov 25 08:00:00 tscgate[42]: m []");
    g_free(a);
    a = tg_log_format_rfc3164(r, 1795593600 + 6 * 86400, 7); /* the day is space-padded */
    assert_string_equal(a, "<27>Dec  1 08:00:00 tscgate[7]: m []");
    /* A huge record is cut and says so. */
    big = tg_log_record_new(LOG_INFO, pad);
    b = tg_log_format_rfc3164(big, 0, 1);
    assert_true(strlen(b) < TG_LOG_SYSLOG_MAX_MESSAGE + 64);
    assert_true(g_str_has_suffix(b, "x [truncated]"));
    if (saved)
        g_setenv("TZ", saved, TRUE);
    else
        g_unsetenv("TZ");
    tzset();
}

/* A journald and a syslog daemon that stopped draining: the send gives up
 * within its bound instead of blocking, and says why. */
static void
test_send_stalled_sinks(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *jpath = g_build_filename(dir, "journal", NULL);
    g_autofree char *spath = g_build_filename(dir, "log", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    g_autoptr(GError) err = NULL;
    int jfd = stalled_socket(jpath, true);
    int sfd = stalled_socket(spath, true);
    g_autofree char *want = g_strdup_printf(
        "journal %s: not accepting records (queue full); syslog %s: not accepting records "
        "(queue full)", jpath, spath);
    gint64 t0 = g_get_monotonic_time();

    (void)state;
    bound_test(20);
    assert_null(tg_log_send(r, &(TgLogSinks){ jpath, spath }, &err));
    alarm(0);
    assert_true(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
    assert_non_null(err);
    assert_string_equal(err->message, want);
    close(jfd);
    close(sfd);
    unlink(jpath);
    unlink(spath);
    rmdir(dir);
}

/* A record bigger than a datagram can be (~208 KB by default) reaches
 * journald as a sealed memfd passed with SCM_RIGHTS, whole. */
static void
test_send_big_record_memfd(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "journal", NULL);
    g_autofree char *pad = g_strnfill(300000, 'n');
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;
    union {
        struct cmsghdr cmsg;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    char payload[16];
    struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                         .msg_controllen = sizeof(control) };
    struct cmsghdr *cmsg;
    gsize wlen = 0;
    ssize_t n;
    int fd, mfd;
    struct stat st;

    (void)state;
    tg_log_record_add(r, "TSCGATE_NOTE", pad);
    fd = stalled_socket(path, false);
    bound_test(20);
    assert_string_equal(tg_log_send(r, &(TgLogSinks){ path, "/nonexistent/log" }, NULL), "journal");
    alarm(0);
    n = recvmsg(fd, &mh, MSG_DONTWAIT);
    assert_int_equal(n, 0);
    cmsg = CMSG_FIRSTHDR(&mh);
    assert_non_null(cmsg);
    assert_int_equal(cmsg->cmsg_type, SCM_RIGHTS);
    memcpy(&mfd, CMSG_DATA(cmsg), sizeof(int));
    want = tg_log_record_format_journal(r, &wlen);
    assert_int_equal(fstat(mfd, &st), 0);
    assert_int_equal(st.st_size, (off_t)wlen);
    got = g_malloc(wlen + 1);
    assert_int_equal(pread(mfd, got, wlen, 0), (ssize_t)wlen);
    got[wlen] = '\0';
    assert_string_equal(got, want);
    /* Sealed: journald may map it without fearing it changes. */
    assert_int_equal(fcntl(mfd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_SHRINK),
                     F_SEAL_WRITE | F_SEAL_SHRINK);
    close(mfd);
    close(fd);
    unlink(path);
    rmdir(dir);
}

static void
test_audit_append(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "audit.log", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *one = tg_log_record_format_logfmt(r, 1795593600);
    g_autofree char *contents = NULL;
    g_autofree char *want = NULL;
    g_autoptr(GError) err = NULL;
    struct stat st;

    (void)state;
    assert_true(tg_log_append_audit(r, path, getuid(), 1795593600, &err));
    assert_true(tg_log_append_audit(r, path, getuid(), 1795593600, &err));
    assert_null(err);
    assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    want = g_strconcat(one, one, NULL);
    assert_string_equal(contents, want);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    unlink(path);
    rmdir(dir);
}

static void
test_audit_unwritable(void **state)
{
    g_autoptr(TgLogRecord) r = sample_record();
    g_autoptr(GError) err = NULL;

    (void)state;
    assert_false(tg_log_append_audit(r, "/nonexistent/dir/audit.log", getuid(), 0, &err));
    assert_non_null(err);
    assert_int_equal(err->code, TG_ERROR_IO);
    assert_string_equal(err->message,
        "/nonexistent/dir/audit.log: cannot open audit file: No such file or directory");
}


/* Expect the append to fail without touching anything, within bounds. */
static void
assert_append_refused(const char *path, const char *want)
{
    g_autoptr(TgLogRecord) r = sample_record();
    g_autoptr(GError) err = NULL;

    bound_test(20);
    assert_false(tg_log_append_audit(r, path, getuid(), 0, &err));
    alarm(0);
    assert_non_null(err);
    if (!strstr(err->message, want))
        fail_msg("message '%s' lacks '%s'", err->message, want);
}

/* A FIFO, a symbolic link (/dev/stdout is one), the gate's own stdout:
 * never written, never waited for. */
static void
test_audit_refuses_non_files(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo.log", NULL);
    g_autofree char *link = g_build_filename(dir, "link.log", NULL);
    g_autofree char *target = g_build_filename(dir, "target", NULL);
    g_autofree char *out = g_build_filename(dir, "stdout.log", NULL);
    g_autofree char *got = NULL;
    int rfd, saved, ofd;
    struct stat st;

    (void)state;
    assert_int_equal(mkfifo(fifo, 0640), 0);
    assert_append_refused(fifo, "cannot open audit file: No such device or address");
    rfd = open(fifo, O_RDONLY | O_NONBLOCK);   /* a reader: the open succeeds */
    assert_true(rfd >= 0);
    assert_append_refused(fifo, "is a FIFO, not a regular file");
    close(rfd);

    assert_true(g_file_set_contents(target, "", -1, NULL));
    assert_int_equal(symlink(target, link), 0);
    assert_append_refused(link, "is a symbolic link");
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_append_refused("/dev/stdout", "is a symbolic link");

    ofd = open(out, O_WRONLY | O_CREAT, 0640);
    assert_true(ofd >= 0);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    assert_int_equal(dup2(ofd, STDOUT_FILENO), STDOUT_FILENO);
    {
        g_autoptr(TgLogRecord) r = sample_record();
        g_autoptr(GError) err = NULL;
        g_autofree char *want = g_strdup_printf("%s: is the hook's stdout", out);
        bool ok = tg_log_append_audit(r, out, getuid(), 0, &err);

        dup2(saved, STDOUT_FILENO);
        close(saved);
        close(ofd);
        assert_false(ok);
        assert_string_equal(err->message, want);
    }
    assert_true(g_file_get_contents(out, &got, NULL, NULL));
    assert_string_equal(got, "");
    unlink(fifo);
    unlink(link);
    unlink(target);
    unlink(out);
    rmdir(dir);
}

/* A missing directory is created 0750 (its parent exists); a file or a
 * directory of another owner is refused. */
static void
test_audit_directory(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *sub = g_build_filename(dir, "tscgate", NULL);
    g_autofree char *path = g_build_filename(sub, "audit.log", NULL);
    g_autofree char *deep = g_build_filename(dir, "a", "b", "audit.log", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    g_autoptr(GError) err = NULL;
    struct stat st;

    (void)state;
    assert_true(tg_log_append_audit(r, path, getuid(), 0, &err));
    assert_null(err);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 0);
    /* Only the last level is created. */
    assert_append_refused(deep, "cannot open audit file: No such file or directory");
    /* Writable by others: refused, even for creating a directory in it. */
    assert_int_equal(chmod(sub, 0757), 0);
    assert_append_refused(path, "writable by others (mode 0757)");
    assert_int_equal(chmod(sub, 0750), 0);
    if (getuid() == 0) {
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_append_refused(path, "owned by uid 65534");
        assert_int_equal(chown(path, 0, 0), 0);
        assert_int_equal(chown(sub, 65534, 65534), 0);
        assert_append_refused(path, "owned by uid 65534");
        assert_int_equal(chown(sub, 0, 0), 0);
    }
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

/* Every directory above the audit file, not only its own: owned by root
 * or the trusted owner and writable by nobody else unless sticky (OpenSSH
 * secure_filename, auth.c); a symbolic link on the way only when root's
 * or the trusted owner's. */
static void
test_audit_ancestors(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *grp = g_build_filename(dir, "grp", NULL);
    g_autofree char *logs = g_build_filename(grp, "logs", NULL);
    g_autofree char *path = g_build_filename(logs, "audit.log", NULL);
    g_autofree char *sticky = g_build_filename(dir, "sticky", NULL);
    g_autofree char *spath = g_build_filename(sticky, "tscgate", "audit.log", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    g_autoptr(GError) err = NULL;
    g_autofree char *want = NULL;

    (void)state;
    assert_non_null(dir);
    assert_int_equal(mkdir(grp, 0755), 0);
    assert_int_equal(mkdir(logs, 0750), 0);
    assert_true(tg_log_append_audit(r, path, getuid(), 0, &err));
    unlink(path);
    /* A group-writable directory two levels up: its group could swap
     * "logs" for a directory of its own. */
    assert_int_equal(chmod(grp, 0775), 0);
    want = g_strdup_printf("%s: writable by group (mode 0775)", grp);
    assert_append_refused(path, want);
    assert_int_equal(chmod(grp, 0757), 0);
    g_free(want);
    want = g_strdup_printf("%s: writable by others (mode 0757)", grp);
    assert_append_refused(path, want);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    /* Sticky: others may write there but not replace what is ours. */
    assert_int_equal(chmod(grp, 01777), 0);
    g_clear_error(&err);
    assert_true(tg_log_append_audit(r, path, getuid(), 0, &err));
    unlink(path);
    assert_int_equal(chmod(grp, 0755), 0);
    /* A missing directory is created only under a trusted parent. */
    assert_int_equal(mkdir(sticky, 01777), 0);
    assert_true(tg_log_append_audit(r, spath, getuid(), 0, &err));
    {
        g_autofree char *sdir = g_path_get_dirname(spath);

        unlink(spath);
        rmdir(sdir);
        assert_int_equal(chmod(sticky, 0775), 0);
        g_free(want);
        want = g_strdup_printf("%s: writable by group (mode 0775)", sticky);
        assert_append_refused(spath, want);
        assert_false(g_file_test(sdir, G_FILE_TEST_EXISTS));
    }
    rmdir(sticky);
    rmdir(logs);
    rmdir(grp);
    rmdir(dir);
}

/* The red-team's case: grp (group-writable) holds "logs", a link owned by
 * another user to a directory of root's: nothing is created there. Also a
 * directory owned by another user higher up. Root only (chown). */
static void
test_audit_planted_link(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *grp = g_build_filename(dir, "grp", NULL);
    g_autofree char *logs = g_build_filename(grp, "logs", NULL);
    g_autofree char *victim = g_build_filename(dir, "victim", NULL);
    g_autofree char *path = g_build_filename(logs, "audit.log", NULL);
    g_autofree char *vpath = g_build_filename(victim, "audit.log", NULL);
    g_autofree char *theirs = g_build_filename(dir, "theirs", NULL);
    g_autofree char *mine = g_build_filename(theirs, "mine", NULL);
    g_autofree char *tpath = g_build_filename(mine, "audit.log", NULL);
    g_autofree char *want = NULL;

    (void)state;
    if (getuid() != 0) {
        rmdir(dir);
        skip();
    }
    assert_int_equal(mkdir(grp, 0755), 0);
    assert_int_equal(mkdir(victim, 0755), 0);
    assert_int_equal(symlink(victim, logs), 0);
    assert_int_equal(lchown(logs, 65534, 65534), 0);
    want = g_strdup_printf("%s: symbolic link owned by uid 65534", logs);
    assert_append_refused(path, want);
    assert_false(g_file_test(vpath, G_FILE_TEST_EXISTS));
    /* The same link owned by root is followed. */
    assert_int_equal(lchown(logs, 0, 0), 0);
    {
        g_autoptr(TgLogRecord) r = sample_record();
        g_autoptr(GError) err = NULL;

        assert_true(tg_log_append_audit(r, path, getuid(), 0, &err));
        assert_true(g_file_test(vpath, G_FILE_TEST_IS_REGULAR));
    }
    /* A directory of another user above ours. */
    assert_int_equal(mkdir(theirs, 0755), 0);
    assert_int_equal(mkdir(mine, 0750), 0);
    assert_int_equal(chown(theirs, 65534, 65534), 0);
    g_free(want);
    want = g_strdup_printf("%s: owned by uid 65534", theirs);
    assert_append_refused(tpath, want);
    assert_false(g_file_test(tpath, G_FILE_TEST_EXISTS));
    unlink(vpath);
    unlink(logs);
    rmdir(victim);
    rmdir(grp);
    rmdir(mine);
    rmdir(theirs);
    rmdir(dir);
}

/* The audit file itself: not writable by group or others, one link only
 * (a hard link planted to another file is not appended to). */
static void
test_audit_file_mode_and_links(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "audit.log", NULL);
    g_autofree char *other = g_build_filename(dir, "other", NULL);
    g_autoptr(TgLogRecord) r = sample_record();
    g_autofree char *one = tg_log_record_format_logfmt(r, 0);
    g_autoptr(GError) err = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;

    (void)state;
    assert_true(tg_log_append_audit(r, path, getuid(), 0, &err));
    assert_int_equal(chmod(path, 0666), 0);
    want = g_strdup_printf("%s: writable by group and others (mode 0666)", path);
    assert_append_refused(path, want);
    assert_int_equal(chmod(path, 0660), 0);
    g_free(want);
    want = g_strdup_printf("%s: writable by group (mode 0660)", path);
    assert_append_refused(path, want);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(link(path, other), 0);
    g_free(want);
    want = g_strdup_printf("%s: has 2 hard links, must have 1", path);
    assert_append_refused(path, want);
    /* Nothing was added through either name. */
    assert_true(g_file_get_contents(other, &got, NULL, NULL));
    assert_string_equal(got, one);
    unlink(other);
    unlink(path);
    rmdir(dir);
}

/* A full disk: a line that does not fit leaves nothing behind, so the
 * next one is not glued onto a fragment. Needs a small tmpfs of its own
 * (a private mount namespace, root only). */
static void
test_audit_full_disk(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "audit.log", NULL);
    g_autofree char *filler = g_build_filename(dir, "filler", NULL);
    g_autofree char *pad = g_strnfill(4096 + 3900, 'f');
    g_autofree char *longmsg = g_strnfill(600, 'L');
    g_autofree char *got = NULL;
    g_autofree char *one = NULL;
    g_autoptr(TgLogRecord) small = tg_log_record_new(LOG_INFO, "s");
    g_autoptr(TgLogRecord) big = tg_log_record_new(LOG_INFO, longmsg);
    g_autoptr(GError) err = NULL;

    (void)state;
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tscgate-test", dir, "tmpfs", 0, "size=12k,mode=0700") != 0) {
        rmdir(dir);
        skip();
    }
    /* 8k of the 12k used up; the audit file gets the rest. */
    assert_true(g_file_set_contents(filler, pad, -1, NULL));
    one = tg_log_record_format_logfmt(small, 0);
    assert_true(tg_log_append_audit(small, path, getuid(), 0, &err));
    /* Fill the audit file's page up to a few bytes short. */
    {
        gsize room = 4096 - strlen(one) - 50;
        g_autofree char *msg = g_strnfill(room - strlen("time=1970-01-01T00:00:00Z message= priority=6\n"), 'm');
        g_autoptr(TgLogRecord) fill = tg_log_record_new(LOG_INFO, msg);

        assert_true(tg_log_append_audit(fill, path, getuid(), 0, &err));
    }
    g_free(got);
    assert_true(g_file_get_contents(path, &got, NULL, NULL));
    {
        gsize before = strlen(got);

        assert_false(tg_log_append_audit(big, path, getuid(), 0, &err));
        assert_non_null(err);
        assert_non_null(strstr(err->message, "cannot append audit line"));
        g_free(got);
        assert_true(g_file_get_contents(path, &got, NULL, NULL));
        assert_int_equal(strlen(got), before);
        assert_true(g_str_has_suffix(got, "\n"));
    }
    /* A line that fits is appended whole after the last whole line. */
    g_clear_error(&err);
    assert_true(tg_log_append_audit(small, path, getuid(), 0, &err));
    g_free(got);
    assert_true(g_file_get_contents(path, &got, NULL, NULL));
    assert_true(g_str_has_suffix(got, "\n" "time=1970-01-01T00:00:00Z message=s priority=6\n"));
    umount2(dir, MNT_DETACH);
    rmdir(dir);
}

/* 20 processes append 50 long lines each at once: every line arrives whole. */
static void
test_audit_concurrent(void **state)
{
    enum { PROCS = 20, LINES = 50 };
    g_autofree char *dir = g_dir_make_tmp("tg-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "audit.log", NULL);
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *pad = g_strnfill(3000, 'x');
    guint counts[PROCS] = { 0 };
    guint n_lines = 0;

    (void)state;
    for (int p = 0; p < PROCS; p++) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            TgLogRecord *r = tg_log_record_new(LOG_INFO, pad);
            int ok = 1;

            tg_log_record_addf(r, "TSCGATE_GUEST", "p%d", p);
            for (int i = 0; i < LINES; i++) {
                g_autoptr(GError) err = NULL;

                if (!tg_log_append_audit(r, path, getuid(), 0, &err)) {
                    fprintf(stderr, "p%d: %s\n", p, err->message);
                    ok = 0;
                }
            }
            tg_log_record_free(r);
            /* What the parent frees, freed here too, so that memcheck
             * finds no leak in the child either. */
            g_clear_pointer(&pad, g_free);
            g_clear_pointer(&path, g_free);
            g_clear_pointer(&dir, g_free);
            _exit(ok ? 0 : 1);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int status = 0;

        assert_true(wait(&status) > 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    lines = g_strsplit(contents, "\n", -1);
    for (guint i = 0; lines[i] && *lines[i]; i++) {
        g_autofree char *prefix = g_strdup_printf("time=1970-01-01T00:00:00Z message=%s priority=6 guest=p", pad);
        guint64 p = 0;

        assert_true(g_str_has_prefix(lines[i], prefix));
        assert_true(tg_parse_u64(lines[i] + strlen(prefix), &p));
        assert_true(p < PROCS);
        counts[p]++;
        n_lines++;
    }
    assert_int_equal(n_lines, PROCS * LINES);
    for (int p = 0; p < PROCS; p++)
        assert_int_equal(counts[p], LINES);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_journal_format),
        cmocka_unit_test(test_control_chars_escaped),
        cmocka_unit_test(test_field_replaced_and_null),
        cmocka_unit_test(test_logfmt),
        cmocka_unit_test(test_send_journal_socket),
        cmocka_unit_test(test_send_falls_back_to_syslog),
        cmocka_unit_test(test_rfc3164_format),
        cmocka_unit_test(test_send_stalled_sinks),
        cmocka_unit_test(test_send_big_record_memfd),
        cmocka_unit_test(test_audit_refuses_non_files),
        cmocka_unit_test(test_audit_directory),
        cmocka_unit_test(test_audit_ancestors),
        cmocka_unit_test(test_audit_planted_link),
        cmocka_unit_test(test_audit_file_mode_and_links),
        cmocka_unit_test(test_audit_full_disk),
        cmocka_unit_test(test_audit_append),
        cmocka_unit_test(test_audit_unwritable),
        cmocka_unit_test(test_audit_concurrent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
