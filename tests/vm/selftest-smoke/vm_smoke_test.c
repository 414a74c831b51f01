// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-check: the guest can run a harness program, libnl reaches the
 * kernel's generic netlink controller, and the test user "nobody" exists.
 * It tests the VM plumbing, not protkey.
 */
#include <errno.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"

TEST(runs_as_root)
{
	ASSERT_EQ((uid_t)0, geteuid());
}

TEST(genl_controller_resolves)
{
	struct nl_sock *sk = nl_socket_alloc();

	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	/* "nlctrl" is the controller family itself: always registered. */
	EXPECT_EQ(GENL_ID_CTRL, genl_ctrl_resolve(sk, "nlctrl"));
	nl_socket_free(sk);
}

TEST(drops_to_nobody)
{
	struct passwd *pw = getpwnam("nobody");
	pid_t pid;
	int status;

	ASSERT_NE(NULL, pw);
	ASSERT_EQ((uid_t)65534, pw->pw_uid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(setgid(pw->pw_gid) || setuid(pw->pw_uid) ||
		      geteuid() != 65534);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
