/* tscgate: subcommand entry points of the `tscgate` CLI. Each takes the
 * subcommand's argv (argv[0] = subcommand name) and returns a TgExitStatus. */
#ifndef TG_CLI_H
#define TG_CLI_H

#include "tg-common.h"

G_BEGIN_DECLS

int tg_cli_probe_main(int argc, char **argv);
int tg_cli_check_main(int argc, char **argv);
#ifdef WITH_LIBVIRT
int tg_cli_preflight_main(int argc, char **argv);
#endif
/* Print "tscgate: MESSAGE" on stderr and return TG_EXIT_USAGE. */
int tg_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS

#endif /* TG_CLI_H */
