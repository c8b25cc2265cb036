/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the compiled configuration cache
 * (src/host/tg-configcache.c, src/lib/tg-policy-cache.c): a hit decides
 * exactly as a fresh load, every source change invalidates, and a cache
 * that is foreign, writable by others, corrupt or in an untrusted runtime
 * directory is never used. Policies: xml/examples (copied with trusted
 * modes into a temporary directory); guests and hosts:
 * tests/fixtures/policies. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

#include <cmocka.h>

#include "tg-configcache.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-policy.h"

static char *
src_path(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top ? top : "..", rel, NULL);
}

static void
copy_file(const char *from, const char *to, mode_t mode)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len;

    if (!tg_read_file(from, &buf, &len, &err) ||
        !g_file_set_contents(to, buf, (gssize)len, &err))
        fail_msg("%s", err->message);
    assert_int_equal(chmod(to, mode), 0);
}

static void
write_text(const char *path, const char *text)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, text, -1, &err))
        fail_msg("%s", err->message);
    assert_int_equal(chmod(path, 0644), 0);
}

static void
remove_tree(const char *path)
{
    g_autofree char *cmd = g_strdup_printf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
                                           path, path);

    assert_int_equal(system(cmd), 0);
}

typedef struct {
    char *top;       /* temporary directory */
    char *conf;      /* TOP/conf: the examples and gen10-hosts */
    char *run;       /* TOP/run: the runtime directory */
} Env;

static int
env_setup(void **state)
{
    Env *e = g_new0(Env, 1);
    g_autoptr(GError) err = NULL;
    static const char *const examples[] = {
        "homogeneous-cluster.xml", "two-frequency-classes.xml", "audit-rollout.xml",
        "windows-reenlightenment.xml",
    };
    g_autofree char *inv = NULL;

    e->top = g_dir_make_tmp("tscgate-configcache-XXXXXX", &err);
    if (!e->top)
        fail_msg("%s", err->message);
    assert_int_equal(chmod(e->top, 0755), 0);
    e->conf = g_build_filename(e->top, "conf", NULL);
    e->run = g_build_filename(e->top, "run", NULL);
    assert_int_equal(mkdir(e->conf, 0755), 0);
    inv = g_build_filename(e->conf, "gen10-hosts", NULL);
    assert_int_equal(mkdir(inv, 0755), 0);
    for (gsize i = 0; i < G_N_ELEMENTS(examples); i++) {
        g_autofree char *rel = g_build_filename("xml/examples", examples[i], NULL);
        g_autofree char *from = src_path(rel);
        g_autofree char *to = g_build_filename(e->conf, examples[i], NULL);

        copy_file(from, to, 0644);
    }
    for (const char *const *h = (const char *const[]){ "hostc.xml", "hostd.xml", NULL }; *h;
         h++) {
        g_autofree char *rel = g_build_filename("xml/examples/gen10-hosts", *h, NULL);
        g_autofree char *from = src_path(rel);
        g_autofree char *to = g_build_filename(inv, *h, NULL);

        copy_file(from, to, 0644);
    }
    *state = e;
    return 0;
}

static int
env_teardown(void **state)
{
    Env *e = *state;

    remove_tree(e->top);
    g_free(e->top);
    g_free(e->conf);
    g_free(e->run);
    g_free(e);
    return 0;
}

static char *
conf_file(const Env *e, const char *name)
{
    return g_build_filename(e->conf, name, NULL);
}

static TgPolicy *
cached(const Env *e, const char *policy, TgConfigcacheResult want, char **note)
{
    g_autofree char *path = conf_file(e, policy);
    g_autoptr(GError) err = NULL;
    TgConfigcacheResult res;
    TgPolicy *p = tg_configcache_load(path, getuid(), e->run, &res, note, NULL, &err);

    if (!p)
        fail_msg("%s: %s", policy, err->message);
    if (res != want)
        fail_msg("%s: result %d, expected %d (note: %s)", policy, res, want,
                 note && *note ? *note : "none");
    return p;
}

/* Everything a policy decides for a guest on a destination, as text. */
static char *
decisions(const TgPolicy *p)
{
    static const char *const guests[] = { "batch-07", "db-01", "db-02", "plain-03", "web-01",
                                          "win-app-01", "win-sql-01", "win-sql-02" };
    static const char *const hosts[] = { "hostb-2596-noscale", "hostc-2100-noscale",
                                         "hostd-2100-scale", "hoste-2596-scale",
                                         "hostf-2596110-noscale", "hostg-2596-unsync" };
    GString *o = g_string_new(NULL);

    g_string_append_printf(o, "mode %s fail-open %d\n", tg_mode_to_string(tg_policy_mode(p)),
                           tg_policy_fail_open(p));
    for (gsize i = 0; i < G_N_ELEMENTS(guests); i++) {
        g_autofree char *grel = g_strdup_printf("tests/fixtures/policies/guests/%s.xml",
                                                guests[i]);
        g_autofree char *gpath = src_path(grel);
        g_autoptr(GError) err = NULL;
        g_autoptr(TgGuestProfile) g = tg_guest_profile_load(gpath, &err);
        g_autofree char *why = NULL;
        g_autofree char *desc = NULL;
        TgSettings s;
        const char *rule;

        if (!g)
            fail_msg("%s", err->message);
        rule = tg_policy_apply(p, g, &s, &why);
        desc = tg_settings_describe(&s);
        g_string_append_printf(o, "%s: rule %s; %s; %s\n", guests[i], rule ? rule : "-", why,
                               desc);
        for (gsize k = 0; k < G_N_ELEMENTS(hosts); k++) {
            g_autofree char *hrel = g_strdup_printf("tests/fixtures/policies/hosts/%s.xml",
                                                    hosts[k]);
            g_autofree char *hpath = src_path(hrel);
            g_autoptr(TgHostFacts) dest = tg_host_facts_load(hpath, &err);
            g_autoptr(TgDecision) d = NULL;

            if (!dest)
                fail_msg("%s", err->message);
            d = tg_decide(g, NULL, dest, &s);
            g_string_append_printf(o, "  %s: %s %s %s\n", hosts[k],
                                   tg_verdict_to_string(d->verdict), d->code, d->reason);
        }
    }
    return g_string_free(o, FALSE);
}

/* A cache hit decides exactly as a fresh load, for every example. */
static void
test_hit_same_decisions(void **state)
{
    const Env *e = *state;
    static const char *const examples[] = {
        "homogeneous-cluster.xml", "two-frequency-classes.xml", "audit-rollout.xml",
        "windows-reenlightenment.xml",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(examples); i++) {
        g_autofree char *path = conf_file(e, examples[i]);
        g_autoptr(GError) err = NULL;
        g_autoptr(TgPolicy) fresh = tg_policy_load_trusted(path, getuid(), NULL, NULL, &err);
        g_autoptr(TgPolicy) stored = NULL;
        g_autoptr(TgPolicy) hit = NULL;
        g_autofree char *want = NULL;
        g_autofree char *got_stored = NULL;
        g_autofree char *got_hit = NULL;

        if (!fresh)
            fail_msg("%s: %s", examples[i], err->message);
        stored = cached(e, examples[i], TG_CONFIGCACHE_STORED, NULL);
        hit = cached(e, examples[i], TG_CONFIGCACHE_HIT, NULL);
        want = decisions(fresh);
        got_stored = decisions(stored);
        got_hit = decisions(hit);
        assert_string_equal(got_stored, want);
        assert_string_equal(got_hit, want);
    }
}

static void
set_mtime(const char *path, time_t when)
{
    struct timespec ts[2] = { { when, 0 }, { when, 0 } };

    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Any change of policy.xml, an inventory directory or file is a miss. */
static void
test_source_change_invalidates(void **state)
{
    const Env *e = *state;
    const char *pol = "two-frequency-classes.xml";
    g_autofree char *path = conf_file(e, pol);
    g_autofree char *inv = conf_file(e, "gen10-hosts");
    g_autofree char *hostc = g_build_filename(inv, "hostc.xml", NULL);
    g_autofree char *extra = g_build_filename(inv, "hostz.xml", NULL);
    g_autofree char *hostc_text = NULL;
    gsize len;
    g_autoptr(GError) err = NULL;

    g_clear_pointer(&path, g_free);
    path = conf_file(e, pol);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));

    /* policy.xml touched */
    set_mtime(path, 1700000000);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));

    /* an inventory file touched */
    set_mtime(hostc, 1700000000);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));

    /* an inventory file's mode changed (ctime) */
    assert_int_equal(chmod(hostc, 0600), 0);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));

    /* an inventory file replaced: the new content decides */
    assert_true(tg_read_file(hostc, &hostc_text, &len, &err));
    write_text(extra, hostc_text);
    {
        g_autoptr(TgPolicy) p = cached(e, pol, TG_CONFIGCACHE_STORED, NULL);
        g_autoptr(TgPolicy) fresh = tg_policy_load_trusted(path, getuid(), NULL, NULL, &err);
        g_autofree char *a = decisions(p);
        g_autofree char *b = decisions(fresh);

        assert_string_equal(a, b);
    }
    /* a file removed from the directory */
    assert_int_equal(unlink(extra), 0);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));
}

static char *
cache_file(const Env *e, const char *pol)
{
    g_autofree char *path = conf_file(e, pol);

    return tg_configcache_path(e->run, path);
}

/* A cache others can write, or owned by another uid, is ignored (and
 * replaced by a trusted one). */
static void
test_untrusted_cache_ignored(void **state)
{
    const Env *e = *state;
    const char *pol = "homogeneous-cluster.xml";
    g_autofree char *cache = cache_file(e, pol);
    g_autofree char *note = NULL;
    struct stat st;

    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));

    assert_int_equal(chmod(cache, 0666), 0);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, &note));
    assert_non_null(note);
    assert_non_null(strstr(note, "writable by group and others"));
    g_clear_pointer(&note, g_free);
    assert_int_equal(stat(cache, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));

    if (getuid() == 0) {
        assert_int_equal(chown(cache, 65534, 65534), 0);
    } else {
        /* no chown without root: a symbolic link (ours, so followed) to a
         * regular file another uid owns */
        assert_int_equal(stat("/etc/passwd", &st), 0);
        if (st.st_uid == getuid())
            skip();
        assert_int_equal(unlink(cache), 0);
        assert_int_equal(symlink("/etc/passwd", cache), 0);
    }
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, &note));
    assert_non_null(note);
    assert_non_null(strstr(note, "owned by uid"));
    g_clear_pointer(&note, g_free);
    assert_int_equal(lstat(cache, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_uid, getuid());
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));
}

/* A corrupt cache is ignored: a flipped byte, a truncation, well-formed
 * garbage with a right checksum. */
static void
test_corrupt_cache_ignored(void **state)
{
    const Env *e = *state;
    const char *pol = "windows-reenlightenment.xml";
    g_autofree char *cache = cache_file(e, pol);
    g_autofree char *good = NULL;
    g_autoptr(GError) err = NULL;
    gsize len;

    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    assert_true(tg_read_file(cache, &good, &len, &err));
    for (int k = 0; k < 3; k++) {
        g_autofree char *bad = g_memdup2(good, len + 1);
        g_autofree char *note = NULL;
        gsize blen = len;
        const char *want;
        char *nl = strchr(bad, '\n');

        if (k == 0) {
            /* a rule renamed: still a well-formed GVariant, only the
             * checksum tells */
            static const char rule[] = "win-sql-pinned";
            char *name = NULL;

            for (gsize at = (gsize)(nl - bad); !name && at + sizeof(rule) <= len; at++)
                if (memcmp(bad + at, rule, sizeof(rule) - 1) == 0)
                    name = bad + at;
            assert_non_null(name);
            name[0] = 'W';
            want = "checksum mismatch";
        } else if (k == 1) {
            blen = (gsize)(nl - bad) + 10;
            want = "truncated";
        } else {
            /* the header and sources, then a right checksum: only the
             * compiled policy is broken (its rule count claims more rules
             * than there are bytes) */
            char *magic = NULL;
            g_autofree char *sum = NULL;

            for (gsize at = (gsize)(nl - bad); !magic && at + 4 <= len; at++)
                if (memcmp(bad + at, "TGPC", 4) == 0)
                    magic = bad + at;
            assert_non_null(magic);
            memset(bad + len - 4, 0xff, 4);
            sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)nl + 66,
                                              len - (gsize)(nl - bad) - 66);
            memcpy(nl + 1, sum, 64);
            want = "compiled policy: invalid";
        }
        if (!g_file_set_contents(cache, bad, (gssize)blen, &err))
            fail_msg("%s", err->message);
        assert_int_equal(chmod(cache, 0644), 0);
        tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, &note));
        if (!note || !strstr(note, want))
            fail_msg("case %d: note '%s', expected '%s'", k, note ? note : "(none)", want);
        tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));
    }
}

/* A FIFO, a directory or an oversized (sparse) file in the cache's place
 * is ignored without waiting or reading it; a cache of another format or
 * tscgate version is a plain miss. Each is then replaced. */
static void
test_cache_file_kinds(void **state)
{
    const Env *e = *state;
    const char *pol = "two-frequency-classes.xml";
    g_autofree char *cache = cache_file(e, pol);
    g_autofree char *good = NULL;
    g_autoptr(GError) err = NULL;
    gsize len;
    static const struct {
        const char *kind;
        const char *note;
    } kinds[] = {
        { "fifo", "is a FIFO, not a regular file" },
        { "directory", "is a directory, not a regular file" },
        { "sparse", "file is larger than" },
        { "version", NULL },
    };

    alarm(30);   /* a blocking open of the FIFO would hang here */
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    assert_true(tg_read_file(cache, &good, &len, &err));
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        g_autofree char *note = NULL;

        assert_int_equal(unlink(cache), 0);
        if (strcmp(kinds[i].kind, "fifo") == 0) {
            assert_int_equal(mkfifo(cache, 0644), 0);
        } else if (strcmp(kinds[i].kind, "directory") == 0) {
            assert_int_equal(mkdir(cache, 0755), 0);
        } else if (strcmp(kinds[i].kind, "sparse") == 0) {
            write_text(cache, "");
            assert_int_equal(truncate(cache, (off_t)TG_CONFIGCACHE_MAX_BYTES + 1), 0);
        } else {
            g_autofree char *other = g_strdup(good);

            /* "tscgate-configcache 2 ..." -> format 9 */
            other[strlen("tscgate-configcache ")] = '9';
            write_text(cache, other);
        }
        if (strcmp(kinds[i].kind, "directory") == 0) {
            /* a directory cannot be renamed over: loaded, not cached */
            tg_policy_free(cached(e, pol, TG_CONFIGCACHE_UNCACHED, &note));
            assert_int_equal(rmdir(cache), 0);
        } else {
            tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, &note));
        }
        if (kinds[i].note ? !note || !strstr(note, kinds[i].note) : note != NULL)
            fail_msg("%s: note '%s'", kinds[i].kind, note ? note : "(none)");
        if (strcmp(kinds[i].kind, "directory") == 0)
            tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
        tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));
    }
    alarm(0);
}

/* A runtime directory that is a symbolic link is not used either. */
static void
test_symlinked_runtime_dir(void **state)
{
    const Env *e = *state;
    g_autofree char *real = g_build_filename(e->top, "elsewhere", NULL);
    g_autofree char *path = conf_file(e, "audit-rollout.xml");
    g_autoptr(GError) err = NULL;
    g_autofree char *note = NULL;
    TgConfigcacheResult res;
    g_autoptr(TgPolicy) p = NULL;

    assert_int_equal(mkdir(real, 0755), 0);
    assert_int_equal(symlink(real, e->run), 0);
    p = tg_configcache_load(path, getuid(), e->run, &res, &note, NULL, &err);
    assert_non_null(p);
    assert_int_equal(res, TG_CONFIGCACHE_UNCACHED);
    assert_non_null(note);
    assert_int_equal(unlink(e->run), 0);
}

/* A runtime directory others can write is not used at all. */
static void
test_untrusted_runtime_dir(void **state)
{
    const Env *e = *state;
    const char *pol = "audit-rollout.xml";
    g_autofree char *cache = cache_file(e, pol);
    g_autofree char *note = NULL;

    assert_int_equal(mkdir(e->run, 0755) == 0 || errno == EEXIST, 1);
    assert_int_equal(chmod(e->run, 0777), 0);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_UNCACHED, &note));
    assert_non_null(note);
    assert_non_null(strstr(note, "writable by"));
    assert_false(g_file_test(cache, G_FILE_TEST_EXISTS));
    assert_int_equal(chmod(e->run, 0755), 0);
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_STORED, NULL));
    tg_policy_free(cached(e, pol, TG_CONFIGCACHE_HIT, NULL));
}

/* A missing runtime directory is created for the owner alone (0700, as
 * the probe cache creates it), so no other user can open it, e.g. to take
 * a lock on it. */
static void
test_runtime_dir_created_private(void **state)
{
    const Env *e = *state;
    struct stat st;
    mode_t old = umask(0);

    tg_policy_free(cached(e, "audit-rollout.xml", TG_CONFIGCACHE_STORED, NULL));
    umask(old);
    assert_int_equal(lstat(e->run, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
}

/* A policy that does not load is never cached, and its error is its own. */
static void
test_invalid_policy_not_cached(void **state)
{
    const Env *e = *state;
    g_autofree char *path = conf_file(e, "broken.xml");
    g_autofree char *cache = NULL;
    g_autoptr(GError) err = NULL;
    TgConfigcacheResult res;

    write_text(path, "<policy xmlns='urn:tscgate:policy:1' version='1'><mode>x</mode></policy>");
    cache = tg_configcache_path(e->run, path);
    assert_null(tg_configcache_load(path, getuid(), e->run, &res, NULL, NULL, &err));
    assert_non_null(strstr(err->message, "<mode> 'x' is not one of"));
    assert_false(g_file_test(cache, G_FILE_TEST_EXISTS));
}

/* The policy digest comes with the policy: that of policy.xml's bytes,
 * the same on the load that stores the cache and on a hit (read from the
 * cache, policy.xml not read), and for bytes that do not parse. */
static void
test_digest_with_policy(void **state)
{
    const Env *e = *state;
    g_autofree char *path = conf_file(e, "two-frequency-classes.xml");
    g_autofree char *broken = conf_file(e, "broken-digest.xml");
    g_autofree char *buf = NULL;
    g_autofree char *want = NULL;
    g_autofree char *stored = NULL;
    g_autofree char *hit = NULL;
    g_autofree char *bad = NULL;
    g_autoptr(GError) err = NULL;
    TgConfigcacheResult res;
    gsize len = 0;
    TgPolicy *p;

    assert_true(tg_read_file(path, &buf, &len, &err));
    want = tg_host_facts_policy_digest(buf, len);
    assert_true(g_str_has_prefix(want, "sha256:"));
    p = tg_configcache_load(path, getuid(), e->run, &res, NULL, &stored, &err);
    assert_non_null(p);
    tg_policy_free(p);
    assert_int_equal(res, TG_CONFIGCACHE_STORED);
    assert_string_equal(stored, want);
    p = tg_configcache_load(path, getuid(), e->run, &res, NULL, &hit, &err);
    assert_non_null(p);
    tg_policy_free(p);
    assert_int_equal(res, TG_CONFIGCACHE_HIT);
    assert_string_equal(hit, want);

    write_text(broken, "<policy xmlns='urn:tscgate:policy:1' version='1'><mode>x</mode></policy>");
    g_clear_pointer(&buf, g_free);
    assert_true(tg_read_file(broken, &buf, &len, &err));
    g_clear_pointer(&want, g_free);
    want = tg_host_facts_policy_digest(buf, len);
    assert_null(tg_configcache_load(broken, getuid(), e->run, &res, NULL, &bad, &err));
    assert_non_null(bad);
    assert_string_equal(bad, want);
}

/* The compiled form decoded from every proper prefix, or with a byte more,
 * is refused (never read past its end), and decodes whole. */
static void
test_compiled_bounds(void **state)
{
    const Env *e = *state;
    g_autofree char *path = conf_file(e, "two-frequency-classes.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPolicy) p = tg_policy_load_trusted(path, getuid(), NULL, NULL, &err);
    g_autoptr(GByteArray) c = g_byte_array_new();
    g_autoptr(TgPolicy) whole = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    if (!p)
        fail_msg("%s", err->message);
    tg_policy_compile(p, c);
    for (guint n = 0; n < c->len; n++) {
        /* a copy of exactly n bytes, so a read past the end is an error
         * valgrind and ASan see */
        g_autofree guint8 *prefix = g_memdup2(c->data, n ? n : 1);
        g_autoptr(GError) perr = NULL;

        if (tg_policy_from_compiled(prefix, n, &perr))
            fail_msg("prefix of %u bytes accepted", n);
        assert_non_null(perr);
    }
    g_byte_array_append(c, (const guint8 *)"", 1);
    assert_null(tg_policy_from_compiled(c->data, c->len, &err));
    assert_non_null(strstr(err->message, "trailing data"));
    g_clear_error(&err);
    whole = tg_policy_from_compiled(c->data, c->len - 1, &err);
    assert_non_null(whole);
    a = decisions(p);
    b = decisions(whole);
    assert_string_equal(a, b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_same_decisions, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_source_change_invalidates, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_cache_ignored, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_cache_ignored, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_cache_file_kinds, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_symlinked_runtime_dir, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_runtime_dir, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_runtime_dir_created_private, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_policy_not_cached, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_compiled_bounds, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_digest_with_policy, env_setup, env_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
