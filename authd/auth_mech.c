/*
 * auth_mech.c - the mechanism table and the state every mechanism shares.
 */
#include "config.h"

#include <stdlib.h>
#include <strings.h>

#include "auth_mech.h"
#include "auth_proto.h"
#include "log.h"
#include "sbuf.h"
#include "xalloc.h"

/* Flags as Dovecot 2.3 gives them (dovecot-auth.md section 3). */
static const struct auth_mech auth_mechs[] = {
    {"PLAIN", AUTH_MECH_FLAG_PLAINTEXT, AUTH_MECH_PLAIN},
    {"LOGIN", AUTH_MECH_FLAG_PLAINTEXT, AUTH_MECH_LOGIN},
    {"CRAM-MD5", AUTH_MECH_FLAG_DICTIONARY | AUTH_MECH_FLAG_ACTIVE,
     AUTH_MECH_CRAM_MD5},
};

struct auth_mech_state {
	const struct auth_mech *mech;
	unsigned int stage;
	bool finished;
	struct auth_mech_creds creds;
};

/* auth_mech_find - a mechanism by name, any case */
const struct auth_mech *auth_mech_find(const char *name)
{
	size_t i;

	for (i = 0; i < auth_mech_count(); i++)
		if (strcasecmp(auth_mechs[i].name, name) == 0)
			return &auth_mechs[i];
	return NULL;
}

/* auth_mech_count - entries in the table */
size_t auth_mech_count(void)
{
	return sizeof(auth_mechs) / sizeof(auth_mechs[0]);
}

/* auth_mech_at - i-th table entry */
const struct auth_mech *auth_mech_at(size_t i)
{
	if (i >= auth_mech_count())
		log_panic("auth_mech_at: index %zu out of range", i);
	return &auth_mechs[i];
}

/* auth_mech_begin - a fresh state; CRAM-MD5 makes its challenge now */
struct auth_mech_state *auth_mech_begin(const struct auth_mech *m,
					const struct auth_mech_env *env)
{
	struct auth_mech_state *s = xcalloc(1, sizeof(*s));

	s->mech = m;
	if (m->kind == AUTH_MECH_CRAM_MD5) {
		struct sbuf *ch = sbuf_new(64);

		if (auth_mech_cram_md5_challenge(env, ch) < 0)
			log_panic("auth_mech_begin: challenge");
		s->creds.cram_challenge = sbuf_steal(ch);
		sbuf_free(&ch);
	}
	return s;
}

/* auth_mech_free - wipe the credentials and free the state */
void auth_mech_free(struct auth_mech_state **sp)
{
	struct auth_mech_state *s = *sp;

	if (s == NULL)
		return;
	xfree_secret(&s->creds.authcid);
	xfree_secret(&s->creds.authzid);
	xfree_secret(&s->creds.password);
	xfree_secret(&s->creds.cram_challenge);
	xfree_secret(&s->creds.cram_response);
	free(s);
	*sp = NULL;
}

/* auth_mech_step - one client payload through the mechanism */
enum auth_mech_status auth_mech_step(struct auth_mech_state *s, bool has_data,
				     const unsigned char *data, size_t n,
				     struct sbuf *challenge_r)
{
	enum auth_mech_status st = AUTH_MECH_FAILED;

	sbuf_reset(challenge_r);
	if (s->finished)
		return AUTH_MECH_FAILED;
	switch (s->mech->kind) {
	case AUTH_MECH_PLAIN:
		st = auth_mech_plain_step(&s->creds, &s->stage, has_data, data,
					  n, challenge_r);
		break;
	case AUTH_MECH_LOGIN:
		st = auth_mech_login_step(&s->creds, &s->stage, has_data, data,
					  n, challenge_r);
		break;
	case AUTH_MECH_CRAM_MD5:
		st = auth_mech_cram_md5_step(&s->creds, &s->stage, has_data,
					     data, n, challenge_r);
		break;
	}
	if (st != AUTH_MECH_CHALLENGE)
		s->finished = true;
	return st;
}

/* auth_mech_creds - the collected credentials */
const struct auth_mech_creds *auth_mech_creds(const struct auth_mech_state *s)
{
	return &s->creds;
}

/* auth_mech_kind_of - the mechanism of a state */
enum auth_mech_kind auth_mech_kind_of(const struct auth_mech_state *s)
{
	return s->mech->kind;
}
