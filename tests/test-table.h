/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: table-driven cmocka tests, one named test per table row.
 *
 * A row becomes a cmocka test of its own: its name is the row's name (what
 * cmocka prints on "[ RUN      ]" and "[  FAILED  ]"), its state the row,
 * so a failure names the case it failed on and the other rows still run.
 * Include after <cmocka.h> and glib.
 */
#pragma once

/* tg_test_add: append a test named NAME running FN with *state == ROW.
 * NAME and ROW must outlive tg_test_run (static tables do). */
static inline void
tg_test_add(GArray *tests, const char *name, CMUnitTestFunction fn, const void *row)
{
    struct CMUnitTest t = {
        .name = name,
        .test_func = fn,
        .initial_state = (void *)row,
    };

    g_array_append_val(tests, t);
}

/* tg_test_run: run TESTS as the group GROUP and free the array; returns
 * cmocka's status (the number of failed tests). */
static inline int
tg_test_run(const char *group, GArray *tests)
{
    int rc = _cmocka_run_group_tests(group, (const struct CMUnitTest *)(void *)tests->data,
                                     tests->len, NULL, NULL);

    g_array_free(tests, TRUE);
    return rc;
}

/* tg_test_new: an empty list of tests for tg_test_add. */
static inline GArray *
tg_test_new(void)
{
    return g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
}
