/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: subcommand entry points of the `tscgate` CLI. Each takes the
 * subcommand's argv (argv[0] = subcommand name) and returns a TgExitStatus
 * (tg-common.h; the statuses are described in tscgate(8), EXIT STATUS). */
#ifndef TG_CLI_H
#define TG_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "tg-plan.h"
#include "tg-policy.h"
#include "tg-report.h"

G_BEGIN_DECLS

int tg_cli_probe_main(int argc, char **argv);
int tg_cli_check_main(int argc, char **argv);
int tg_cli_lineage_main(int argc, char **argv);
int tg_cli_plan_main(int argc, char **argv);
/* The host facts of `paths` (files, or directories of *.xml read in name
 * order), as `plan --host` reads them, in a plan without guests. Returns a
 * new plan (tg_plan_free), or NULL with `error`, also when no host is
 * found. */
TgPlan *tg_cli_plan_load_hosts(char **paths, GError **error);
int tg_cli_audit_main(int argc, char **argv);
int tg_cli_config_main(int argc, char **argv);
#ifdef WITH_LIBVIRT
int tg_cli_preflight_main(int argc, char **argv);
int tg_cli_agent_main(int argc, char **argv);
int tg_cli_pin_main(int argc, char **argv);
int tg_cli_inventory_main(int argc, char **argv);
#endif
/* The destination as `check` and `preflight` describe it (tg-report.h's
 * TgReportDest) with the strings it owns. Fill with tg_cli_dest_describe(),
 * release with tg_cli_dest_clear(). */
typedef struct {
    TgReportDest report;   /* points into the fields below */
    char *name;
    char *facts_from;
    char *facts_path;
    char *policy_note;
    char *policy_digest;
} TgCliDest;

/* Describe destination facts `facts` for the report: `name` (nullable: the
 * facts' hostname, else none), where they came from (`from_path`: the file
 * or URI; `from_note`: nullable, appended in parentheses) and whether it
 * enforces the policy decided with (`policy_path` and its digest
 * `policy_digest`, both NULL for the default rules). `out` borrows `facts`. */
void tg_cli_dest_describe(TgCliDest *out, const TgHostFacts *facts, const char *name,
                          const char *from_path, const char *from_note,
                          const char *policy_path, const char *policy_digest);
void tg_cli_dest_clear(TgCliDest *d);

/* Evaluate one migration (tg_evaluate) for `check` and `preflight`, print
 * the text or JSON report on stdout, naming the destination `rd` and where
 * its facts came from, and return the exit status (TG_EXIT_ALLOW or
 * TG_EXIT_DENY). `source` and `policy` may be NULL. */
int tg_cli_decide_and_report_dest(const TgGuestProfile *guest, const TgHostFacts *source,
                                  const TgHostFacts *dest, const TgPolicy *policy, bool json,
                                  const TgReportDest *rd);

/* Returns true when more than one of the `n` input paths (each nullable)
 * is "-": standard input can be read only once. */
bool tg_cli_stdin_twice(const char *const *paths, gsize n);

/* "DIR/HOST.xml": where host HOST's facts are published in `dir` (probe
 * --publish, inventory collect) and read (--dest-dir, <host-directory>).
 * Newly allocated (g_free). */
char *tg_cli_published_path(const char *dir, const char *host);

/* Returns true when `name` can name a published facts file DIR/NAME.xml:
 * not empty, at most 255 bytes, no '/', no leading '.', no control
 * characters. */
bool tg_cli_host_name_ok(const char *name);

/* Load DIR/HOST.xml, what `tscgate probe --publish DIR` wrote on HOST.
 * Sets *path (g_free). Returns new facts, or NULL with `error`: "no facts
 * published for HOST in DIR (PATH: why)" when the file cannot be read (then
 * *read_error, when not NULL, receives "PATH: why", g_free), else the
 * parser's error naming the file and line. */
TgHostFacts *tg_cli_load_published(const char *dir, const char *host, char **path,
                                   char **read_error, GError **error);

/* Parse subcommand `command`'s options with `ctx`; on failure print the
 * error (tg_cli_error) and return false. */
bool tg_cli_parse_options(const char *command, GOptionContext *ctx, int *argc, char ***argv);
/* Write `text` to `path` (NULL or "-" = stdout). Returns false with `error`. */
bool tg_cli_write_output(const char *path, const char *text, GError **error);
/* The CLI's one error printer: one line "tscgate COMMAND: MESSAGE" on
 * stderr ("tscgate: MESSAGE" when `command` is NULL, before a subcommand is
 * known). Returns `status` (a TgExitStatus), so a subcommand can end with
 * `return tg_cli_error(...)`. */
int tg_cli_error(const char *command, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Set (by main, from the command line) when the output is JSON: then
 * tg_cli_error() also prints the error as one JSON object on stdout,
 * tg_cli_error_json(), so a program reading stdout sees it. */
extern bool tg_cli_json_errors;
/* Returns true when `argv` (up to a "--") holds --json or -j. */
bool tg_cli_argv_wants_json(int argc, char **argv);
/* Returns {"error":"tscgate COMMAND: MESSAGE","command":COMMAND|null,
 * "status":STATUS} and a newline (g_free). */
char *tg_cli_error_json(const char *command, int status, const char *message);
/* tg_cli_error() on the streams given: the JSON form on `out` under
 * --json, the line on `err`. Returns `status`. */
int tg_cli_verror(FILE *out, FILE *err, const char *command, int status, const char *fmt,
                  va_list ap) G_GNUC_PRINTF(5, 0);
/* The same line on `out` (for callers that write to a stream of their own). */
void tg_cli_vprint_error(FILE *out, const char *command, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

G_END_DECLS

#endif /* TG_CLI_H */
