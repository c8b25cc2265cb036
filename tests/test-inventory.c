/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of loading a policy's <host-directory> inventories from
 * files (src/host/tg-inventory.c): every entry that cannot be used is an
 * error naming its path, trust is checked on what was opened, and large
 * inventories and rule lists load. Fixtures are generated in a temporary
 * directory; host facts come from tests/fixtures/policies/hosts. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tg-cli-policy.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-policy.h"

#include "test-table.h"

static char *
fixture(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top ? top : "..", "tests/fixtures/policies", rel, NULL);
}

static char *
read_fixture(const char *rel)
{
    g_autofree char *path = fixture(rel);
    g_autoptr(GError) err = NULL;
    char *buf = NULL;
    gsize len;

    if (!tg_read_file(path, &buf, &len, &err))
        fail_msg("%s", err->message);
    return buf;
}

static void
write_mode(const char *path, const char *text, mode_t mode)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, text, -1, &err))
        fail_msg("%s", err->message);
    assert_int_equal(chmod(path, mode), 0);
}

static void
remove_tree(const char *path)
{
    g_autofree char *cmd = NULL;

    if (!path)
        return;
    cmd = g_strdup_printf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path);
    assert_int_equal(system(cmd), 0);
}

/* A temporary directory (mode 0755) with policy.xml naming the inventory
 * directory `hosts` (mode 0755), holding hostb.xml (2596 MHz) and
 * hostc.xml (2100 MHz). Returns the directory (g_free, remove_tree). */
static char *
make_config(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("tscgate-inventory-XXXXXX", &err);
    g_autofree char *hosts = NULL;
    g_autofree char *pol = NULL;
    g_autofree char *b = read_fixture("hosts/hostb-2596-noscale.xml");
    g_autofree char *c = read_fixture("hosts/hostc-2100-noscale.xml");
    g_autofree char *bp = NULL;
    g_autofree char *cp = NULL;

    if (!dir)
        fail_msg("%s", err->message);
    assert_int_equal(chmod(dir, 0755), 0);
    hosts = g_build_filename(dir, "hosts", NULL);
    assert_int_equal(mkdir(hosts, 0755), 0);
    assert_int_equal(chmod(hosts, 0755), 0);
    bp = g_build_filename(hosts, "hostb.xml", NULL);
    cp = g_build_filename(hosts, "hostc.xml", NULL);
    write_mode(bp, b, 0644);
    write_mode(cp, c, 0644);
    pol = g_build_filename(dir, "policy.xml", NULL);
    write_mode(pol, "<policy xmlns='urn:tscgate:policy:1' version='1'>\n"
               "  <inventory>\n"
               "    <host-directory path='hosts'/>\n"
               "  </inventory>\n"
               "</policy>\n", 0644);
    return dir;
}

/* The ways an inventory entry can be unusable. */
typedef enum {
    BREAK_DANGLING_SYMLINK,
    BREAK_FIFO,
    BREAK_DIRECTORY,
    BREAK_GROUP_WRITABLE_FILE,
    BREAK_GROUP_WRITABLE_DIR,
    BREAK_EMPTY_DIR,
    BREAK_NO_XML_ENTRY,
    BREAK_UPPER_CASE_SUFFIX,
    BREAK_DIR_LINK_CHAIN,
} BreakKind;

typedef struct {
    const char *name;
    BreakKind kind;
    bool user_sees_it;    /* also a problem for `policy validate` (any owner) */
    const char *what;     /* in the message */
} BreakCase;

static const BreakCase break_cases[] = {
    { "dangling symlink", BREAK_DANGLING_SYMLINK, true, "No such file or directory" },
    { "FIFO", BREAK_FIFO, true, "is a FIFO, not a regular file" },
    { "directory named *.xml", BREAK_DIRECTORY, true, "is a directory, not a regular file" },
    { "group-writable file", BREAK_GROUP_WRITABLE_FILE, false, "writable by group" },
    { "group-writable directory", BREAK_GROUP_WRITABLE_DIR, false, "writable by group" },
    /* an unmounted share leaves an empty mount point */
    { "empty directory", BREAK_EMPTY_DIR, true, "no host facts file (*.xml) in it" },
    { "no *.xml entry", BREAK_NO_XML_ENTRY, true, "no host facts file (*.xml) in it" },
    { "*.XML entry", BREAK_UPPER_CASE_SUFFIX, true,
      "not read: only names ending in .xml (lower case) are host facts files; rename it" },
    /* hosts -> mid (ours) -> hosts.real, mid owned by another uid (root only) */
    { "directory through another's link", BREAK_DIR_LINK_CHAIN, false,
      "symbolic link owned by uid 65534" },
};

/* Break `dir`'s inventory; returns the path the error must name. */
static char *
break_inventory(const char *dir, BreakKind kind)
{
    g_autofree char *hosts = g_build_filename(dir, "hosts", NULL);
    char *victim = g_build_filename(hosts, "hostc.xml", NULL);
    g_autofree char *gone = g_build_filename(dir, "unmounted", "hostc.xml", NULL);

    switch (kind) {
    case BREAK_DANGLING_SYMLINK:
        /* shared storage not mounted: the link points nowhere */
        assert_int_equal(unlink(victim), 0);
        assert_int_equal(symlink(gone, victim), 0);
        break;
    case BREAK_FIFO:
        assert_int_equal(unlink(victim), 0);
        assert_int_equal(mkfifo(victim, 0644), 0);
        break;
    case BREAK_DIRECTORY:
        assert_int_equal(unlink(victim), 0);
        assert_int_equal(mkdir(victim, 0755), 0);
        break;
    case BREAK_GROUP_WRITABLE_FILE:
        assert_int_equal(chmod(victim, 0664), 0);
        break;
    case BREAK_GROUP_WRITABLE_DIR:
        assert_int_equal(chmod(hosts, 0775), 0);
        g_free(victim);
        return g_steal_pointer(&hosts);
    case BREAK_EMPTY_DIR:
    case BREAK_NO_XML_ENTRY: {
        g_autofree char *b = g_build_filename(hosts, "hostb.xml", NULL);

        assert_int_equal(unlink(victim), 0);
        assert_int_equal(unlink(b), 0);
        if (kind == BREAK_NO_XML_ENTRY) {
            g_autofree char *readme = g_build_filename(hosts, "README", NULL);
            g_autofree char *hidden = g_build_filename(hosts, ".hostb.xml", NULL);

            write_mode(readme, "probe outputs go here\n", 0644);
            write_mode(hidden, "<capabilities/>", 0644);
        }
        g_free(victim);
        /* named as the directory itself: "<host-directory> 'DIR': ..." */
        return g_strdup_printf("'%s'", hosts);
    }
    case BREAK_DIR_LINK_CHAIN: {
        g_autofree char *real = g_build_filename(dir, "hosts.real", NULL);
        char *mid = g_build_filename(dir, "mid", NULL);

        assert_int_equal(rename(hosts, real), 0);
        assert_int_equal(symlink("hosts.real", mid), 0);
        assert_int_equal(lchown(mid, 65534, 65534), 0);
        assert_int_equal(symlink("mid", hosts), 0);
        g_free(victim);
        return mid;
    }
    case BREAK_UPPER_CASE_SUFFIX: {
        char *upper = g_build_filename(hosts, "hostc.XML", NULL);

        assert_int_equal(rename(victim, upper), 0);
        g_free(victim);
        return upper;
    }
    }
    return victim;
}

/* One row of break_cases, a test of its own. */
static void
test_inventory_broken_entry(void **state)
{
    const BreakCase *bc = *state;

    if (bc->kind == BREAK_DIR_LINK_CHAIN && getuid() != 0)
        skip();   /* giving a link away (lchown) needs root */
    /* A FIFO that blocked the open would hang here: end the test instead. */
    alarm(30);
    {
        g_autofree char *dir = make_config();
        g_autofree char *pol = g_build_filename(dir, "policy.xml", NULL);
        g_autofree char *victim = break_inventory(dir, bc->kind);
        g_autofree char *want_prefix = g_strdup_printf("%s:3: ", pol);
        g_autoptr(GPtrArray) problems = NULL;
        g_autoptr(GPtrArray) sources = tg_config_sources_new();
        g_autoptr(GError) err = NULL;
        g_autoptr(TgPolicy) p = NULL;

        /* The gate: owner = this uid; every case is refused, naming the path. */
        p = tg_policy_load_trusted(pol, getuid(), sources, NULL, &err);
        if (p)
            fail_msg("%s: loaded", bc->name);
        if (!strstr(err->message, victim) || !strstr(err->message, bc->what))
            fail_msg("%s: '%s' does not name %s (%s)", bc->name, err->message, victim,
                     bc->what);

        /* `tscgate policy validate` run by a user: the non-regular entries. */
        if (tg_policy_validate_file(pol, &problems) == bc->user_sees_it)
            fail_msg("%s: validate %s", bc->name, bc->user_sees_it ? "accepted" : "refused");
        if (bc->user_sees_it) {
            const char *first;

            assert_int_equal(problems->len, 1);
            first = problems->pdata[0];
            if (!g_str_has_prefix(first, want_prefix) || !strstr(first, victim) ||
                !strstr(first, bc->what))
                fail_msg("%s: problem '%s'", bc->name, first);
        }
        remove_tree(dir);
    }
    alarm(0);
}

/* The CLI says so too: exit 1 and the path on stderr. */
static void
test_inventory_broken_cli(void **state)
{
    g_autofree char *dir = make_config();
    g_autofree char *pol = g_build_filename(dir, "policy.xml", NULL);
    g_autofree char *victim = break_inventory(dir, BREAK_DANGLING_SYMLINK);
    char *argv[] = { (char *)"policy", (char *)"validate", pol, NULL };
    char *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0;
    FILE *out = open_memstream(&obuf, &olen);
    FILE *err = open_memstream(&ebuf, &elen);
    int rc;

    (void)state;
    rc = tg_cli_policy_run(3, argv, out, err);
    fclose(out);
    fclose(err);
    assert_int_equal(rc, 1);
    assert_string_equal(obuf, "");
    assert_non_null(strstr(ebuf, victim));
    free(obuf);
    free(ebuf);
    remove_tree(dir);
}

/* An intact inventory loads, and the sources name every directory and file
 * read, each with the version read. */
static void
test_inventory_sources(void **state)
{
    g_autofree char *dir = make_config();
    g_autofree char *pol = g_build_filename(dir, "policy.xml", NULL);
    g_autofree char *hosts = g_build_filename(dir, "hosts", NULL);
    g_autoptr(GPtrArray) sources = tg_config_sources_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPolicy) p = tg_policy_load_trusted(pol, getuid(), sources, NULL, &err);
    const TgConfigSource *s;
    struct stat st;
    TgFileId id;

    (void)state;
    if (!p)
        fail_msg("%s", err->message);
    assert_int_equal(sources->len, 4);
    s = sources->pdata[0];
    assert_string_equal(s->path, pol);
    assert_false(s->is_dir);
    s = sources->pdata[1];
    assert_string_equal(s->path, hosts);
    assert_true(s->is_dir);
    assert_int_equal(stat(hosts, &st), 0);
    tg_file_id_from_stat(&id, &st);
    assert_true(tg_file_id_equal(&id, &s->id));
    s = sources->pdata[3];
    assert_true(g_str_has_suffix(s->path, "/hosts/hostc.xml"));
    remove_tree(dir);
}

/* 20,000 rules and 20,000 inventory files load (linear checks: duplicate
 * names and repeated hosts are found through hash tables), every host is a
 * candidate and the last rule is selected for an unnamed guest. */
#define BIG 20000

static void
test_inventory_large(void **state)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("tscgate-inventory-XXXXXX", &err);
    g_autofree char *hosts = NULL;
    g_autofree char *pol = NULL;
    g_autoptr(GString) xml = g_string_new("<policy xmlns='urn:tscgate:policy:1' version='1'>\n"
                                          "<inventory><host-directory path='hosts'/>"
                                          "</inventory>\n");
    g_autoptr(TgPolicy) p = NULL;
    g_autoptr(TgGuestProfile) g = NULL;
    static const char guest[] = "<domain type='kvm'><name>other</name>"
                                "<cpu mode='host-passthrough' migratable='off'/>"
                                "<clock offset='utc'><timer name='kvmclock' present='no'/>"
                                "</clock></domain>";
    TgSettings s;
    const char *rule;

    (void)state;
    if (!dir)
        fail_msg("%s", err->message);
    assert_int_equal(chmod(dir, 0755), 0);
    hosts = g_build_filename(dir, "hosts", NULL);
    assert_int_equal(mkdir(hosts, 0755), 0);
    for (int i = 0; i < BIG; i++) {
        g_autofree char *f = g_strdup_printf("%s/host%05d.xml", hosts, i);
        g_autofree char *facts = g_strdup_printf(
            "<capabilities><host><cpu><counter name='tsc' frequency='%u' scaling='no'/>"
            "</cpu></host></capabilities>", 2596000000u + (unsigned)(i % 7) * 1000u);

        write_mode(f, facts, 0644);
    }
    for (int i = 0; i < BIG - 1; i++)
        g_string_append_printf(xml, "<rule name='r%d'><match name='guest-%d-*'/>"
                               "<tolerance ppm='%d'/></rule>\n", i, i, i % 1000);
    g_string_append(xml, "<rule name='everyone'><match/></rule>\n</policy>\n");
    pol = g_build_filename(dir, "policy.xml", NULL);
    write_mode(pol, xml->str, 0644);

    p = tg_policy_load_trusted(pol, getuid(), NULL, NULL, &err);
    if (!p)
        fail_msg("%s", err->message);
    g = tg_guest_profile_parse_xml(guest, strlen(guest), "guest.xml", &err);
    assert_non_null(g);
    rule = tg_policy_apply(p, g, &s, NULL);
    assert_string_equal(rule, "everyone");
    assert_int_equal(s.n_candidates, BIG);
    assert_string_equal(s.candidates[0].name, "host00000");
    assert_string_equal(s.candidates[BIG - 1].name, "host19999");
    remove_tree(dir);
}

int
main(void)
{
    GArray *tests = tg_test_new();

    for (gsize i = 0; i < G_N_ELEMENTS(break_cases); i++)
        tg_test_add(tests, break_cases[i].name, test_inventory_broken_entry, &break_cases[i]);
    tg_test_add(tests, "test_inventory_broken_cli", test_inventory_broken_cli, NULL);
    tg_test_add(tests, "test_inventory_sources", test_inventory_sources, NULL);
    tg_test_add(tests, "test_inventory_large", test_inventory_large, NULL);
    return tg_test_run("test-inventory", tests);
}
