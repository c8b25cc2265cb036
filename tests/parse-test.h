/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: helpers shared by the parsers' cmocka tests (test-xml,
 * test-hostfacts, test-guest, test-lineage): fixtures, error assertions,
 * one named test per table row. Header-only, static inline. */
#ifndef TG_PARSE_TEST_H
#define TG_PARSE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

/* Path of a file under $top_srcdir (set by `make check`; "." otherwise).
 * Returns a new string (g_free). */
static inline char *
pt_srcdir_path(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top && *top ? top : ".", rel, NULL);
}

/* Path of fixture NAME (g_free), in the tree of its kind: "dom-*" under
 * tests/fixtures/domains, "caps-*" (capabilities) and "probe-*" (`tscgate
 * probe` output) under tests/fixtures/hosts. */
static inline char *
pt_fixture_path(const char *name)
{
    const char *kind = g_str_has_prefix(name, "dom-") ? "domains" : "hosts";
    g_autofree char *rel = NULL;

    if (!g_str_has_prefix(name, "dom-") && !g_str_has_prefix(name, "caps-") &&
        !g_str_has_prefix(name, "probe-"))
        fail_msg("fixture %s: not dom-*, caps-* or probe-*", name);
    rel = g_build_filename("tests", "fixtures", kind, name, NULL);
    return pt_srcdir_path(rel);
}

/* Contents of fixture NAME (g_free); fails the test when unreadable. */
static inline char *
pt_read_fixture(const char *name, gsize *len)
{
    g_autofree char *path = pt_fixture_path(name);
    g_autoptr(GError) err = NULL;
    char *buf = NULL;

    if (!g_file_get_contents(path, &buf, len, &err))
        fail_msg("cannot read fixture %s: %s", path, err->message);
    return buf;
}

/* Assert that `err` is set with `code` and exactly `msg`. */
#define pt_assert_error(err, want_code, want_msg)                               \
    do {                                                                        \
        assert_non_null(err);                                                   \
        if (strcmp((err)->message, (want_msg)) != 0)                            \
            fail_msg("error message\n  got:      %s\n  expected: %s",           \
                     (err)->message, (want_msg));                               \
        assert_int_equal((err)->code, (want_code));                             \
        assert_true((err)->domain == TG_ERROR);                                 \
    } while (0)

/* ---- One named cmocka test per table row ----
 * A table row is a struct whose first member is `const char *name`; each
 * row becomes the test "FUNCTION/NAME" with the row as its state, so a
 * failure names the case. */

/* The tests of one program (pt_tests_new, pt_tests_run). */
typedef struct {
    GArray *tests;   /* struct CMUnitTest */
    GPtrArray *names;
} PtTests;

/* Returns an empty test list (freed by pt_tests_run). */
static inline PtTests *
pt_tests_new(void)
{
    PtTests *t = g_new0(PtTests, 1);

    t->tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
    t->names = g_ptr_array_new_with_free_func(g_free);
    return t;
}

/* Add test `name` running `fn` with `state` as its initial state. */
static inline void
pt_tests_add_state(PtTests *t, const char *name, CMUnitTestFunction fn, void *state)
{
    char *copy = g_strdup(name);
    struct CMUnitTest u = { .name = copy, .test_func = fn, .initial_state = state };

    g_ptr_array_add(t->names, copy);
    g_array_append_val(t->tests, u);
}

/* Add one test per row of `rows` (n rows of `size` bytes, each starting
 * with its name): "PREFIX/ROWNAME". */
static inline void
pt_tests_add_rows(PtTests *t, const char *prefix, CMUnitTestFunction fn, const void *rows,
                  gsize size, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        const void *row = (const char *)rows + i * size;
        g_autofree char *name = g_strdup_printf("%s/%s", prefix, *(const char *const *)row);

        pt_tests_add_state(t, name, fn, (void *)row);
    }
}

#define PT_ADD(t, fn) pt_tests_add_state((t), #fn, (fn), NULL)
#define PT_ADD_ROWS(t, fn, rows) \
    pt_tests_add_rows((t), #fn, (fn), (rows), sizeof((rows)[0]), G_N_ELEMENTS(rows))

/* Run every test as group `group`, free the list; returns cmocka's status. */
static inline int
pt_tests_run(PtTests *t, const char *group)
{
    int rc = _cmocka_run_group_tests(group, (const struct CMUnitTest *)(void *)t->tests->data,
                                     t->tests->len, NULL, NULL);

    g_array_unref(t->tests);
    g_ptr_array_unref(t->names);
    g_free(t);
    return rc;
}

#endif /* TG_PARSE_TEST_H */
