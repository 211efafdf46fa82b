/*
 * milter_floor.c - what libmilter itself costs per message: a milter
 * that negotiates exactly what postwarden-milterd negotiates (the same
 * skipped steps, the same no-reply steps, leading spaces) and does no
 * DKIM work at all. At end of message it inserts a fixed DKIM-Signature
 * field of a real RSA-2048 signature's size and an Authentication-Results
 * field saying dkim=pass, so bench/milter_load counts every message as
 * done in either mode.
 *
 *   milter_floor unix:/path | inet:port@host
 *
 * Its CPU time per message under the same load is the part of a DKIM
 * milter's cost that no DKIM code can remove: libmilter's threads,
 * polls and reads per packet. bench/milterd_vs_opendkim.sh runs it next
 * to both daemons. Stops on SIGTERM or SIGINT (libmilter's handlers).
 */
#include "config.h"

#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* about the size of an rsa-sha256 relaxed/relaxed signature field */
#define FLOOR_SIG                                                              \
	"v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\n\ts=rsasel; "  \
	"t=1795316400; h=from:to:subject:date:message-id:mime-version:\n\t"   \
	"content-type:from; bh=4Vg2rCkbqOcPgY1SKGQnQeabbjv4JXp39pEQsMIl5Gk=;" \
	"\n\tb=" FLOOR_B64 FLOOR_B64 FLOOR_B64 FLOOR_B64
#define FLOOR_B64                                                              \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAA"

static sfsistat floor_negotiate(SMFICTX *ctx, unsigned long f0,
				unsigned long f1, unsigned long f2,
				unsigned long f3, unsigned long *pf0,
				unsigned long *pf1, unsigned long *pf2,
				unsigned long *pf3)
{
	unsigned long skip = SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NOUNKNOWN |
			     SMFIP_NODATA;
	unsigned long noreply = SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR |
				SMFIP_NR_EOH | SMFIP_NR_BODY;

	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	*pf0 = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	*pf1 = (f1 & (skip | noreply | SMFIP_HDR_LEADSPC));
	*pf2 = 0;
	*pf3 = 0;
	/* remember which steps must not reply */
	smfi_setpriv(ctx, (void *)(f1 & noreply));
	return SMFIS_CONTINUE;
}

/* step - continue, without a reply where none was negotiated */
static sfsistat step(SMFICTX *ctx, unsigned long bit)
{
	unsigned long nr = (unsigned long)smfi_getpriv(ctx);

	return (nr & bit) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat floor_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	(void)sa;
	return step(ctx, SMFIP_NR_CONN);
}

static sfsistat floor_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return step(ctx, SMFIP_NR_MAIL);
}

static sfsistat floor_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return step(ctx, SMFIP_NR_HDR);
}

static sfsistat floor_eoh(SMFICTX *ctx)
{
	return step(ctx, SMFIP_NR_EOH);
}

static sfsistat floor_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	(void)p;
	(void)n;
	return step(ctx, SMFIP_NR_BODY);
}

static sfsistat floor_eom(SMFICTX *ctx)
{
	if (smfi_insheader(ctx, 0, (char *)"DKIM-Signature",
			   (char *)FLOOR_SIG) != MI_SUCCESS ||
	    smfi_insheader(ctx, 0, (char *)"Authentication-Results",
			   (char *)"mx.bench.example; dkim=pass") !=
		MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

static sfsistat floor_close(SMFICTX *ctx)
{
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc floor_desc = {
    .xxfi_name = (char *)"milter_floor",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
    .xxfi_connect = floor_connect,
    .xxfi_envfrom = floor_envfrom,
    .xxfi_header = floor_header,
    .xxfi_eoh = floor_eoh,
    .xxfi_body = floor_body,
    .xxfi_eom = floor_eom,
    .xxfi_close = floor_close,
    .xxfi_negotiate = floor_negotiate,
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: milter_floor unix:/path|inet:port@host\n");
		return 2;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(floor_desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "milter_floor: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
