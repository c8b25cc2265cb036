/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the `tscgate policy` subcommands (validate, explain). */
#ifndef TG_CLI_POLICY_H
#define TG_CLI_POLICY_H

#include <stdio.h>

#include "tg-common.h"

G_BEGIN_DECLS

/* `tscgate policy SUBCOMMAND ...`: argv[0] is "policy" (or any program
 * name), argv[1] the subcommand:
 *   validate FILE   -> exit 0 printing "FILE: valid"; 1 listing every
 *                      problem, one "FILE:LINE: ..." per line (stderr);
 *                      2 usage error or unreadable file.
 *   explain FILE --domain DOMAIN.xml [--dest FACTS.xml] [--source FACTS.xml]
 *                   -> prints the matching rule and why, the effective
 *                      settings and, with --dest, the verdict, code and
 *                      reason. Exit 0 allow / allow-with-warning (also a
 *                      denial that audit mode lets through), 1 deny, 2
 *                      usage or unreadable/invalid input.
 * Writes to stdout/stderr. Returns the exit status. */
int tg_cli_policy_main(int argc, char **argv);

/* Same, writing normal output to `out` and diagnostics to `err` (tests). */
int tg_cli_policy_run(int argc, char **argv, FILE *out, FILE *err);

G_END_DECLS

#endif /* TG_CLI_POLICY_H */
