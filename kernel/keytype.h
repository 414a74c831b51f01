/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey key type: every live key object as a key of type "protkey" in
 * the module's ".protkey" keyring, for keyctl administration. See
 * keytype.c.
 */
#ifndef _PROTKEY_KEYTYPE_H
#define _PROTKEY_KEYTYPE_H

#include <linux/types.h>

struct key;
struct protkey_key;
struct protkey_key_snapshot;

/* Longest text that protkey_keytype_format() writes. */
#define PROTKEY_KEYTYPE_TEXT_MAX 512

void protkey_keytype_attach(struct protkey_key *obj);
void protkey_keytype_detach(struct protkey_key *obj);
int protkey_keytype_revoke_key(struct protkey_key *obj);
int protkey_keytype_format(const struct protkey_key_snapshot *snap, char *buf,
			   size_t size);
const char *protkey_keytype_token_name(u8 type, u8 version);
int protkey_keytype_init(void);
void protkey_keytype_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
extern struct key_type protkey_key_type;
struct key *protkey_keytype_keyring(void);
#endif

#endif /* _PROTKEY_KEYTYPE_H */
