// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cleanup probe, first half: leaves behind what a crashed or careless
 * selftest would, and passes. A process in a session of its own (out of
 * reach of a kill of the binary's session), a loop device over a file in
 * /tmp and a dm linear mapping over that loop device. The guest's init must
 * report all three (PROTKEY-LEFTOVER lines) and remove them before
 * leftover_then_clean_test runs; tests/vm/parse-results checks both.
 */
#include <fcntl.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define LEFTOVER_DM "protkey-leftover"
#define LEFTOVER_FILE "/tmp/protkey-leftover.img"

/*
 * Starts "leftover_test --linger" in a new session, orphaned, and returns its
 * pid (or -1): it outlives the binary and is no child of the harness.
 */
static pid_t leave_process(const char *self)
{
	int fds[2], status;
	pid_t child, pid = -1;

	if (pipe(fds))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		setsid();
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			close(fds[1]);
			execl(self, self, "--linger", (char *)NULL);
			_exit(127);
		}
		if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		_exit(pid > 0 ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(fds[0]);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return pid;
}

/* Attaches a loop device to a fresh 1 MiB file; its number, or -1. */
static int leave_loop(void)
{
	char dev[32];
	int ctl, fd, lo, nr;

	fd = open(LEFTOVER_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 1 << 20))
		return -1;
	ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		return -1;
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lo = open(dev, O_RDWR);
	if (lo < 0 || ioctl(lo, LOOP_SET_FD, fd))
		return -1;
	close(lo);
	close(fd);
	return nr;
}

TEST(leaves_a_process_a_loop_device_and_a_dm_mapping)
{
	char cmd[160], self[256];
	ssize_t len;
	pid_t pid;
	int nr;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_LT(0, len);
	self[len] = '\0';
	pid = leave_process(self);
	ASSERT_LT(0, pid);
	usleep(100000);
	ASSERT_EQ(0, kill(pid, 0));

	nr = leave_loop();
	ASSERT_LE(0, nr);
	snprintf(cmd, sizeof(cmd),
		 "dmsetup create " LEFTOVER_DM
		 " --table '0 2048 linear /dev/loop%d 0'",
		 nr);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, access("/dev/mapper/" LEFTOVER_DM, F_OK));
	TH_LOG("left pid %d, /dev/loop%d and %s for the runner", pid, nr,
	       LEFTOVER_DM);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--linger")) {
		/* The leftover process: waits until someone kills it. */
		for (;;)
			pause();
	}
	return test_harness_run(argc, argv);
}
