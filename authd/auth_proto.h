/*
 * auth_proto.h - the Dovecot auth client protocol 1.x, server side.
 *
 * What Postfix's smtpd (smtpd_sasl_type = dovecot) and Exim's dovecot
 * authenticator speak on the auth socket (Dovecot 2.3 auth-client
 * protocol). One command per LF-terminated line, fields separated by
 * TAB, every field tab-escaped (\001 escapes, see auth_proto_unescape).
 *
 * This module is pure: a parser from one client line (untrusted bytes)
 * to a struct auth_cmd, and formatters that append server lines to an
 * sbuf. No I/O, no logging, no globals; thread-safe.
 *
 * What the parser does not know (the connection's concern): the order
 * of commands (VERSION first, then CPID, then AUTH/CONT/CANCEL), whether
 * an AUTH id is already in use on the connection (a reused id is a
 * protocol error there), whether a CONT id exists, and the client's
 * minor version (which decides what an empty resp= means, see
 * auth_proto_initial_response).
 */
#ifndef PW_AUTH_PROTO_H
#define PW_AUTH_PROTO_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

/* Dovecot's server limit; a longer line closes the connection. */
#define AUTH_PROTO_MAX_LINE 16384
/* Fields in one line: Postfix sends at most 9 in AUTH, Dovecot knows ~25 */
#define AUTH_PROTO_MAX_FIELDS 64
/* Mechanism names (RFC 4422 3.1: at most 20 characters) */
#define AUTH_PROTO_MAX_MECH 20
/* Bytes a base64 payload (resp=, CONT) may decode to */
#define AUTH_PROTO_MAX_PAYLOAD ((AUTH_PROTO_MAX_LINE / 4) * 3)

/* Mechanism flags, in the order Dovecot writes them on MECH lines. */
enum auth_mech_flag {
	AUTH_MECH_FLAG_PRIVATE = 1 << 0,
	AUTH_MECH_FLAG_ANONYMOUS = 1 << 1,
	AUTH_MECH_FLAG_PLAINTEXT = 1 << 2,
	AUTH_MECH_FLAG_DICTIONARY = 1 << 3,
	AUTH_MECH_FLAG_ACTIVE = 1 << 4,
	AUTH_MECH_FLAG_FORWARD_SECRECY = 1 << 5,
	AUTH_MECH_FLAG_MUTUAL_AUTH = 1 << 6,
};

enum auth_cmd_type {
	AUTH_CMD_VERSION, /* VERSION major minor */
	AUTH_CMD_CPID,	  /* CPID pid */
	AUTH_CMD_AUTH,	  /* AUTH id mech [params] */
	AUTH_CMD_CONT,	  /* CONT id base64 */
	AUTH_CMD_CANCEL,  /* CANCEL id */
};

/*
 * One parsed client line. Strings are NUL-terminated copies owned by the
 * struct (freed by auth_cmd_free); an absent optional value is NULL.
 * Fields are tab-unescaped; a field holding a NUL byte (raw or "\0010")
 * is rejected. lip/rip are canonical address text (inet_ntop), or ""
 * when the client sent an empty or unparsable value.
 */
struct auth_cmd {
	enum auth_cmd_type type;
	unsigned int major, minor; /* VERSION */
	unsigned long cpid;	   /* CPID: nonzero */
	unsigned int id;	   /* AUTH, CONT, CANCEL: 1..UINT_MAX */
	char *mech;		   /* AUTH: as sent (case kept) */
	/* AUTH parameters (Postfix sends service nologin lip rip
	 * [secured] [resp]); unknown ones are skipped. */
	char *service;
	char *lip, *rip;	   /* text as sent; "" when unknown */
	unsigned int lport, rport; /* 0: not sent */
	bool nologin, secured, valid_client_cert;
	bool has_resp; /* resp= was present (maybe empty) */
	char *data;    /* AUTH resp= or CONT payload: base64 text */
};

/*
 * auth_cmd_parse - parse one line (without its LF; n bytes, borrowed,
 * may hold anything). Returns 0 and a new command in *cmd_r (caller
 * frees with auth_cmd_free), or -1 with a reason in err for a line that
 * is a protocol error (unknown command, missing or bad field, too many
 * fields, a parameter after resp=): Dovecot disconnects then.
 */
int auth_cmd_parse(const void *line, size_t n, struct auth_cmd **cmd_r,
		   struct sbuf *err);
void auth_cmd_free(struct auth_cmd **cp); /* NULL-safe; wipes data */

enum auth_resp_result {
	AUTH_RESP_NONE,	      /* no initial response */
	AUTH_RESP_DATA,	      /* out holds the decoded bytes (maybe 0) */
	AUTH_RESP_BAD_BASE64, /* FAIL code=invalid_base64 */
};

/*
 * auth_proto_initial_response - decode the resp= of an AUTH (Dovecot
 * rules: with client minor version < 2 an empty resp= means none, "="
 * means an empty response; from minor 2 on empty means empty). out
 * should be a secret buffer (it holds credentials); it is reset first.
 */
enum auth_resp_result auth_proto_initial_response(const struct auth_cmd *c,
						  unsigned int client_minor,
						  struct sbuf *out);
/*
 * auth_proto_decode_cont - decode a CONT payload into out (reset
 * first); "" and "=" are an empty response. -1 for bad base64.
 */
int auth_proto_decode_cont(const char *b64, struct sbuf *out);

/*
 * auth_proto_unescape - append the tab-unescaped form of n bytes
 * (Dovecot str_tabunescape: \0011 -> \001, \001t -> TAB, \001r -> CR,
 * \001n -> LF, \0010 -> NUL, \001X -> X; a trailing lone \001 is kept).
 */
int auth_proto_unescape(const char *s, size_t n, struct sbuf *out);
/* auth_proto_escape - append s (n bytes) tab-escaped (str_append_tabescaped) */
int auth_proto_escape(const char *s, size_t n, struct sbuf *out);

/*
 * A server line as a client sees it (postwarden auth-test, bench): the
 * fields between TABs, each unescaped. Fields are sbufs of at most
 * AUTH_PROTO_MAX_LINE bytes; the struct is zeroed to start with.
 */
struct auth_proto_fields {
	struct sbuf *field[AUTH_PROTO_MAX_FIELDS];
	size_t n;
};

/*
 * auth_proto_split - split n bytes of one line (without its LF) into f,
 * replacing what f held. An empty line is one empty field. Returns 0, or
 * -1 for more than AUTH_PROTO_MAX_FIELDS fields or a line over
 * AUTH_PROTO_MAX_LINE bytes (f is then empty).
 */
int auth_proto_split(const void *line, size_t n, struct auth_proto_fields *f);
/* auth_proto_fields_clear - free the fields; f may be split into again */
void auth_proto_fields_clear(struct auth_proto_fields *f);

/* A mechanism as advertised on a MECH line. */
struct auth_proto_mech {
	const char *name;   /* upper case */
	unsigned int flags; /* enum auth_mech_flag bits */
};

/*
 * auth_proto_handshake - append the whole server handshake in Dovecot
 * 2.3's order: VERSION 1 2, one MECH per mechanism (flags in Dovecot's
 * order), SPID, CUID, COOKIE (32 hex digits of the 16 cookie bytes),
 * DONE. Mechanisms flagged private are not listed.
 */
int auth_proto_handshake(struct sbuf *out, const struct auth_proto_mech *mechs,
			 size_t n_mechs, unsigned long spid, unsigned long cuid,
			 const unsigned char cookie[16]);

/*
 * Replies. user must be a name without control characters (Postfix does
 * not unescape, see the protocol notes section 1); a control character
 * is escaped anyway, never sent raw.
 */
/* auth_proto_ok - "OK id user=NAME" */
int auth_proto_ok(struct sbuf *out, unsigned int id, const char *user);
/* auth_proto_cont - "CONT id base64(data)" (n may be 0) */
int auth_proto_cont(struct sbuf *out, unsigned int id, const void *data,
		    size_t n);
/*
 * auth_proto_fail - "FAIL id [user=U] [code=C] [reason=R] [temp]"; NULL
 * or "" leaves a field out. temp adds code=temp_fail (Dovecot 2.3) and
 * the bare "temp" flag (2.2) when code is NULL.
 */
int auth_proto_fail(struct sbuf *out, unsigned int id, const char *user,
		    const char *code, const char *reason, bool temp);

#endif
