// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keyslot passphrases, as cryptsetup takes them: from a key file (its
 * bytes as they are, at most 8 KiB), from standard input with
 * "--key-file -" (everything up to end of file), or, with no --key-file,
 * typed on the terminal with echo off (the line without its newline; a
 * new passphrase typed twice). Every buffer that holds one comes from
 * crypt_safe_alloc(), which keeps it out of swap, and goes back through
 * cli_secret_free(), which wipes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "cli.h"

#define SECRET_MAX 8192

void cli_secret_free(char *buf)
{
	crypt_safe_free(buf);
}

/* All of @fd up to end of file (at most SECRET_MAX bytes) into @buf. */
static int read_all(struct cli *cli, int fd, const char *what, char *buf,
		    size_t *len)
{
	ssize_t r;

	*len = 0;
	for (;;) {
		r = read(fd, buf + *len, SECRET_MAX + 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pk_err_set(&cli->err, -errno, "cannot read %s",
					  what);
		if (!r)
			break;
		*len += (size_t)r;
		if (*len > SECRET_MAX)
			return pk_err_set(&cli->err, -EFBIG,
					  "%s is longer than %u bytes", what,
					  SECRET_MAX);
	}
	return 0;
}

/* One line typed on terminal @fd with echo off, without its newline. */
static int read_line(struct cli *cli, int fd, const char *prompt, char *buf,
		     size_t *len)
{
	struct termios old, quiet;
	int ret = 0;
	ssize_t r;
	char c;

	if (tcgetattr(fd, &old))
		return pk_err_set(&cli->err, -errno,
				  "cannot set up the terminal");
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	/* TCSANOW: what was typed ahead stays to be read */
	if (tcsetattr(fd, TCSANOW, &quiet))
		return pk_err_set(&cli->err, -errno,
				  "cannot set up the terminal");
	fputs(prompt, stderr);
	fflush(stderr);
	*len = 0;
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (*len == SECRET_MAX) {
			ret = pk_err_set(
				&cli->err, -EFBIG,
				"the passphrase is longer than %u bytes",
				SECRET_MAX);
			break;
		}
		buf[(*len)++] = c;
	}
	c = 0;
	tcsetattr(fd, TCSANOW, &old);
	fputc('\n', stderr);
	if (!ret && r < 0)
		ret = pk_err_set(&cli->err, -errno,
				 "cannot read the passphrase");
	if (!ret && !*len)
		ret = pk_err_set(&cli->err, -EINVAL, "no passphrase given");
	return ret;
}

static int prompt(struct cli *cli, const char *dev, bool new_pass, char *buf,
		  size_t *len)
{
	char q[512], *again;
	size_t alen;
	int ret;

	if (!isatty(STDIN_FILENO))
		return pk_err_set(
			&cli->err, -EINVAL,
			"no --key-file given and no terminal to ask on for the passphrase of %s",
			dev);
	snprintf(q, sizeof(q),
		 "Enter %spassphrase for %s: ", new_pass ? "a new " : "", dev);
	ret = read_line(cli, STDIN_FILENO, q, buf, len);
	if (ret || !new_pass)
		return ret;
	again = crypt_safe_alloc(SECRET_MAX + 1);
	if (!again)
		return pk_err_set(&cli->err, -ENOMEM, "out of memory");
	ret = read_line(cli, STDIN_FILENO, "Verify passphrase: ", again, &alen);
	if (!ret && (alen != *len || memcmp(again, buf, alen)))
		ret = pk_err_set(&cli->err, -EINVAL,
				 "passphrases do not match: nothing changed");
	crypt_safe_free(again);
	return ret;
}

/**
 * cli_read_secret() - a keyslot passphrase
 * @cli: global options; its error on failure
 * @path: the key file, "-" for standard input, or NULL to ask on the
 *	terminal
 * @dev: the volume, named in the question
 * @new_pass: a passphrase for a new keyslot: asked twice on a terminal
 * @buf: receives the passphrase, for cli_secret_free()
 * @len: receives its length
 *
 * Return: 0 or a negative error with @cli's error set.
 */
int cli_read_secret(struct cli *cli, const char *path, const char *dev,
		    bool new_pass, char **buf, size_t *len)
{
	char *p = crypt_safe_alloc(SECRET_MAX + 1);
	int fd, ret;

	*buf = NULL;
	*len = 0;
	if (!p)
		return pk_err_set(&cli->err, -ENOMEM, "out of memory");
	if (!path) {
		ret = prompt(cli, dev, new_pass, p, len);
	} else if (!strcmp(path, "-")) {
		ret = read_all(cli, STDIN_FILENO, "standard input", p, len);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			ret = pk_err_set(&cli->err, -errno, "cannot open %s",
					 path);
		else
			ret = read_all(cli, fd, path, p, len);
		if (fd >= 0)
			close(fd);
	}
	if (!ret && !*len)
		ret = pk_err_set(
			&cli->err, -EINVAL, "the passphrase from %s is empty",
			path && strcmp(path, "-") ? path : "standard input");
	if (ret) {
		crypt_safe_free(p);
		return ret;
	}
	*buf = p;
	return 0;
}
