/* Tests for tg-log.c: record formats, journald native datagram, syslog
 * fallback choice, audit file appends (also from concurrent processes). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
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

    assert_string_equal(tg_log_send(r, path), "journal");
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

static void
test_send_falls_back_to_syslog(void **state)
{
    g_autoptr(TgLogRecord) r = sample_record();

    (void)state;
    assert_string_equal(tg_log_send(r, "/nonexistent/tscgate/journal.socket"), "syslog");
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
    assert_true(tg_log_append_audit(r, path, 1795593600, &err));
    assert_true(tg_log_append_audit(r, path, 1795593600, &err));
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
    assert_false(tg_log_append_audit(r, "/nonexistent/dir/audit.log", 0, &err));
    assert_non_null(err);
    assert_int_equal(err->code, TG_ERROR_IO);
    assert_string_equal(err->message,
        "/nonexistent/dir/audit.log: cannot open audit file: No such file or directory");
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
            for (int i = 0; i < LINES; i++)
                ok &= tg_log_append_audit(r, path, 0, NULL);
            tg_log_record_free(r);
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
        cmocka_unit_test(test_audit_append),
        cmocka_unit_test(test_audit_unwritable),
        cmocka_unit_test(test_audit_concurrent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
