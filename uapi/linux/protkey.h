/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * protkey: user-space interface of protkey.ko.
 *
 * The generic netlink family "protkey" shows the live key objects (one per
 * distinct XTS secure key in use by dm-crypt or another user of
 * xts(paes)), re-derives their protected keys on request and sends events
 * on the multicast group "events". Documentation/netlink/specs/protkey.yaml
 * is the source of truth for this file; scripts/check-spec checks that
 * they agree.
 *
 * The key type "protkey" (keyring ".protkey") is the keyctl view of the same
 * objects; its update payload is the secure key as raw bytes, the two
 * tokens back to back. No attribute or key read ever carries a secure key.
 */
#ifndef _UAPI_LINUX_PROTKEY_H
#define _UAPI_LINUX_PROTKEY_H

#define PROTKEY_FAMILY_NAME "protkey"
#define PROTKEY_FAMILY_VERSION 1

/* Size of a verification pattern: XTS encryption of 32 zero bytes. */
#define PROTKEY_VP_SIZE 32

#define PROTKEY_MCGRP_EVENTS "events"

/**
 * enum protkey_state - state of a key object
 * @PROTKEY_STATE_VALID: protected keys valid, I/O on the fast path
 * @PROTKEY_STATE_STALE: re-deriving; I/O waits
 * @PROTKEY_STATE_FAILED: the last re-derivation failed; the next I/O
 *	tries once more
 * @PROTKEY_STATE_REVOKED: revoked with keyctl; I/O fails with EIO
 */
enum protkey_state {
	PROTKEY_STATE_VALID = 1,
	PROTKEY_STATE_STALE,
	PROTKEY_STATE_FAILED,
	PROTKEY_STATE_REVOKED,
};

/**
 * enum protkey_match - which master-key register holds a half's MK
 * @PROTKEY_MATCH_NONE: no usable adapter (or not known yet)
 * @PROTKEY_MATCH_CURRENT: an adapter's CURRENT register
 * @PROTKEY_MATCH_OLD: only an OLD register: re-encipher the key
 * @PROTKEY_MATCH_NEW: only a NEW register (not yet activated)
 */
enum protkey_match {
	PROTKEY_MATCH_NONE,
	PROTKEY_MATCH_CURRENT,
	PROTKEY_MATCH_OLD,
	PROTKEY_MATCH_NEW,
};

/**
 * enum protkey_attrs - attributes of the protkey family
 * @PROTKEY_A_UNSPEC: unused
 * @PROTKEY_A_SERIAL: u32, serial of the key in the ".protkey" keyring
 * @PROTKEY_A_VP: binary, PROTKEY_VP_SIZE bytes: the verification pattern,
 *	the key's identity
 * @PROTKEY_A_STATE: u32, &enum protkey_state
 * @PROTKEY_A_KEY_TYPE: string, the secure-key type ("CCA-AESDATA")
 * @PROTKEY_A_MKVP_DATA: u64, master-key verification pattern of the data
 *	key half
 * @PROTKEY_A_MKVP_TWEAK: u64, the same for the tweak key half
 * @PROTKEY_A_MK_MATCH_DATA: u32, &enum protkey_match of the data half
 * @PROTKEY_A_MK_MATCH_TWEAK: u32, &enum protkey_match of the tweak half
 * @PROTKEY_A_WK_GEN: u64, wrapping-key generation of the last derive
 * @PROTKEY_A_DERIVES: u64, successful derives of a key half
 * @PROTKEY_A_DERIVE_ERRORS: u64, failed derive calls
 * @PROTKEY_A_STALLS: u64, re-derivation episodes
 * @PROTKEY_A_FAILURES: u64, episodes that failed their I/O
 * @PROTKEY_A_FAILED_REQUESTS: u64, requests failed with EIO
 * @PROTKEY_A_LAST_ERROR: u32, positive errno of the last failed derive
 * @PROTKEY_A_LAST_STALL_MS: u32, duration of the last episode
 * @PROTKEY_A_USERS: u32, references held (one per tfm)
 * @PROTKEY_A_LATENCY_US: u64, from the start of an episode to new keys
 * @PROTKEY_A_WAITED_MS: u32, how long I/O has waited so far
 * @PROTKEY_A_ERRNO: u32, positive errno: why
 * @PROTKEY_A_PAD: padding for 64-bit attributes
 * @PROTKEY_A_CAUSE: string, what the platform says stops the derive
 *	("queue 01.0005 not associated", "Ultravisor secret ... not in the
 *	store"); in KEY_STALLED and KEY_FAILED when the platform can tell
 * @__PROTKEY_A_MAX: internal, one past the last value
 * @PROTKEY_A_MAX: the last value
 */
enum protkey_attrs {
	PROTKEY_A_UNSPEC,
	PROTKEY_A_SERIAL,
	PROTKEY_A_VP,
	PROTKEY_A_STATE,
	PROTKEY_A_KEY_TYPE,
	PROTKEY_A_MKVP_DATA,
	PROTKEY_A_MKVP_TWEAK,
	PROTKEY_A_MK_MATCH_DATA,
	PROTKEY_A_MK_MATCH_TWEAK,
	PROTKEY_A_WK_GEN,
	PROTKEY_A_DERIVES,
	PROTKEY_A_DERIVE_ERRORS,
	PROTKEY_A_STALLS,
	PROTKEY_A_FAILURES,
	PROTKEY_A_FAILED_REQUESTS,
	PROTKEY_A_LAST_ERROR,
	PROTKEY_A_LAST_STALL_MS,
	PROTKEY_A_USERS,
	PROTKEY_A_LATENCY_US,
	PROTKEY_A_WAITED_MS,
	PROTKEY_A_ERRNO,
	PROTKEY_A_PAD,
	PROTKEY_A_CAUSE,

	__PROTKEY_A_MAX,
	PROTKEY_A_MAX = __PROTKEY_A_MAX - 1
};

/**
 * enum protkey_cmds - commands and notifications of the protkey family
 * @PROTKEY_CMD_UNSPEC: unused
 * @PROTKEY_CMD_KEY_GET: do: one key object by serial and/or vp; dump:
 *	all; replies carry the state attributes
 * @PROTKEY_CMD_KEY_REDERIVE: re-derive now the key named by serial or vp,
 *	or every key (admin)
 * @PROTKEY_CMD_WK_CHANGED: event: the wrapping key changed (wk-gen)
 * @PROTKEY_CMD_KEY_REDERIVED: event: new protected keys (serial, vp,
 *	latency-us, wk-gen)
 * @PROTKEY_CMD_KEY_STALLED: event: I/O waits for an adapter (serial, vp,
 *	waited-ms, errno)
 * @PROTKEY_CMD_KEY_FAILED: event: a re-derivation gave up, I/O failed
 *	(serial, vp, errno, waited-ms, failed-requests)
 * @PROTKEY_CMD_KEY_NEEDS_REENCIPHER: event: a half's master key is only in
 *	an OLD register (serial, vp, mkvp-data, mkvp-tweak, mk-match-data,
 *	mk-match-tweak)
 * @PROTKEY_CMD_KEY_REVOKE: revoke the key named by serial and/or vp: wipe
 *	its secure and protected keys, fail its I/O (admin)
 * @__PROTKEY_CMD_MAX: internal, one past the last value
 * @PROTKEY_CMD_MAX: the last value
 */
enum protkey_cmds {
	PROTKEY_CMD_UNSPEC,
	PROTKEY_CMD_KEY_GET,
	PROTKEY_CMD_KEY_REDERIVE,
	PROTKEY_CMD_WK_CHANGED,
	PROTKEY_CMD_KEY_REDERIVED,
	PROTKEY_CMD_KEY_STALLED,
	PROTKEY_CMD_KEY_FAILED,
	PROTKEY_CMD_KEY_NEEDS_REENCIPHER,
	PROTKEY_CMD_KEY_REVOKE,

	__PROTKEY_CMD_MAX,
	PROTKEY_CMD_MAX = __PROTKEY_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_PROTKEY_H */
