// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text of an /etc/crypttab line and of a cryptsetup command that open
 * one volume, from the volume's fields alone (no repository, no device),
 * for protkeyctl crypttab and protkeyctl cryptsetup.
 *
 * A plain volume has no header: everything dm-crypt needs is on the line.
 * Its key file is the secure key file (.skey) itself, and the key size is
 * that file's size in bits, as zkey writes them: with a key file neither
 * systemd-cryptsetup nor cryptsetup hashes it, so the volume key is the
 * secure key, which paes takes as it is. Unlike zkey, the sector size is
 * always written (zkey leaves it out when the key records none, and
 * dm-crypt then uses 512) and the line carries nofail, headless=true and
 * x-systemd.device-timeout= so that a missing disk or key file never
 * holds the boot or asks on a console; timeout=, keyfile-timeout= and
 * token-timeout= concern a passphrase prompt, a key file on another
 * device and LUKS2 tokens, none of which a plain line has.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protkey.h"

/*
 * Whether @s can stand unquoted as one word both in a crypttab field
 * (whitespace separates them) and in a shell command (no metacharacter).
 */
static bool plain_word(const char *s)
{
	if (!s || !*s)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789/._:+@=,%-") == strlen(s);
}

static int check_vol(const struct pk_ct_vol *v, struct pk_err *err)
{
	const char *bad = NULL;

	if (!plain_word(v->name))
		bad = v->name;
	else if (!plain_word(v->dev))
		bad = v->dev;
	else if (v->key_file && !plain_word(v->key_file))
		bad = v->key_file;
	if (bad)
		return pk_err_set(
			err, -EINVAL,
			"'%s' cannot be written as one word of a crypttab line or a shell command (use letters, digits and /._:+@=,%%-)",
			bad);
	if (v->type == PK_CT_PLAIN &&
	    (!v->key_file || !v->key_bits || v->key_bits % 8 ||
	     v->sector_size < 512 || v->sector_size > 4096 ||
	     (v->sector_size & (v->sector_size - 1))))
		return pk_err_set(
			err, -EINVAL,
			"plain volume %s: needs a key file, a key size in whole bytes and a sector size of 512..4096, a power of two",
			v->name);
	return 0;
}

static int fits(int n, size_t len, struct pk_err *err, const char *name)
{
	if (n < 0 || (size_t)n >= len)
		return pk_err_set(err, -ENOSPC,
				  "the line of volume %s is too long", name);
	return 0;
}

/**
 * pk_ct_line() - the /etc/crypttab line that opens one volume
 * @v: the volume; for LUKS2, @v->key_file NULL means "none" (@v->token
 *	must then be set: the token-only line)
 * @timeout: the bound, in seconds, of every wait the line allows
 * @buf: receives the line, without a newline
 * @len: size of @buf
 * @err: the error
 *
 * Plain: "NAME DEV SKEY plain,cipher=paes-xts-plain64,size=BITS,
 * sector-size=N,nofail,headless=true,x-systemd.device-timeout=Ts".
 * LUKS2 with a key file: "NAME DEV FILE luks,nofail,headless=true,
 * timeout=Ts,keyfile-timeout=Ts,token-timeout=Ts,
 * x-systemd.device-timeout=Ts"; token-only: "NAME DEV none luks,nofail,
 * headless=true,tries=1,token-timeout=Ts,x-systemd.device-timeout=Ts"
 * (crypttab(5) of systemd 252).
 *
 * Context: any.
 * Return: 0; -EINVAL for a field that is not one plain word, or a plain
 * volume without a key file, key size or valid sector size, or a LUKS2
 * volume with neither key file nor token; -ENOSPC when @buf is too small.
 */
int pk_ct_line(const struct pk_ct_vol *v, unsigned long timeout, char *buf,
	       size_t len, struct pk_err *err)
{
	int ret, n;

	ret = check_vol(v, err);
	if (ret)
		return ret;
	if (v->type == PK_CT_PLAIN)
		n = snprintf(
			buf, len,
			"%s %s %s plain,cipher=" PK_DM_CIPHER
			",size=%u,sector-size=%u,nofail,headless=true,x-systemd.device-timeout=%lus",
			v->name, v->dev, v->key_file, v->key_bits,
			v->sector_size, timeout);
	else if (v->key_file)
		n = snprintf(
			buf, len,
			"%s %s %s luks,nofail,headless=true,timeout=%lus,keyfile-timeout=%lus,token-timeout=%lus,x-systemd.device-timeout=%lus",
			v->name, v->dev, v->key_file, timeout, timeout, timeout,
			timeout);
	else if (v->token)
		n = snprintf(
			buf, len,
			"%s %s none luks,nofail,headless=true,tries=1,token-timeout=%lus,x-systemd.device-timeout=%lus",
			v->name, v->dev, timeout, timeout);
	else
		return pk_err_set(
			err, -EINVAL,
			"volume %s: a LUKS2 line needs a key file or the token (crypttab's 'none' alone waits on the console)",
			v->dev);
	return fits(n, len, err, v->name);
}

/**
 * pk_ct_command() - the cryptsetup command that opens one volume
 * @v: the volume; for LUKS2, @v->key_file is the passphrase file or NULL
 *	(cryptsetup asks, or with @v->token uses the token alone)
 * @buf: receives the command, without a newline
 * @len: size of @buf
 * @err: the error
 *
 * Plain: "cryptsetup plainOpen --key-file SKEY --key-size BITS --cipher
 * paes-xts-plain64 --sector-size N DEV NAME", zkey's command with the
 * sector size always given. LUKS2: "cryptsetup luksOpen [--key-file FILE
 * | --token-only] DEV NAME".
 *
 * Context: any.
 * Return: 0; -EINVAL or -ENOSPC as pk_ct_line().
 */
int pk_ct_command(const struct pk_ct_vol *v, char *buf, size_t len,
		  struct pk_err *err)
{
	int ret, n;

	ret = check_vol(v, err);
	if (ret)
		return ret;
	if (v->type == PK_CT_PLAIN)
		n = snprintf(
			buf, len,
			"cryptsetup plainOpen --key-file %s --key-size %u --cipher " PK_DM_CIPHER
			" --sector-size %u %s %s",
			v->key_file, v->key_bits, v->sector_size, v->dev,
			v->name);
	else if (v->key_file)
		n = snprintf(buf, len,
			     "cryptsetup luksOpen --key-file %s %s %s",
			     v->key_file, v->dev, v->name);
	else
		n = snprintf(buf, len, "cryptsetup luksOpen %s%s %s",
			     v->token ? "--token-only " : "", v->dev, v->name);
	return fits(n, len, err, v->name);
}
