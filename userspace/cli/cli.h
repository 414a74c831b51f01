/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkeyctl internals: the command tables of the groups, exit codes, and
 * helpers shared by the cmd_*.c files. Commands return an exit code; only
 * main() exits.
 */
#ifndef PROTKEYCTL_CLI_H
#define PROTKEYCTL_CLI_H

#include <stdbool.h>
#include <time.h>

#include <json.h>

#include "protkey.h"

/* Documented exit codes (protkeyctl(8), EXIT STATUS). */
enum pk_exit {
	PK_EXIT_OK = 0,
	PK_EXIT_USAGE = 1,
	PK_EXIT_NOT_FOUND = 2,
	PK_EXIT_INVALID = 3,
	PK_EXIT_PLATFORM = 4,
	PK_EXIT_EXISTS = 5,
	PK_EXIT_PERM = 6,
	PK_EXIT_SYSTEM = 7,
	PK_EXIT_PARTIAL = 8, /* import-zkey: some keys imported, some skipped */
	PK_EXIT_PASSPHRASE = 9, /* no keyslot opens with the passphrase */
	PK_EXIT_PATTERN = 10, /* a key's verification pattern is another's */
};

/**
 * struct cli - global options and the error of the running command
 * @repo: --repository, or NULL
 * @json: --json
 * @err: the library's error message
 */
/*
 * getopt_long() for a command's options (opterr off, optind reset by the
 * caller): an unknown option or a missing value is remembered, and so is
 * each option taken, so that the cli_usage() that follows names it;
 * cli_opt_bad() marks the last option taken as having a bad value (or,
 * with @not_here, as not being one of this command's), unless the last
 * word was unknown or lacked its value (noted already), and returns -1.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
int cli_opt_bad(bool not_here);
/* A command of operands only: -1 (noted for cli_usage()) on an option. */
int cli_plain_args(int argc, char **argv);
const char *cli_match_name(uint32_t m);

/* The "version" of every --json object (cli_json_print()). */
#define CLI_JSON_VERSION 1

/* Times in --json: ISO 8601, local time with the zone's offset. */
#define CLI_ISO_TIME_LEN 32
void cli_iso_time(time_t t, char buf[CLI_ISO_TIME_LEN]);
struct json_object *cli_json_time(const char *zkey_time);

/* A JSON object { @field: @arr } (then printed by cli_json_print()). */
struct json_object *cli_json_wrap(const char *field, struct json_object *arr);

struct cli {
	const char *repo;
	bool json;
	struct pk_err err;
};

/**
 * struct command - one command of a group
 * @name: its name
 * @fn: the handler; @argv[0] is the command name
 * @usage: argument synopsis
 * @help: one line
 */
struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *help;
};

extern const struct command key_commands[];
extern const struct command emu_commands[];
extern const struct command keyring_commands[];
extern const struct command volume_commands[];
extern const struct command apqn_commands[];
extern const struct command se_commands[];

int cmd_monitor(struct cli *cli, int argc, char **argv);
int cmd_platform(struct cli *cli, int argc, char **argv);
int cmd_crypttab(struct cli *cli, int argc, char **argv);
int cmd_cryptsetup(struct cli *cli, int argc, char **argv);
int cmd_volume_reencipher(struct cli *cli, int argc, char **argv);
int cmd_volume_rekey(struct cli *cli, int argc, char **argv);
int cmd_volume_token(struct cli *cli, int argc, char **argv);
int cmd_volume_list(struct cli *cli, int argc, char **argv);
int cli_reencipher_blob(struct cli *cli, const uint8_t *blob, size_t len,
			int mode, uint8_t *out);
int cli_uv_token(struct cli *cli, const char *arg, bool is_name, bool alone,
		 uint8_t *tok);
int cli_mk_match(struct cli *cli, const struct pk_xts_info *xts,
		 const char *match[2]);
int cli_mk_match_on(struct cli *cli, const struct pk_xts_info *xts,
		    const char *apqns, const char *match[2]);
int cli_mk_check_open(struct cli *cli, const struct pk_xts_info *xts,
		      const char *what);
int cli_uv_find(struct cli *cli, const uint8_t id[PK_UV_ID_SIZE],
		struct pk_uv_entry *e);

void cli_result(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_fail(struct cli *cli, int ret);
int cli_exit_code(const struct pk_err *err, int ret);
int cli_usage(const char *group, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_repo_open(struct cli *cli, struct pk_repo *repo, unsigned int flags);
void cli_json_print(struct json_object *o);
int cli_confirm(struct cli *cli, const char *yes, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cli_emu_open(struct cli *cli, struct pk_nl **nl);
int cli_read_secret(struct cli *cli, const char *path, const char *dev,
		    bool new_pass, char **buf, size_t *len);
void cli_secret_free(char *buf);

#endif /* PROTKEYCTL_CLI_H */
