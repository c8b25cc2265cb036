/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for tg-hostcache.c (per-boot probe cache) and tg-hookconf.c. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tg-hookconf.h"
#include "tg-hostcache.h"
#include "tg-file.h"

#define BOOT "e714c2ce-93a1-4559-b440-de4804aa2aa7"

typedef struct {
    int calls;
    guint64 hz;
    const char *fail;   /* non-NULL: the KVM part of the probe fails with this */
    bool synced;        /* clock synchronised, TSC stable and current clocksource */
    int refreshes;
} FakeProbe;

#define HOSTCACHE_GET(run, boot, probe, res, err) \
    tg_hostcache_get((run), (boot), getuid(), fake_probe, fake_refresh, (probe), (res), (err))

static TgHostFacts *
fake_probe(gpointer data)
{
    FakeProbe *p = data;
    TgHostFacts *f = tg_host_facts_new();

    p->calls++;
    if (p->fail) {
        tg_fact_set_unknown(&f->tsc_hz.note, "%s", p->fail);
        tg_fact_set_unknown(&f->tsc_scaling.note, "%s", p->fail);
    } else {
        tg_u64_fact_set(&f->tsc_hz, p->hz, "fake probe");
        tg_bool_fact_set(&f->tsc_scaling, false, "fake probe");
    }
    tg_str_fact_set(&f->hostname, "fakehost", "fake probe");
    tg_bool_fact_set(&f->constant_tsc, true, "fake probe");
    tg_bool_fact_set(&f->clock_synchronized, p->synced, "fake probe");
    tg_str_fact_set(&f->clocksource_current, p->synced ? "tsc" : "hpet", "fake probe");
    tg_bool_fact_set(&f->tsc_unstable, !p->synced, "fake probe");
    return f;
}

/* The per-run facts of this moment (tg_probe_per_run() in the gate). */
static void
fake_refresh(TgHostFacts *f, gpointer data)
{
    FakeProbe *p = data;
    g_autoptr(TgHostFacts) now = fake_probe(p);

    p->calls--;
    p->refreshes++;
    tg_host_facts_take_per_run(f, now);
}

static char *
tmpdir(void)
{
    char *d = g_dir_make_tmp("tg-hostcache-XXXXXX", NULL);

    assert_non_null(d);
    return d;
}

static void
rm_rf(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            rm_rf(p);
        else
            unlink(p);
    }
    rmdir(dir);
}

static guint
count_entries(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    while (d && g_dir_read_name(d))
        n++;
    return n;
}

static void
test_boot_id(void **state)
{
    static const struct {
        const char *content;
        const char *want;       /* NULL = error */
        TgErrorCode code;
    } cases[] = {
        { BOOT "\n", BOOT, 0 },
        { BOOT, BOOT, 0 },
        { "e714c2ce-93a1-4559-b440-de4804aa2aa\n", NULL, TG_ERROR_INVALID },   /* 35 chars */
        { "e714c2ce-93a1-4559-b440-de4804aa2aa77\n", NULL, TG_ERROR_INVALID }, /* 37 chars */
        { "../../../../etc/passwd-aaaaaaaaaaaaaa\n", NULL, TG_ERROR_INVALID },
        { "E714C2CE-93A1-4559-B440-DE4804AA2AA7\n", NULL, TG_ERROR_INVALID },
        { "", NULL, TG_ERROR_INVALID },
    };
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "boot_id", NULL);

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *id = NULL;

        assert_true(g_file_set_contents(path, cases[i].content, -1, NULL));
        id = tg_hostcache_boot_id(path, &err);
        if (cases[i].want) {
            assert_null(err);
            assert_string_equal(id, cases[i].want);
        } else {
            g_autofree char *msg = g_strdup_printf(
                "%s: not a boot id (36 characters of 0-9a-f and '-')", path);

            assert_null(id);
            assert_int_equal(err->code, cases[i].code);
            assert_string_equal(err->message, msg);
        }
    }
    {
        g_autoptr(GError) err = NULL;
        g_autofree char *missing = g_build_filename(dir, "nope", NULL);
        g_autofree char *want = g_strdup_printf("%s: cannot read boot id: ", missing);

        assert_null(tg_hostcache_boot_id(missing, &err));
        assert_int_equal(err->code, TG_ERROR_IO);
        assert_true(g_str_has_prefix(err->message, want));
    }
    /* The real one, where there is one. */
    if (g_file_test(TG_BOOT_ID_PATH, G_FILE_TEST_EXISTS)) {
        g_autofree char *id = tg_hostcache_boot_id(NULL, NULL);

        assert_non_null(id);
        assert_int_equal(strlen(id), 36);
    }
    rm_rf(dir);
}

static void
test_dir_and_path(void **state)
{
    g_autofree char *p = tg_hostcache_path("/run/tscgate", BOOT);
    g_autofree char *saved = g_strdup(g_getenv("TSCGATE_RUNTIME_DIR"));

    (void)state;
    assert_string_equal(p, "/run/tscgate/hostfacts-" BOOT ".xml");
    g_setenv("TSCGATE_RUNTIME_DIR", "/tmp/x", TRUE);
    {
        g_autofree char *d = tg_hostcache_dir();
        assert_string_equal(d, "/tmp/x");
    }
    g_setenv("TSCGATE_RUNTIME_DIR", "", TRUE);
    {
        g_autofree char *d = tg_hostcache_dir();
        assert_string_equal(d, RUNSTATEDIR "/tscgate");
    }
    if (saved)
        g_setenv("TSCGATE_RUNTIME_DIR", saved, TRUE);
    else
        g_unsetenv("TSCGATE_RUNTIME_DIR");
}

static void
test_atomic_write(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "f.xml", NULL);
    g_autofree char *got = NULL;
    g_autoptr(GError) err = NULL;
    struct stat st;

    (void)state;
    assert_true(tg_write_file_atomic(path, "one", 3, &err));
    assert_true(tg_write_file_atomic(path, "two!", 4, &err));
    assert_true(g_file_get_contents(path, &got, NULL, NULL));
    assert_string_equal(got, "two!");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_entries(dir), 1);   /* no temp file left */
    {
        g_autofree char *bad = g_build_filename(dir, "no", "such", "f.xml", NULL);

        assert_false(tg_write_file_atomic(bad, "x", 1, &err));
        assert_int_equal(err->code, TG_ERROR_IO);
    }
    rm_rf(dir);
}

static void
test_get_probes_once_then_hits(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", "tscgate", NULL);
    g_autofree char *cache = tg_hostcache_path(run, BOOT);
    FakeProbe probe = { .hz = 2596120000, .fail = NULL };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;
    g_autoptr(GError) err = NULL;

    (void)state;
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_null(err);
        assert_int_equal(res, TG_HOSTCACHE_STORED);
        assert_int_equal(probe.calls, 1);
        assert_int_equal(f->tsc_hz.value, 2596120000);
        assert_true(g_file_test(cache, G_FILE_TEST_IS_REGULAR));
        assert_int_equal(count_entries(run), 1);
    }
    /* Second call: from the cache, the probe is not called. */
    probe.hz = 1;
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_null(err);
        assert_int_equal(res, TG_HOSTCACHE_HIT);
        assert_int_equal(probe.calls, 1);
        assert_int_equal(f->tsc_hz.value, 2596120000);
        assert_true(f->tsc_hz.note.known);
        assert_string_equal(f->hostname.value, "fakehost");
        assert_int_equal(tg_bool_fact_tri(&f->tsc_scaling), TG_TRI_NO);
    }
    /* Another boot id: probed again, one more file. */
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, "00000000-0000-0000-0000-000000000000",
                                                    getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_STORED);
        assert_int_equal(probe.calls, 2);
        assert_int_equal(f->tsc_hz.value, 1);
        assert_int_equal(count_entries(run), 2);
    }
    /* A corrupt cache is replaced. */
    assert_true(g_file_set_contents(cache, "<capabilities><host>", -1, NULL));
    probe.hz = 2100050000;
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_STORED);
        assert_int_equal(probe.calls, 3);
        assert_int_equal(f->tsc_hz.value, 2100050000);
    }
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_HIT);
        assert_int_equal(probe.calls, 3);
        assert_int_equal(f->tsc_hz.value, 2100050000);
    }
    rm_rf(dir);
}

static void
test_get_uncached(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *under = g_build_filename(file, "run", NULL);
    g_autofree char *want = g_strdup_printf("%s: cannot create runtime directory: Not a directory", under);
    FakeProbe probe = { .hz = 42, .fail = NULL };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;

    (void)state;
    assert_true(g_file_set_contents(file, "x", -1, NULL));
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHostFacts) f = tg_hostcache_get(under, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_UNCACHED);
        assert_int_equal(f->tsc_hz.value, 42);
        assert_non_null(err);
        assert_string_equal(err->message, want);
    }
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHostFacts) f = tg_hostcache_get(NULL, NULL, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_UNCACHED);
        assert_int_equal(probe.calls, 2);
        assert_non_null(f);
        assert_string_equal(err->message, "probe cache disabled: no runtime directory or boot id");
    }
    rm_rf(dir);
}


/* What another uid planted: 2100 MHz with scaling, which this host is not. */
#define PLANTED \
    "<capabilities><host><cpu><counter name='tsc' frequency='2100000000' scaling='yes'/>" \
    "</cpu></host></capabilities>\n"

/* A runtime directory anyone may write is neither read nor written: the
 * facts are probed afresh, the planted file stays as it is. */
static void
test_get_untrusted_dir(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    g_autofree char *cache = tg_hostcache_path(run, BOOT);
    g_autofree char *got = NULL;
    FakeProbe probe = { .hz = 1996000000, .fail = NULL };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;
    g_autoptr(GError) err = NULL;
    g_autofree char *want = NULL;

    (void)state;
    assert_int_equal(mkdir(run, 0755), 0);
    assert_int_equal(chmod(run, 01777), 0);
    assert_true(g_file_set_contents(cache, PLANTED, -1, NULL));
    assert_int_equal(chmod(cache, 0644), 0);
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_UNCACHED);
        assert_int_equal(probe.calls, 1);
        assert_int_equal(f->tsc_hz.value, 1996000000);
        assert_int_equal(tg_bool_fact_tri(&f->tsc_scaling), TG_TRI_NO);
    }
    want = g_strdup_printf("%s: writable by group and others (owner uid %u, mode 1777); run chmod go-w",
                           run, (unsigned)getuid());
    assert_non_null(err);
    assert_string_equal(err->message, want);
    assert_true(g_file_get_contents(cache, &got, NULL, NULL));
    assert_string_equal(got, PLANTED);
    /* Owned by another uid: the same (only where this test may chown). */
    if (getuid() == 0) {
        g_clear_error(&err);
        assert_int_equal(chmod(run, 0755), 0);
        assert_int_equal(chown(run, 65534, 65534), 0);
        {
            g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, 0, fake_probe, fake_refresh, &probe, &res, &err);

            assert_int_equal(res, TG_HOSTCACHE_UNCACHED);
            assert_int_equal(probe.calls, 2);
            assert_int_equal(f->tsc_hz.value, 1996000000);
        }
        assert_non_null(err);
        g_free(want);
        want = g_strdup_printf("%s: owned by uid 65534 (mode 0755), must be owned by uid 0", run);
        assert_string_equal(err->message, want);
        assert_int_equal(chown(run, 0, 0), 0);
    }
    rm_rf(dir);
}

/* Kill the test instead of hanging it. */
static void
bound_test(unsigned seconds)
{
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
}

/* A cache file that is not a trusted regular file of sane size is ignored
 * with a note, probed afresh and replaced; reading it never blocks nor
 * costs its size in memory. */
static void
test_get_bad_cache_files(void **state)
{
    static const struct {
        const char *what;
        const char *want; /* expected in the note */
    } cases[] = {
        { "fifo", "is a FIFO, not a regular file" },
        { "dev-zero", "is a character device, not a regular file" },
        { "sparse-2g", "file is larger than" },
        { "group-writable", "writable by group" },
        { "foreign", "owned by uid 65534" },
        { "unknown-rate", "no TSC rate" },
    };
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    g_autofree char *cache = tg_hostcache_path(run, BOOT);

    (void)state;
    assert_int_equal(mkdir(run, 0755), 0);
    bound_test(20);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        FakeProbe probe = { .hz = 1996000000, .fail = NULL };
        TgHostcacheResult res = TG_HOSTCACHE_HIT;
        g_autoptr(GError) err = NULL;
        const char *w = cases[i].what;
        struct stat st;

        unlink(cache);
        if (strcmp(w, "fifo") == 0) {
            assert_int_equal(mkfifo(cache, 0644), 0);
        } else if (strcmp(w, "dev-zero") == 0) {
            assert_int_equal(symlink("/dev/zero", cache), 0);
        } else if (strcmp(w, "sparse-2g") == 0) {
            int fd = open(cache, O_WRONLY | O_CREAT | O_EXCL, 0644);

            assert_true(fd >= 0);
            assert_int_equal(ftruncate(fd, (off_t)2 << 30), 0);
            close(fd);
        } else if (strcmp(w, "group-writable") == 0) {
            assert_true(g_file_set_contents(cache, PLANTED, -1, NULL));
            assert_int_equal(chmod(cache, 0664), 0);
        } else if (strcmp(w, "foreign") == 0) {
            if (getuid() != 0)
                continue;
            assert_true(g_file_set_contents(cache, PLANTED, -1, NULL));
            assert_int_equal(chmod(cache, 0644), 0);
            assert_int_equal(chown(cache, 65534, 65534), 0);
        } else {
            /* What an earlier version cached after a failed probe. */
            assert_true(g_file_set_contents(cache, "<capabilities><host/></capabilities>\n", -1, NULL));
            assert_int_equal(chmod(cache, 0644), 0);
        }
        {
            g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe,
                                                        &res, &err);

            assert_int_equal(probe.calls, 1);
            assert_int_equal(f->tsc_hz.value, 1996000000);
            assert_int_equal(tg_bool_fact_tri(&f->tsc_scaling), TG_TRI_NO);
        }
        if (!err || !strstr(err->message, cases[i].want))
            fail_msg("%s: note '%s' lacks '%s'", w, err ? err->message : "(none)", cases[i].want);
        assert_true(g_str_has_prefix(err->message, cache));
        /* Replaced by a good cache: the next run reads it. */
        assert_int_equal(res, TG_HOSTCACHE_STORED);
        assert_int_equal(lstat(cache, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_true(st.st_size < 65536);
        {
            g_autoptr(GError) err2 = NULL;
            g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe,
                                                        &res, &err2);

            assert_null(err2);
            assert_int_equal(res, TG_HOSTCACHE_HIT);
            assert_int_equal(probe.calls, 1);
            assert_int_equal(f->tsc_hz.value, 1996000000);
        }
    }
    alarm(0);
    rm_rf(dir);
}

/* Nobody can stall gating by holding a lock on the runtime directory: a
 * cold cache with the directory locked (shared, as `flock -s DIR sleep`
 * does) still answers within a second or two. */
static void
test_get_lock_held(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    FakeProbe probe = { .hz = 1996000000, .fail = NULL };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;
    g_autoptr(GError) err = NULL;
    int pipefd[2];
    pid_t pid;
    gint64 t0;
    char c;

    (void)state;
    assert_int_equal(mkdir(run, 0700), 0);
    assert_int_equal(pipe(pipefd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int dfd = open(run, O_RDONLY | O_DIRECTORY);

        /* Gone with the test, even when an alarm kills it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        if (dfd < 0 || flock(dfd, LOCK_SH) != 0)
            _exit(1);
        if (write(pipefd[1], "x", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    close(pipefd[0]);
    bound_test(20);
    t0 = g_get_monotonic_time();
    {
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(f->tsc_hz.value, 1996000000);
    }
    alarm(0);
    assert_true(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC);
    assert_int_equal(probe.calls, 1);
    /* Stored all the same: temp file and rename(2) need no lock. */
    assert_int_equal(res, TG_HOSTCACHE_STORED);
    assert_null(err);
    assert_int_equal(count_entries(run), 1);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    rm_rf(dir);
}

/* A failed probe is never cached: the reason is the probe's own, and the
 * next run probes again (and caches what works). */
static void
test_get_failed_probe_not_cached(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    FakeProbe probe = { .hz = 2596096000, .fail = "/dev/kvm: Permission denied" };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;

    (void)state;
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_int_equal(res, TG_HOSTCACHE_UNCACHED);
        assert_false(f->tsc_hz.note.known);
        assert_string_equal(f->tsc_hz.note.reason, "/dev/kvm: Permission denied");
        assert_non_null(err);
        assert_string_equal(err->message,
                            "failed probe not stored: TSC rate unknown: /dev/kvm: Permission denied");
        assert_int_equal(count_entries(run), 0);
    }
    probe.fail = NULL;
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHostFacts) f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, &res, &err);

        assert_null(err);
        assert_int_equal(res, TG_HOSTCACHE_STORED);
        assert_int_equal(probe.calls, 2);
        assert_int_equal(f->tsc_hz.value, 2596096000);
        assert_int_equal(count_entries(run), 1);
    }
    rm_rf(dir);
}

/* The runtime directory is created 0700: no other user can open it, so
 * none can take a lock on it or list it. */
static void
test_get_creates_private_dir(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    FakeProbe probe = { .hz = 2596096000, .fail = NULL };
    g_autoptr(TgHostFacts) f = NULL;
    struct stat st;

    (void)state;
    f = tg_hostcache_get(run, BOOT, getuid(), fake_probe, fake_refresh, &probe, NULL, NULL);
    assert_int_equal(stat(run, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    rm_rf(dir);
}

/* Health facts (clock synchronisation, clocksource, the TSC-unstable mark)
 * change during a boot: the cache keeps only what is fixed for the boot,
 * and a cache hit carries the health facts of this moment. */
static void
test_get_health_not_cached(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *run = g_build_filename(dir, "run", "tscgate", NULL);
    g_autofree char *cache = tg_hostcache_path(run, BOOT);
    g_autofree char *stored = NULL;
    FakeProbe probe = { .hz = 2596120000 };
    TgHostcacheResult res = TG_HOSTCACHE_HIT;
    g_autoptr(GError) err = NULL;

    (void)state;
    {
        g_autoptr(TgHostFacts) f = HOSTCACHE_GET(run, BOOT, &probe, &res, &err);

        assert_null(err);
        assert_int_equal(res, TG_HOSTCACHE_STORED);
        /* The run that probed sees what it probed. */
        assert_int_equal(tg_bool_fact_tri(&f->clock_synchronized), TG_TRI_NO);
        assert_int_equal(tg_bool_fact_tri(&f->tsc_unstable), TG_TRI_YES);
    }
    assert_true(g_file_get_contents(cache, &stored, NULL, NULL));
    {
        g_autoptr(TgHostFacts) c = tg_host_facts_parse_xml(stored, strlen(stored), cache, &err);

        assert_non_null(c);
        /* Fixed for the boot: kept. */
        assert_int_equal(c->tsc_hz.value, 2596120000);
        assert_int_equal(tg_bool_fact_tri(&c->constant_tsc), TG_TRI_YES);
        /* Health: not in the cache. */
        assert_false(c->clock_synchronized.note.known);
        assert_false(c->clocksource_current.note.known);
        assert_false(c->tsc_unstable.note.known);
    }
    /* The clock synchronises: the next run sees it, from the cache. */
    probe.synced = true;
    {
        g_autoptr(TgHostFacts) f = HOSTCACHE_GET(run, BOOT, &probe, &res, &err);

        assert_null(err);
        assert_int_equal(res, TG_HOSTCACHE_HIT);
        assert_int_equal(probe.calls, 1);
        assert_int_equal(probe.refreshes, 1);
        assert_int_equal(f->tsc_hz.value, 2596120000);
        assert_int_equal(tg_bool_fact_tri(&f->clock_synchronized), TG_TRI_YES);
        assert_int_equal(tg_bool_fact_tri(&f->tsc_unstable), TG_TRI_NO);
        assert_string_equal(f->clocksource_current.value, "tsc");
    }
    rm_rf(dir);
}

static void
test_hookconf(void **state)
{
    static const struct {
        const char *text;
        const char *audit;  /* expected audit_file, "" = NULL */
        const char *msg;    /* NULL = success */
        guint deadline;     /* expected deadline_s on success */
    } cases[] = {
        { "", "", NULL, 0 },
        { "# nothing\n[hook]\n", "", NULL, 0 },
        { "[hook]\naudit-file=/var/log/tscgate/audit.log\n", "/var/log/tscgate/audit.log", NULL, 0 },
        { "[hook]\naudit-file=  /var/log/a b.log  \n", "/var/log/a b.log", NULL, 0 },
        { "[hook]\naudit-file=\n", "", NULL, 0 },
        { "[hook]\naudit-file=relative.log\n", NULL, "h.conf: audit-file 'relative.log' is not an absolute path", 0 },
        { "[hook]\naudit-fil=/x\n", NULL, "h.conf: unknown key 'audit-fil' in [hook] (known: audit-file, deadline)", 0 },
        { "[hook]\ndeadline=12\n", "", NULL, 12 },
        { "[hook]\ndeadline= 1 \naudit-file=/a\n", "/a", NULL, 1 },
        { "[hook]\ndeadline=600\n", "", NULL, 600 },
        { "[hook]\ndeadline=0\n", NULL, "h.conf: deadline '0' is not a whole number of seconds from 1 to 600", 0 },
        { "[hook]\ndeadline=601\n", NULL, "h.conf: deadline '601' is not a whole number of seconds from 1 to 600", 0 },
        { "[hook]\ndeadline=1.5\n", NULL, "h.conf: deadline '1.5' is not a whole number of seconds from 1 to 600", 0 },
        { "[hook]\ndeadline=\n", NULL, "h.conf: deadline '' is not a whole number of seconds from 1 to 600", 0 },
        { "[hook]\ndeadline=5s\n", NULL, "h.conf: deadline '5s' is not a whole number of seconds from 1 to 600", 0 },
        { "[hooks]\naudit-file=/x\n", NULL, "h.conf: unknown group [hooks] (only [hook] is known)", 0 },
        { "[hook\n", NULL, "h.conf: ", 0 },
        { "audit-file=/x\n", NULL, "h.conf: ", 0 },
    };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHookConf) c = tg_hookconf_parse(cases[i].text, strlen(cases[i].text), "h.conf", &err);

        if (!cases[i].msg) {
            assert_null(err);
            assert_non_null(c);
            if (*cases[i].audit)
                assert_string_equal(c->audit_file, cases[i].audit);
            else
                assert_null(c->audit_file);
            assert_int_equal(c->deadline_s, cases[i].deadline ? cases[i].deadline
                                                              : TG_HOOK_DEFAULT_DEADLINE_S);
        } else {
            assert_null(c);
            assert_non_null(err);
            if (strcmp(cases[i].msg, "h.conf: ") == 0) {
                assert_int_equal(err->code, TG_ERROR_PARSE);
                assert_true(g_str_has_prefix(err->message, cases[i].msg));
            } else {
                assert_int_equal(err->code, TG_ERROR_INVALID);
                assert_string_equal(err->message, cases[i].msg);
            }
        }
    }
}

/* A setting given twice, a group given twice and a NUL byte are errors
 * naming the lines (GKeyFile would keep the last value or stop at the NUL
 * without a word). */
static void
test_hookconf_duplicates_nul(void **state)
{
    static const struct {
        const char *text;
        gsize len;          /* 0: strlen(text) */
        const char *msg;
    } cases[] = {
        { "[hook]\ndeadline=1\ndeadline=600\n", 0,
          "h.conf:3: deadline is set again in [hook] (first on line 2)" },
        { "[hook]\naudit-file=/a\n# x\n  audit-file = /b\n", 0,
          "h.conf:4: audit-file is set again in [hook] (first on line 2)" },
        { "[hook]\ndeadline=1\n[hook]\ndeadline=2\n", 0,
          "h.conf:3: group [hook] appears again (first on line 1)" },
        { "[hook]\naudit-file=/a\n\n[hook]\n", 0,
          "h.conf:4: group [hook] appears again (first on line 1)" },
#define WITH_NUL(s) s, sizeof(s) - 1
        { WITH_NUL("[hook]\ndeadline=1\0\n"), "h.conf:2: contains a NUL byte" },
        { WITH_NUL("[hook]\ndeadline=3\naudit-file=/a\0/b\n"), "h.conf:3: contains a NUL byte" },
        { WITH_NUL("\0"), "h.conf:1: contains a NUL byte" },
#undef WITH_NUL
    };

    (void)state;
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        gsize len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        g_autoptr(TgHookConf) c = tg_hookconf_parse(cases[i].text, len, "h.conf", &err);

        if (c)
            fail_msg("case %" G_GSIZE_FORMAT " accepted (deadline %u)", i, c->deadline_s);
        assert_non_null(err);
        assert_int_equal(err->code, TG_ERROR_INVALID);
        assert_string_equal(err->message, cases[i].msg);
    }
}

/* hook.conf is read like every config file: trusted, regular, bounded,
 * never blocking (a FIFO, a link to a device or a huge file is refused). */
static void
test_hookconf_load(void **state)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "hook.conf", NULL);
    g_autofree char *pad = g_strnfill(70000, '#');

    (void)state;
    bound_test(20);
    {
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHookConf) c = NULL;

        assert_true(g_file_set_contents(path, "[hook]\ndeadline=3\n", -1, NULL));
        assert_int_equal(chmod(path, 0644), 0);
        c = tg_hookconf_load(path, getuid(), &err);
        assert_non_null(c);
        assert_int_equal(c->deadline_s, 3);
    }
    {
        g_autoptr(GError) err = NULL;

        assert_int_equal(chmod(path, 0666), 0);
        assert_null(tg_hookconf_load(path, getuid(), &err));
        assert_non_null(strstr(err->message, "writable by group and others"));
        unlink(path);
    }
    {
        g_autoptr(GError) err = NULL;

        assert_int_equal(mkfifo(path, 0644), 0);
        assert_null(tg_hookconf_load(path, getuid(), &err));
        assert_non_null(strstr(err->message, "is a FIFO, not a regular file"));
        unlink(path);
    }
    {
        g_autoptr(GError) err = NULL;

        assert_int_equal(symlink("/dev/kmsg", path), 0);
        assert_null(tg_hookconf_load(path, getuid(), &err));
        assert_non_null(strstr(err->message, "is a character device, not a regular file"));
        unlink(path);
    }
    {
        g_autoptr(GError) err = NULL;

        assert_true(g_file_set_contents(path, pad, -1, NULL));
        assert_int_equal(chmod(path, 0644), 0);
        assert_null(tg_hookconf_load(path, getuid(), &err));
        assert_non_null(strstr(err->message, "file is larger than 65536 bytes"));
    }
    alarm(0);
    rm_rf(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_id),
        cmocka_unit_test(test_dir_and_path),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_get_probes_once_then_hits),
        cmocka_unit_test(test_get_uncached),
        cmocka_unit_test(test_get_untrusted_dir),
        cmocka_unit_test(test_get_bad_cache_files),
        cmocka_unit_test(test_get_lock_held),
        cmocka_unit_test(test_get_failed_probe_not_cached),
        cmocka_unit_test(test_get_creates_private_dir),
        cmocka_unit_test(test_get_health_not_cached),
        cmocka_unit_test(test_hookconf),
        cmocka_unit_test(test_hookconf_duplicates_nul),
        cmocka_unit_test(test_hookconf_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
