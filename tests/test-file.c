/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-file.c's trusted reading: regular files only, never
 * blocking, bounded, trust checks on the opened descriptor. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-file.h"
#include "tg-trust.h"

typedef struct {
    char *dir;
} Fixture;

static int
setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);

    f->dir = g_dir_make_tmp("tg-file-XXXXXX", NULL);
    assert_non_null(f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    Fixture *f = *state;
    g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(f->dir, n, NULL);

        if (rmdir(p) != 0)
            unlink(p);
    }
    rmdir(f->dir);
    g_free(f->dir);
    g_free(f);
    return 0;
}

static char *
write_file(const Fixture *f, const char *name, const char *text, mode_t mode)
{
    char *p = g_build_filename(f->dir, name, NULL);

    assert_true(g_file_set_contents(p, text, -1, NULL));
    assert_int_equal(chmod(p, mode), 0);
    return p;
}

/* Expect the read to fail with a message that contains `want`. */
static void
assert_refused(const char *path, uid_t owner, gsize max, const char *want)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    assert_false(tg_file_read_trusted(path, owner, max, &buf, &len, NULL, &err));
    assert_non_null(err);
    if (!strstr(err->message, want))
        fail_msg("message '%s' lacks '%s'", err->message, want);
    assert_null(strchr(err->message, '\n'));
}

static void
test_regular_file_read_with_id(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = write_file(f, "a.xml", "<a/>", 0644);
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    TgFileId id = { 0 }, id2 = { 0 };
    struct stat st;
    gsize len = 0;

    assert_true(tg_file_read_trusted(p, getuid(), 1024, &buf, &len, &id, &err));
    assert_string_equal(buf, "<a/>");
    assert_int_equal(len, 4);
    assert_int_equal(stat(p, &st), 0);
    tg_file_id_from_stat(&id2, &st);
    assert_true(tg_file_id_equal(&id, &id2));
    assert_int_equal(id.size, 4);
    /* A chmod changes ctime: another version. */
    assert_int_equal(chmod(p, 0600), 0);
    assert_int_equal(stat(p, &st), 0);
    tg_file_id_from_stat(&id2, &st);
    id2.ctime_ns += id2.ctime_ns == id.ctime_ns; /* same tick: force a difference */
    assert_false(tg_file_id_equal(&id, &id2));
}

static void
test_fifo_refused_without_blocking(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = g_build_filename(f->dir, "fifo.xml", NULL);

    assert_int_equal(mkfifo(p, 0644), 0);
    /* Opening a FIFO with no writer would block without O_NONBLOCK. */
    assert_refused(p, getuid(), 1024, "is a FIFO, not a regular file");
}

static void
test_directory_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = g_build_filename(f->dir, "d.xml", NULL);

    assert_int_equal(mkdir(p, 0755), 0);
    assert_refused(p, getuid(), 1024, "is a directory, not a regular file");
}

static void
test_symlink_to_device_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = g_build_filename(f->dir, "zero.xml", NULL);

    assert_int_equal(symlink("/dev/zero", p), 0);
    assert_refused(p, getuid(), 1024, "is a character device, not a regular file");
}

static void
test_dangling_symlink_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = g_build_filename(f->dir, "gone.xml", NULL);

    assert_int_equal(symlink("/nonexistent/tscgate/host.xml", p), 0);
    assert_refused(p, getuid(), 1024, "No such file or directory");
}

static void
test_symlink_not_owned_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *t = write_file(f, "t.xml", "<a/>", 0644);
    g_autofree char *p = g_build_filename(f->dir, "l.xml", NULL);

    assert_int_equal(symlink(t, p), 0);
    assert_refused(p, getuid() + 1, 1024, "symbolic link owned by uid");
}

static void
test_sparse_large_file_refused_by_size(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = write_file(f, "big.xml", "", 0644);
    int fd = open(p, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)2 << 30), 0); /* 2 GiB, no blocks */
    close(fd);
    assert_refused(p, getuid(), 16u << 20, "file is larger than 16777216 bytes");
}

static void
test_group_writable_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = write_file(f, "gw.xml", "<a/>", 0664);

    assert_refused(p, getuid(), 1024, "writable by group");
}

static void
test_wrong_owner_refused(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = write_file(f, "o.xml", "<a/>", 0644);

    assert_refused(p, getuid() + 1, 1024, "must be owned by uid");
}

static void
test_any_owner_skips_trust(void **state)
{
    Fixture *f = *state;
    g_autofree char *p = write_file(f, "any.xml", "<a/>", 0666);
    g_autofree char *buf = NULL;
    gsize len = 0;

    assert_true(tg_file_read_trusted(p, TG_TRUST_ANY_OWNER, 1024, &buf, &len, NULL, NULL));
    assert_string_equal(buf, "<a/>");
}

/* Relative to a directory descriptor: the file is the one in the directory
 * that was opened, even after the directory's name is taken by another;
 * messages name the path given. */
static void
test_read_at_directory_fd(void **state)
{
    Fixture *f = *state;
    g_autofree char *sub = g_build_filename(f->dir, "sub", NULL);
    g_autofree char *moved = g_build_filename(f->dir, "moved", NULL);
    g_autofree char *file = g_build_filename(sub, "c.xml", NULL);
    g_autofree char *fifo = g_build_filename(moved, "fifo", NULL);
    g_autofree char *moved_file = g_build_filename(moved, "c.xml", NULL);
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;
    int dfd;

    assert_int_equal(mkdir(sub, 0755), 0);
    assert_true(g_file_set_contents(file, "<c/>", -1, NULL));
    assert_int_equal(chmod(file, 0644), 0);
    dfd = open(sub, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    /* Swap the directory's name for another directory. */
    assert_int_equal(rename(sub, moved), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_true(tg_file_read_trusted_at(dfd, "c.xml", "shown/c.xml", getuid(), 1024, &buf, &len,
                                        NULL, &err));
    assert_string_equal(buf, "<c/>");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_false(tg_file_read_trusted_at(dfd, "fifo", "shown/fifo", getuid(), 1024, &buf, &len,
                                         NULL, &err));
    assert_string_equal(err->message, "shown/fifo: is a FIFO, not a regular file");
    close(dfd);
    unlink(fifo);
    unlink(moved_file);
    rmdir(moved);
    rmdir(sub);
}

/* Expect the read to succeed with `want` as contents. */
static void
assert_read(const char *path, uid_t owner, const char *want)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!tg_file_read_trusted(path, owner, 1024, &buf, &len, NULL, &err))
        fail_msg("%s: %s", path, err->message);
    assert_string_equal(buf, want);
}

/* A chain of symbolic links: every link must be the trusted owner's, not
 * only the first (a root-owned link to a link anyone owns would let that
 * one pick the file). Needs root to give a link away (lchown). */
static void
test_symlink_chain_every_link_owned(void **state)
{
    Fixture *f = *state;
    g_autofree char *t = write_file(f, "t.xml", "<t/>", 0644);
    g_autofree char *mid = g_build_filename(f->dir, "mid.xml", NULL);
    g_autofree char *first = g_build_filename(f->dir, "first.xml", NULL);
    g_autofree char *want = g_strdup_printf("%s: symbolic link owned by uid 65534", mid);

    if (getuid() != 0)
        skip();
    assert_int_equal(symlink("t.xml", mid), 0);
    assert_int_equal(symlink("mid.xml", first), 0);
    assert_read(first, getuid(), "<t/>");
    assert_int_equal(lchown(mid, 65534, 65534), 0);
    assert_refused(first, getuid(), 1024, want);
    assert_refused(mid, getuid(), 1024, want);
    {
        g_autoptr(GError) err = NULL;

        assert_false(tg_trust_check_path(first, getuid(), &err));
        if (!strstr(err->message, want))
            fail_msg("'%s' lacks '%s'", err->message, want);
    }
    /* Without owner checks the chain is followed as the kernel does. */
    assert_read(first, TG_TRUST_ANY_OWNER, "<t/>");
}

/* A link in a directory part of a link's target counts too. */
static void
test_symlink_in_target_directory(void **state)
{
    Fixture *f = *state;
    g_autofree char *sub = g_build_filename(f->dir, "sub", NULL);
    g_autofree char *t = g_build_filename(sub, "t.xml", NULL);
    g_autofree char *dlink = g_build_filename(f->dir, "dlink", NULL);
    g_autofree char *first = g_build_filename(f->dir, "first.xml", NULL);
    g_autofree char *want = g_strdup_printf("%s: symbolic link owned by uid 65534", dlink);

    if (getuid() != 0)
        skip();
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_true(g_file_set_contents(t, "<s/>", -1, NULL));
    assert_int_equal(chmod(t, 0644), 0);
    assert_int_equal(symlink("sub", dlink), 0);
    assert_int_equal(symlink("dlink/t.xml", first), 0);
    assert_read(first, getuid(), "<s/>");
    assert_int_equal(lchown(dlink, 65534, 65534), 0);
    assert_refused(first, getuid(), 1024, want);
    {
        g_autoptr(GError) err = NULL;

        assert_false(tg_trust_check_path(first, getuid(), &err));
        if (!strstr(err->message, want))
            fail_msg("'%s' lacks '%s'", err->message, want);
    }
    unlink(t);
}

/* At most 8 links are followed (the kernel would follow 40). */
static void
test_symlink_chain_bounded(void **state)
{
    Fixture *f = *state;
    g_autofree char *t = write_file(f, "t.xml", "<t/>", 0644);
    g_autofree char *l1 = g_build_filename(f->dir, "l1", NULL);
    g_autofree char *l0 = g_build_filename(f->dir, "l0", NULL);
    g_autofree char *want = g_strdup_printf("%s: more than 8 symbolic links", l0);

    /* l1 -> l2 -> ... -> l8 -> t.xml: 8 links, read. */
    for (int i = 1; i <= 8; i++) {
        g_autofree char *l = g_strdup_printf("%s/l%d", f->dir, i);
        g_autofree char *to = i == 8 ? g_strdup("t.xml") : g_strdup_printf("l%d", i + 1);

        assert_int_equal(symlink(to, l), 0);
    }
    assert_read(l1, getuid(), "<t/>");
    /* l0 -> l1: 9 links, refused. */
    assert_int_equal(symlink("l1", l0), 0);
    assert_refused(l0, getuid(), 1024, want);
    {
        g_autoptr(GError) err = NULL;

        assert_false(tg_trust_check_path(l0, getuid(), &err));
        if (!strstr(err->message, want))
            fail_msg("'%s' lacks '%s'", err->message, want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regular_file_read_with_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_refused_without_blocking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_to_device_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dangling_symlink_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_not_owned_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sparse_large_file_refused_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_writable_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_owner_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_owner_skips_trust, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_at_directory_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_chain_every_link_owned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_in_target_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_chain_bounded, setup, teardown),
    };

    return cmocka_run_group_tests_name("tg-file", tests, NULL, NULL);
}
