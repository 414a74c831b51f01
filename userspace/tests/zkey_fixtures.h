/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stored zkey .info files for zkey_test.c, checked against s390-tools'
 * zkey/properties.c (properties_save(): "name=value" lines in insertion
 * order, then "__hash__=" and the lower-case hex SHA-256 of every name
 * and value concatenated, no separators) and zkey/keystore.c. The hashes
 * were computed with Python's hashlib, not with protkey's code:
 *
 *   hashlib.sha256("".join(n + v for n, v in props).encode()).hexdigest()
 */
#ifndef PROTKEY_ZKEY_FIXTURES_H
#define PROTKEY_ZKEY_FIXTURES_H

/*
 * A key of a zkey from before key-type and volume-type existed: zkey
 * reads it as CCA-AESDATA (_keystore_get_key_type()) for a plain volume
 * (_keystore_get_volume_type()). The properties come in the order
 * _keystore_set_default_aes_properties() and _keystore_create_info_props()
 * set them, less the two missing ones.
 */
#define ZK_FIXTURE_OLD                                                       \
	"cipher=paes\n"                                                      \
	"iv-mode=plain64\n"                                                  \
	"creation-time=2018-09-20 14:02:11\n"                                \
	"description=key from an old zkey\n"                                 \
	"volumes=/dev/dasdd1:enc-dasdd1\n"                                   \
	"apqns=\n"                                                           \
	"sector-size=0\n"                                                    \
	"verification-pattern="                                              \
	"6a1f3e0b9c2d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccdde\n" \
	"__hash__="                                                          \
	"a96e466425bde75b6229daf75da3e17d6226ab06ae243fc125091ef5f4e12ad3\n"

#endif /* PROTKEY_ZKEY_FIXTURES_H */
