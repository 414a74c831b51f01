/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Volume helpers of the protkey selftests: run the real tools (dmsetup,
 * cryptsetup, fio) as child processes, loop devices on tmpfs files, logon
 * keys, the kernel log since a mark, and the S4 oracle: plain AES-XTS with
 * the clear key through the kernel's AF_ALG "xts(aes)", with dm-crypt's
 * plain64 IV (the little-endian 64-bit sector number, built byte by byte
 * so that big-endian hosts compute the same IV).
 */
#ifndef PROTKEY_SELFTEST_DM_H
#define PROTKEY_SELFTEST_DM_H

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/keyctl.h>
#include <linux/loop.h>

#include "common.h"

#define PK_OUT_LEN 8192

/* Milliseconds of CLOCK_MONOTONIC. */
static inline long long pk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Exit status of a waited-for child: its code, or 128 + signal. */
static inline int pk_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

/*
 * Starts argv[0] (searched in PATH) with stdin /dev/null, stdout and
 * stderr to the file @outfile (or /dev/null). With @nobody, the child first becomes uid 65534
 * without capabilities. Return: the pid, or -errno.
 */
static inline pid_t pk_spawn(char *const argv[], const char *outfile,
			     bool nobody)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	/* stdin /dev/null: no program waits on a question (no terminal) */
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	close(fd);
	fd = open(outfile ?: "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	if (nobody && pk_become_nobody())
		_exit(125);
	execvp(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Waits for @pid; with @nohang returns -EAGAIN while it runs. */
static inline int pk_wait(pid_t pid, bool nohang)
{
	int st;
	pid_t r;

	do {
		r = waitpid(pid, &st, nohang ? WNOHANG : 0);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return -EAGAIN;
	if (r < 0)
		return -errno;
	return pk_exit_status(st);
}

/* Reads up to @len - 1 bytes of @path into @buf, NUL-terminated. */
static inline int pk_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static inline int pk_write_file(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * Runs a command to completion, its output (stdout and stderr) in @out.
 * The argument list ends with NULL. Return: its exit status (0 success),
 * or 128 + signal.
 */
static inline int pk_vrun(char *out, size_t outlen, bool nobody,
			  const char *arg0, va_list ap)
{
	char path[] = "/tmp/pk-run.XXXXXX";
	const char *argv[32];
	int n = 0, fd, ret;
	pid_t pid;

	argv[n++] = arg0;
	while (n < 31 && (argv[n] = va_arg(ap, const char *)))
		n++;
	argv[n] = NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return 255;
	close(fd);
	if (nobody)
		chmod(path, 0666);
	pid = pk_spawn((char *const *)argv, path, nobody);
	ret = pid < 0 ? 255 : pk_wait(pid, false);
	if (out)
		pk_read_file(path, out, outlen);
	unlink(path);
	return ret;
}

static inline int pk_run(char *out, size_t outlen, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = pk_vrun(out, outlen, false, arg0, ap);
	va_end(ap);
	return ret;
}

static inline int pk_run_nobody(char *out, size_t outlen, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = pk_vrun(out, outlen, true, arg0, ap);
	va_end(ap);
	return ret;
}

/* True when a device-mapper device of that name exists. */
static inline bool pk_dm_exists(const char *name)
{
	return pk_run(NULL, 0, "dmsetup", "info", name, NULL) == 0;
}

/* Removes a mapping if it exists, retrying while it is still busy. */
static inline void pk_dm_remove(const char *name)
{
	int i;

	for (i = 0; i < 50 && pk_dm_exists(name); i++) {
		if (!pk_run(NULL, 0, "dmsetup", "remove", name, NULL))
			return;
		usleep(100 * 1000);
	}
}

/**
 * struct pk_loop - a loop device over a file on tmpfs
 * @file: backing file path
 * @dev: /dev/loopN
 * @fd: open descriptor of @dev, -1 when not attached
 * @size: size in bytes
 */
struct pk_loop {
	char file[64];
	char dev[32];
	int fd;
	uint64_t size;
};

/* Creates a zeroed @size-byte file under /tmp and attaches a loop to it. */
static inline int pk_loop_setup(struct pk_loop *lo, const char *tag,
				uint64_t size)
{
	int ctl, nr, bfd, ret;

	lo->fd = -1;
	lo->size = size;
	snprintf(lo->file, sizeof(lo->file), "/tmp/pk-%s.img", tag);
	bfd = open(lo->file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (bfd < 0)
		return -errno;
	if (ftruncate(bfd, size)) {
		ret = -errno;
		goto out_close;
	}
	ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0) {
		ret = -errno;
		goto out_close;
	}
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0) {
		ret = -errno;
		goto out_close;
	}
	snprintf(lo->dev, sizeof(lo->dev), "/dev/loop%d", nr);
	lo->fd = open(lo->dev, O_RDWR);
	if (lo->fd < 0 || ioctl(lo->fd, LOOP_SET_FD, bfd)) {
		ret = -errno;
		if (lo->fd >= 0)
			close(lo->fd);
		lo->fd = -1;
		goto out_close;
	}
	ret = 0;
out_close:
	close(bfd);
	return ret;
}

static inline void pk_loop_teardown(struct pk_loop *lo)
{
	if (lo->fd >= 0) {
		ioctl(lo->fd, LOOP_CLR_FD, 0);
		close(lo->fd);
		lo->fd = -1;
	}
	if (lo->file[0])
		unlink(lo->file);
	lo->file[0] = '\0';
}

/* Reads the raw (encrypted) bytes from the backing file. */
static inline int pk_loop_read_raw(struct pk_loop *lo, uint64_t off, void *buf,
				   size_t len)
{
	ssize_t n;
	int fd;

	fd = open(lo->file, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* A logon key "protkey:<name>" in the session keyring. Return: id or -errno. */
static inline long pk_logon_add(const char *name, const void *blob, size_t len)
{
	char desc[96];
	long id;

	snprintf(desc, sizeof(desc), "protkey:%s", name);
	id = syscall(SYS_add_key, "logon", desc, blob, len,
		     KEY_SPEC_SESSION_KEYRING);
	return id < 0 ? -errno : id;
}

static inline void pk_key_invalidate(long id)
{
	if (id > 0)
		syscall(SYS_keyctl, KEYCTL_INVALIDATE, id);
}

/*
 * Creates a plain dm-crypt mapping /dev/mapper/<name> with the
 * paes-xts-plain64 cipher over @dev, keyed by the logon key
 * "protkey:<name>" of @keysize bytes; @opts are optional table parameters
 * ("2 sector_size:4096 iv_large_sectors") or NULL. Return: dmsetup's exit
 * status; its output in @out.
 */
static inline int pk_dm_create(const char *name, const char *dev,
			       uint64_t bytes, unsigned int keysize,
			       const char *opts, char *out, size_t outlen)
{
	char table[512];

	snprintf(
		table, sizeof(table),
		"0 %llu crypt paes-xts-plain64 :%u:logon:protkey:%s 0 %s 0%s%s",
		(unsigned long long)(bytes / 512), keysize, name, dev,
		opts ? " " : "", opts ?: "");
	return pk_run(out, outlen, "dmsetup", "create", name, "--table", table,
		      NULL);
}

/* Kernel log since a mark: pk_kmsg_mark() then pk_kmsg_read(). */
static inline int pk_kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Appends the message texts since the mark to @buf, one line each. */
static inline int pk_kmsg_read(int fd, char *buf, size_t len)
{
	char rec[1024];
	size_t used = 0;
	ssize_t n;
	char *msg;

	buf[0] = '\0';
	if (fd < 0)
		return -EBADF;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		if (used + strlen(msg) + 2 < len)
			used += snprintf(buf + used, len - used, "%s\n", msg);
	}
	return 0;
}

/* The first kernel message line that says something went wrong, or NULL. */
static inline const char *pk_kmsg_find_trouble(const char *log)
{
	static const char *const bad[] = {
		"BUG",
		"WARNING",
		"Oops",
		"KASAN",
		"I/O error",
		"crypt:",
		"protkey: key",
		"possible recursive",
		"circular locking",
		"INFO: task",
	};
	const char *hit = NULL, *p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = strstr(log, bad[i]);
		if (p && (!hit || p < hit))
			hit = p;
	}
	return hit;
}

/**
 * struct pk_xts - the S4 oracle: AF_ALG "xts(aes)" with a clear key
 * @tfm: the bound and keyed AF_ALG socket
 * @op: its operation socket
 */
struct pk_xts {
	int tfm;
	int op;
};

static inline void pk_xts_close(struct pk_xts *x)
{
	if (x->op >= 0)
		close(x->op);
	if (x->tfm >= 0)
		close(x->tfm);
	x->op = x->tfm = -1;
}

/* Binds "xts(aes)" with @key (key1 || key2, 64 bytes for AES-256). */
static inline int pk_xts_open(struct pk_xts *x, const uint8_t *key,
			      size_t keylen)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "skcipher",
		.salg_name = "xts(aes)",
	};

	x->op = -1;
	x->tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (x->tfm < 0)
		return -errno;
	if (bind(x->tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(x->tfm, SOL_ALG, ALG_SET_KEY, key, keylen))
		goto err;
	x->op = accept(x->tfm, NULL, 0);
	if (x->op < 0)
		goto err;
	return 0;
err:
	pk_xts_close(x);
	return -errno ?: -EIO;
}

/*
 * Encrypts one data unit of @len bytes with the plain64 IV of @sector:
 * the 64-bit sector number in little-endian byte order, zero-padded to 16.
 */
static inline int pk_xts_unit(struct pk_xts *x, int op, uint64_t sector,
			      const uint8_t *in, uint8_t *out, size_t len)
{
	if (pk_alg_send_sector(x->op, op, sector, in, len) != (ssize_t)len)
		return -errno ?: -EIO;
	return read(x->op, out, len) == (ssize_t)len ? 0 : -EIO;
}

/*
 * Encrypts @len bytes at byte offset @off of a dm-crypt mapping with
 * data units of @unit bytes; the IV counts @unit-sized sectors when
 * @iv_large, 512-byte sectors otherwise (dm-crypt's iv_large_sectors).
 */
static inline int pk_xts_range(struct pk_xts *x, uint64_t off,
			       const uint8_t *in, uint8_t *out, size_t len,
			       unsigned int unit, bool iv_large)
{
	size_t done;
	int ret;

	for (done = 0; done < len; done += unit) {
		uint64_t byte = off + done;

		ret = pk_xts_unit(x, ALG_OP_ENCRYPT,
				  iv_large ? byte / unit : byte / 512,
				  in + done, out + done, unit);
		if (ret)
			return ret;
	}
	return 0;
}

/* Deterministic test data: a byte pattern of @seed and the offset. */
static inline void pk_fill(uint8_t *buf, size_t len, uint64_t off,
			   uint32_t seed)
{
	uint32_t x;
	size_t i;

	for (i = 0; i < len; i += 4) {
		x = (uint32_t)((off + i) / 4) * 2654435761u ^ seed;
		x ^= x >> 13;
		x *= 0x5bd1e995u;
		memcpy(buf + i, &x, len - i < 4 ? len - i : 4);
	}
}

/* A buffer aligned for O_DIRECT, or NULL. */
static inline uint8_t *pk_alloc_io(size_t len)
{
	void *p;

	return posix_memalign(&p, 4096, len) ? NULL : p;
}

/* O_DIRECT pwrite/pread of a whole range. Return: 0 or -errno. */
static inline int pk_dio(const char *dev, bool write, void *buf, size_t len,
			 uint64_t off)
{
	ssize_t n;
	int fd, ret;

	fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	ret = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
	if (!ret && write && fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

#endif /* PROTKEY_SELFTEST_DM_H */
