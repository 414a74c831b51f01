// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl: the protkey key manager.
 *
 *   protkeyctl [--repository DIR] [--json] [-v] <group> <command> [args]
 *
 * The global options go anywhere before a "--" (global_opts()).
 *
 * Groups: key (the repository), emu (the emulated platform), keyring
 * (logon keys and the live .protkey objects), volume (LUKS2). Each group
 * is a commands[] table in cmd_<group>.c. monitor, crypttab, cryptsetup and
 * platform are commands of their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/protkey.h>
#include <linux/protkey_emu.h>

#include "cli.h"

#define PROG "protkeyctl"

/**
 * struct group - a command group
 * @name: its name
 * @cmds: its commands, ended by an entry without a name
 * @help: one line
 */
struct group {
	const char *name;
	const struct command *cmds;
	const char *help;
};

static const struct group groups[] = {
	{ "key", key_commands, "secure keys in the repository" },
	{ "emu", emu_commands, "drive the emulated platform (protkey_emu.ko)" },
	{ "keyring", keyring_commands,
	  "logon keys for dm-crypt; live .protkey key objects" },
	{ "volume", volume_commands,
	  "LUKS2 and plain volumes on paes-xts-plain64; re-encipher, re-key" },
	{ "apqn", apqn_commands,
	  "AP queues: list, and an SE guest's binding and association" },
	{ "se", se_commands,
	  "Secure Execution: the Ultravisor's secret store" },
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

#define CRYPTTAB_USAGE \
	"[--key-file FILE | --token] [--timeout S] [--volumes FILTER] [VOLUME...]"
#define CRYPTTAB_HELP \
	"crypttab lines for the LUKS2 and plain volumes of the repository (bounded, no console wait)"
#define CRYPTSETUP_USAGE \
	"[--key-file FILE | --token] [--volumes FILTER] [VOLUME...]"
#define CRYPTSETUP_HELP \
	"the cryptsetup commands that open the LUKS2 and plain volumes of the repository"
#define PLATFORM_HELP \
	"which platform: /dev/pkey, who provides it, protkey.ko (exit 0: usable)"
#define MONITOR_USAGE "[--count N] [--timeout S] [--no-prewarm] [--hook CMD]"
#define MONITOR_HELP \
	"print protkey.ko's events; re-derive every key on a WK change"

static int exit_code(const struct pk_err *err, int ret)
{
	if (err->origin == PK_ORIGIN_PASSPHRASE)
		return PK_EXIT_PASSPHRASE;
	if (ret == -EKEYREJECTED)
		return PK_EXIT_PATTERN;
	switch (-ret) {
	case EPERM:
	case EACCES:
		return PK_EXIT_PERM;
	default:
		break;
	}
	if (err->origin == PK_ORIGIN_PLATFORM)
		return PK_EXIT_PLATFORM;
	switch (-ret) {
	case ENOENT:
	case ENODEV: /* no such mapping */
		return PK_EXIT_NOT_FOUND;
	case EEXIST:
		return PK_EXIT_EXISTS;
	case EINVAL:
	case EBADMSG:
	case ERANGE:
	case EFBIG:
	case ENAMETOOLONG:
	case EOPNOTSUPP:
	case EBUSY:
	case ENOTBLK:
	case ECANCELED: /* not confirmed at the prompt */
		return PK_EXIT_INVALID;
	default:
		return PK_EXIT_SYSTEM;
	}
}

/* The exit code of error @ret (from @err's origin) without a message. */
int cli_exit_code(const struct pk_err *err, int ret)
{
	return exit_code(err, ret);
}

/* Prints "protkeyctl: <what>: <strerror>" and maps @ret to an exit code. */
int cli_fail(struct cli *cli, int ret)
{
	fprintf(stderr, PROG ": %s: %s\n",
		cli->err.msg[0] ? cli->err.msg : "error", strerror(-ret));
	return exit_code(&cli->err, ret);
}

/*
 * The option parser's last word, for the usage error that follows: which
 * option was unknown, lacked its value, had a bad one or is not one of
 * this command's (cli_getopt(), cli_opt_bad()).
 */
static struct {
	const struct option *longopts;
	int c;
	const char *arg;
	bool noted;
	char msg[256];
} opt_state;

static const char *opt_name(int c, char *buf, size_t len)
{
	const struct option *o;

	for (o = opt_state.longopts; o && o->name; o++)
		if (o->val == c && !o->flag) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char so[32];
	int c;

	/* ':' first: a missing value is ':', not '?' */
	snprintf(so, sizeof(so), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, so, longopts, NULL);
	opt_state.longopts = longopts;
	opt_state.msg[0] = '\0';
	opt_state.noted = c == '?' || c == ':';
	if (opt_state.noted) {
		const char *w =
			optind > 0 && optind <= argc ? argv[optind - 1] : "?";
		char n[64];

		if (optopt && w[0] == '-' && w[1] != '-')
			snprintf(n, sizeof(n), "-%c", optopt);
		else
			snprintf(n, sizeof(n), "%.*s", (int)strcspn(w, "="), w);
		snprintf(opt_state.msg, sizeof(opt_state.msg),
			 c == ':' ? "option '%s' needs a value" :
				    "unknown option '%s'",
			 n);
	} else if (c != -1) {
		opt_state.c = c;
		opt_state.arg = optarg;
	}
	return c;
}

/* The name of an &enum protkey_match, as keyctl read shows it. */
const char *cli_match_name(uint32_t m)
{
	static const char *const names[] = {
		[PROTKEY_MATCH_NONE] = "none",
		[PROTKEY_MATCH_CURRENT] = "current",
		[PROTKEY_MATCH_OLD] = "old",
		[PROTKEY_MATCH_NEW] = "new",
	};

	return m < sizeof(names) / sizeof(names[0]) ? names[m] : "unknown";
}

int cli_plain_args(int argc, char **argv)
{
	int i;

	opt_state.msg[0] = '\0';
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1]) {
			snprintf(opt_state.msg, sizeof(opt_state.msg),
				 "unknown option '%.*s'",
				 (int)strcspn(argv[i], "="), argv[i]);
			return -1;
		}
	return 0;
}

int cli_opt_bad(bool not_here)
{
	char n[64];

	/* an unknown option or a missing value is noted already */
	if (opt_state.noted)
		return -1;
	opt_name(opt_state.c, n, sizeof(n));
	if (not_here || !opt_state.arg)
		snprintf(opt_state.msg, sizeof(opt_state.msg),
			 "option '%s' is not one of this command's", n);
	else
		snprintf(opt_state.msg, sizeof(opt_state.msg),
			 "bad value '%s' for option '%s'", opt_state.arg, n);
	return -1;
}

int cli_usage(const char *group, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (opt_state.msg[0])
		fprintf(stderr, ": %s", opt_state.msg);
	opt_state.msg[0] = '\0';
	fprintf(stderr, " (see '" PROG "%s%s%s%s --help')\n", group ? " " : "",
		group ? group : "", cmd ? " " : "", cmd ? cmd : "");
	return PK_EXIT_USAGE;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_repo_open(struct cli *cli, struct pk_repo *repo, unsigned int flags)
{
	return pk_repo_open(repo, pk_repo_default_dir(cli->repo), flags,
			    &cli->err);
}

int cli_emu_open(struct cli *cli, struct pk_nl **nl)
{
	return pk_nl_open(nl, PROTKEY_EMU_FAMILY_NAME, &cli->err);
}

/**
 * cli_mk_match() - which master-key register holds each half's MK
 * @cli: for the error
 * @xts: the parsed XTS key
 * @match: receives per half "current", "old", "new", "none" or "uv"
 *
 * /dev/pkey first (pk_pkey_mk_match(): the usable APQNs' CURRENT, then
 * for CCA OLD, as zkey's validate reads pkey's match flags). What pkey
 * does not show, a master key only in a NEW register, comes from the
 * emulator's state where its family is there (on IBM Z sysfs's mkvps
 * would answer; without either, "none"). Without /dev/pkey the emulator's
 * state answers for every half.
 *
 * Return: 0 or a negative error with @cli->err set.
 */
int cli_mk_match(struct cli *cli, const struct pk_xts_info *xts,
		 const char *match[2])
{
	return cli_mk_match_on(cli, xts, NULL, match);
}

/* cli_mk_match() on the APQNs @apqns only (a key's apqns property). */
int cli_mk_match_on(struct cli *cli, const struct pk_xts_info *xts,
		    const char *apqns, const char *match[2])
{
	struct pk_emu_state *st = NULL;
	struct pk_err sub = { 0 };
	struct pk_nl *nl = NULL;
	bool dev, need = false;
	struct pk_pkey pk;
	int i, ret = 0;

	dev = !pk_pkey_open(&pk, &sub);
	for (i = 0; i < 2 && !ret; i++) {
		match[i] = xts->half[i].has_secret_id ? "uv" : NULL;
		if (!match[i] && dev)
			ret = pk_pkey_mk_match(&pk, &xts->half[i], apqns,
					       &match[i], &cli->err);
		need = need || !match[i];
	}
	if (dev)
		pk_pkey_close(&pk);
	if (ret || !need)
		return ret;
	/* On IBM Z (a pkey device, no emulator) pkey's answer is all. */
	if (dev && pk_nl_open(&nl, PROTKEY_EMU_FAMILY_NAME, &sub)) {
		for (i = 0; i < 2; i++)
			match[i] = match[i] ?: "none";
		return 0;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		ret = pk_err_set(&cli->err, -ENOMEM, "emulator state");
	ret = ret ?: nl ? 0 : cli_emu_open(cli, &nl);
	ret = ret ?: pk_emu_get_state(nl, st, &cli->err);
	for (i = 0; i < 2 && !ret; i++)
		if (!match[i])
			match[i] = pk_mk_match(st, xts->half[i].mkvp, apqns);
	pk_nl_close(nl);
	free(st);
	return ret;
}

/* Whether some adapter, online or not, holds @mkvp as CURRENT or OLD. */
static bool mk_held(const struct pk_emu_state *st, uint64_t mkvp)
{
	static const int regs[] = { PROTKEY_EMU_MK_CURRENT,
				    PROTKEY_EMU_MK_OLD };
	int i, j;

	for (i = 0; i < st->n; i++)
		for (j = 0; j < 2; j++)
			if ((st->ad[i].has & (1u << (regs[j] - 1))) &&
			    st->ad[i].mkvp[regs[j] - 1] == mkvp)
				return true;
	return false;
}

/*
 * A UV secret half: its secret must be in the Ultravisor's store (the
 * store is wiped at every guest reboot; se secret add re-adds it).
 */
static int uv_held(struct cli *cli, const struct pk_token_info *h,
		   const char *what, const char *half)
{
	char id[PK_UV_ID_STR_MAX];
	struct pk_uv_entry e;
	int ret;

	ret = cli_uv_find(cli, h->secret_id, &e);
	if (ret != -ENOENT)
		return ret;
	pk_uv_id_str(h->secret_id, id, sizeof(id));
	return pk_err_platform(
		&cli->err, -ENOKEY,
		"%s: the UV secret of its %s half (ID %s) is not in the Ultravisor's store: add it again ('se secret add REQUEST')",
		what, half, id);
}

/**
 * cli_mk_check_open() - refuse at once a key that no adapter can derive
 * @cli: for the error
 * @xts: the parsed XTS key
 * @what: the key in the message, e.g. "key 'k'"
 *
 * Opening a volume makes the kernel derive the key, waiting up to
 * rekey_timeout_ms for a usable adapter. Waiting helps in an outage, with
 * adapters present but offline or unusable for a while; it cannot help
 * when no adapter, online or offline, holds a half's master key as
 * CURRENT or OLD. That fails here, at once, naming the MKVP. Without the
 * emulator's family (no emulated platform) the kernel decides alone.
 *
 * Return: 0, -ENOKEY with @cli->err set, or another negative error.
 */
int cli_mk_check_open(struct cli *cli, const struct pk_xts_info *xts,
		      const char *what)
{
	struct pk_emu_state *st;
	struct pk_nl *nl = NULL;
	uint64_t mkvp;
	int i, ret;

	ret = cli_emu_open(cli, &nl);
	if (ret == -EPROTONOSUPPORT)
		return 0;
	if (ret)
		return ret;
	st = calloc(1, sizeof(*st));
	ret = st ? pk_emu_get_state(nl, st, &cli->err) :
		   pk_err_set(&cli->err, -ENOMEM, "emulator state");
	pk_nl_close(nl);
	for (i = 0; i < 2 && !ret; i++) {
		mkvp = xts->half[i].mkvp;
		if (xts->half[i].has_secret_id)
			ret = uv_held(cli, &xts->half[i], what,
				      i ? "tweak" : "data");
		else if (!mk_held(st, mkvp))
			ret = pk_err_platform(
				&cli->err, -ENOKEY,
				"%s: no adapter holds the master key of its %s half (MKVP %016" PRIx64
				") as CURRENT or OLD, so none can derive it",
				what, i ? "tweak" : "data", mkvp);
	}
	free(st);
	return ret;
}

/**
 * cli_confirm() - ask on the terminal before an irrevocable change
 * @cli: for the error
 * @yes: the answer that confirms, e.g. "YES" (cryptsetup's) or "yes"
 * @fmt: the question, printf-style, without a newline
 *
 * Asks only when stdin is a terminal: scripts and tests (stdin a pipe, a
 * file or /dev/null) are never held up; --batch / -q keep the caller from
 * calling this at all. The answer must be @yes exactly.
 *
 * Context: reads stdin; blocks.
 * Return: 0 when confirmed or not asked, -ECANCELED with @cli->err set
 * otherwise.
 */
int cli_confirm(struct cli *cli, const char *yes, const char *fmt, ...)
{
	char line[64];
	va_list ap;

	if (!isatty(STDIN_FILENO))
		return 0;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line, yes))
		return 0;
	return pk_err_set(
		&cli->err, -ECANCELED,
		"not confirmed (the answer was not '%s'): nothing changed",
		yes);
}

/*
 * @t as ISO 8601 in local time with the zone's offset,
 * "2026-12-08T02:58:00+01:00": the form of every time --json prints.
 */
void cli_iso_time(time_t t, char buf[CLI_ISO_TIME_LEN])
{
	char z[8];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, CLI_ISO_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);
	/* %z is +hhmm; ISO 8601's extended form is +hh:mm */
	snprintf(buf + strlen(buf), CLI_ISO_TIME_LEN - strlen(buf), "%.3s:%.2s",
		 z, z + 3);
}

/*
 * A property time as zkey writes it ("YYYY-MM-DD hh:mm:ss", local time)
 * in ISO 8601 with the zone (cli_iso_time()); as it is if it is not one.
 */
struct json_object *cli_json_time(const char *zkey_time)
{
	char buf[CLI_ISO_TIME_LEN];
	struct tm tm = { .tm_isdst = -1 };
	const char *end;
	time_t t;

	end = strptime(zkey_time, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end || (t = mktime(&tm)) == (time_t)-1)
		return json_object_new_string(zkey_time);
	cli_iso_time(t, buf);
	return json_object_new_string(buf);
}

/*
 * What a command that changes something did: the line on stdout, or with
 * --json an object { "message": the line, "version" }.
 */
void cli_result(struct cli *cli, const char *fmt, ...)
{
	struct json_object *o;
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!cli->json) {
		puts(line);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(line));
	cli_json_print(o);
}

struct json_object *cli_json_wrap(const char *field, struct json_object *arr)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, field, arr);
	return o;
}

/*
 * Prints JSON object @o and drops it. Every object protkeyctl prints
 * carries a top-level "version", the version of its --json format
 * (CLI_JSON_VERSION), added here when the command set none of its own.
 */
void cli_json_print(struct json_object *o)
{
	if (json_object_is_type(o, json_type_object) &&
	    !json_object_object_get_ex(o, "version", NULL))
		json_object_object_add(o, "version",
				       json_object_new_int(CLI_JSON_VERSION));
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void usage_main(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: " PROG
		" [--repository DIR] [--json] [-v] <group> <command> [args]\n"
		"\n"
		"groups:\n");
	for (i = 0; i < N_GROUPS; i++)
		fprintf(f, "  %-9s %s\n", groups[i].name, groups[i].help);
	fprintf(f, "  %-9s %s\n", "monitor", MONITOR_HELP);
	fprintf(f, "  %-9s %s\n", "crypttab", CRYPTTAB_HELP);
	fprintf(f, "  %-9s %s\n", "cryptsetup", CRYPTSETUP_HELP);
	fprintf(f, "  %-9s %s\n", "platform", PLATFORM_HELP);
	fprintf(f,
		"\n"
		"options (anywhere on the line):\n"
		"  --repository DIR  key repository (default: $" PK_REPO_ENV
		", else " PK_REPO_DEFAULT ")\n"
		"  --json            machine-readable output\n"
		"  -v, --verbose     libcryptsetup's messages and debug log on stderr\n"
		"  --help            this text; '" PROG
		" <group> --help' lists its commands\n"
		"\n"
		"exit status: 0 ok, 1 usage, 2 not found, 3 invalid input,\n"
		"4 platform error, 5 exists, 6 permission denied, 7 system error,\n"
		"8 some keys imported, 9 wrong passphrase, 10 verification pattern mismatch\n");
}

static void usage_group(FILE *f, const struct group *g)
{
	const struct command *c;

	fprintf(f, "usage: " PROG " %s <command> [args]\n\ncommands:\n",
		g->name);
	for (c = g->cmds; c->name; c++)
		fprintf(f, "  %s %s\n      %s\n", c->name, c->usage, c->help);
}

static bool is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help");
}

static int run_group(struct cli *cli, const struct group *g, int argc,
		     char **argv)
{
	const struct command *c;
	int i;

	if (argc < 1 || is_help(argv[0])) {
		usage_group(argc < 1 ? stderr : stdout, g);
		return argc < 1 ? PK_EXIT_USAGE : PK_EXIT_OK;
	}
	for (c = g->cmds; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		for (i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--"))
				break;
			if (is_help(argv[i]) && strcmp(argv[i], "help")) {
				printf("usage: " PROG " %s %s %s\n  %s\n",
				       g->name, c->name, c->usage, c->help);
				return PK_EXIT_OK;
			}
		}
		return c->fn(cli, argc, argv);
	}
	return cli_usage(g->name, NULL, "unknown command '%s %s'", g->name,
			 argv[0]);
}

/*
 * The global options --json, --repository DIR (or =DIR) and -v/--verbose
 * go anywhere on the command line ("key list --json" as "--json key
 * list"), up to a "--": they are taken out of @argv here, so that no
 * command sees them. A word that is exactly one of them is taken for it
 * wherever it stands; a command option's value that must be such a word
 * is given as --option=VALUE.
 */
static int global_opts(struct cli *cli, int *argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--json")) {
			cli->json = true;
		} else if (!strcmp(argv[i], "-v") ||
			   !strcmp(argv[i], "--verbose")) {
			pk_set_verbose(true);
		} else if (!strcmp(argv[i], "--repository") ||
			   !strncmp(argv[i], "--repository=", 13)) {
			cli->repo = argv[i][12]	  ? argv[i] + 13 :
				    i + 1 < *argc ? argv[++i] :
						    "";
			if (!*cli->repo)
				return cli_usage(
					NULL, NULL,
					"option '--repository' needs a directory");
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	size_t g;
	int i, ret;

	ret = global_opts(&cli, &argc, argv);
	if (ret)
		return ret;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (is_help(argv[i])) {
			usage_main(stdout);
			return PK_EXIT_OK;
		} else {
			return cli_usage(NULL, NULL, "unknown option '%s'",
					 argv[i]);
		}
	}
	if (i >= argc) {
		usage_main(stderr);
		return PK_EXIT_USAGE;
	}
	/* crypttab: a command of its own, no group */
	if (!strcmp(argv[i], "crypttab")) {
		if (i + 1 < argc && is_help(argv[i + 1])) {
			printf("usage: " PROG " crypttab " CRYPTTAB_USAGE
			       "\n  %s\n",
			       CRYPTTAB_HELP);
			return PK_EXIT_OK;
		}
		return cmd_crypttab(&cli, argc - i, argv + i);
	}
	/* cryptsetup: a command of its own, no group */
	if (!strcmp(argv[i], "cryptsetup")) {
		if (i + 1 < argc && is_help(argv[i + 1])) {
			printf("usage: " PROG
			       " [--json] cryptsetup " CRYPTSETUP_USAGE
			       "\n  %s\n",
			       CRYPTSETUP_HELP);
			return PK_EXIT_OK;
		}
		return cmd_cryptsetup(&cli, argc - i, argv + i);
	}
	/* platform: a command of its own, no group */
	if (!strcmp(argv[i], "platform")) {
		if (i + 1 < argc && is_help(argv[i + 1])) {
			printf("usage: " PROG " [--json] platform\n  %s\n",
			       PLATFORM_HELP);
			return PK_EXIT_OK;
		}
		return cmd_platform(&cli, argc - i, argv + i);
	}
	/* monitor: a command of its own, no group */
	if (!strcmp(argv[i], "monitor")) {
		if (i + 1 < argc && is_help(argv[i + 1])) {
			printf("usage: " PROG " [--json] monitor " MONITOR_USAGE
			       "\n  %s\n",
			       MONITOR_HELP);
			return PK_EXIT_OK;
		}
		return cmd_monitor(&cli, argc - i, argv + i);
	}
	for (g = 0; g < N_GROUPS; g++)
		if (!strcmp(groups[g].name, argv[i]))
			return run_group(&cli, &groups[g], argc - i - 1,
					 argv + i + 1);
	return cli_usage(NULL, NULL, "unknown group '%s'", argv[i]);
}
