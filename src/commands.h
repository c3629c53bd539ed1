/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - subcommands that live in their own files; main.c dispatches
 * to them. Each takes argv with argv[0] the subcommand's name and returns
 * the process exit status (DESIGN.md).
 */
#ifndef EXH_COMMANDS_H
#define EXH_COMMANDS_H

/* `exhunt build [-f FMT] VERSION|TARGET` (build_cmd.c). */
int cmd_build(int argc, char **argv);

/* `exhunt probe [OPTIONS] URL...` (probe_cmd.c). */
int cmd_probe(int argc, char **argv);

/* `exhunt report [-f FMT] [-o FILE] FILE.jsonl` (report_cmd.c). */
int cmd_report(int argc, char **argv);

#endif /* EXH_COMMANDS_H */
