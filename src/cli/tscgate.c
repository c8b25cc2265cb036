/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the command-line tool for operators and cluster admins.
 *
 *   tscgate probe [--human]            this host's TSC facts
 *   tscgate check --domain F --dest F  decide one migration offline
 *   tscgate policy validate|explain    policy files (tg-cli-policy.c)
 *   tscgate lineage show|strip FILE    the lineage record (tg-cli-lineage.c)
 *   tscgate preflight DOMAIN ...       decide via the libvirt API
 *   tscgate agent [--once]             boot records for guests booted here
 *   tscgate plan --domain P --host P   every guest on every other host
 *   tscgate pin DOMAIN ...             pin a guest's TSC rate (libvirt API)
 *   tscgate inventory collect ...      host facts files from capabilities
 *   tscgate config test [DIR]          the hook's configuration, as it loads it
 *   tscgate audit report [FILE|-]      what the hook's records say
 */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-cli-policy.h"

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} TgCommand;

static const TgCommand tg_commands[] = {
    { "probe", tg_cli_probe_main, "print this host's TSC facts and timekeeping health" },
    { "check", tg_cli_check_main, "decide whether a guest may migrate to a host (offline)" },
    { "policy", tg_cli_policy_main, "validate or explain a policy file" },
    { "lineage", tg_cli_lineage_main, "show or strip tscgate's lineage record in domain XML" },
    { "plan", tg_cli_plan_main, "decide every guest on every other host of a fleet" },
    { "config", tg_cli_config_main, "test the hook's configuration as the hook loads it" },
    { "audit", tg_cli_audit_main, "report on the hook's decision records" },
#ifdef WITH_LIBVIRT
    { "preflight", tg_cli_preflight_main, "decide a migration of a running guest via the libvirt API" },
    { "agent", tg_cli_agent_main, "record the TSC rate of guests booted on this host (libvirt events)" },
    { "pin", tg_cli_pin_main, "pin a guest's TSC rate in its persistent definition" },
    { "inventory", tg_cli_inventory_main, "collect host facts files from libvirt capabilities" },
#endif
};

static void
tg_print_usage(FILE *out)
{
    fprintf(out,
            "Usage: tscgate [--version] [--help] COMMAND [ARGS...]\n"
            "\n"
            "Gatekeeper for KVM guest migrations between hosts with different TSC rates.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(tg_commands); i++)
        fprintf(out, "  %-10s %s\n", tg_commands[i].name, tg_commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'tscgate COMMAND --help' for a command's options. See tscgate(8);\n"
            "exit statuses: EXIT STATUS in tscgate(8).\n");
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");

    if (argc < 2) {
        tg_print_usage(stderr);
        return TG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("tscgate %s\n", PACKAGE_VERSION);
        return TG_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        tg_print_usage(stdout);
        return TG_EXIT_ALLOW;
    }
    /* Under --json, errors are JSON on stdout too (tg_cli_error). */
    tg_cli_json_errors = tg_cli_argv_wants_json(argc, argv);
    for (size_t i = 0; i < G_N_ELEMENTS(tg_commands); i++) {
        if (strcmp(argv[1], tg_commands[i].name) == 0)
            return tg_commands[i].main(argc - 1, argv + 1);
    }
    return tg_cli_error(NULL, TG_EXIT_USAGE, "unknown command '%s' (try 'tscgate --help')",
                        argv[1]);
}
