/*
 * sqlmap_domain.h - the "domain" parameter of mysql_table(5): a Postfix
 * match list of domain names.
 *
 * Items are separated by commas and white space: a name (exact match,
 * case-folded: no subdomains), "/file" (its lines are items in turn;
 * lines starting with "#" are skipped), "sqlite:/x.cf" or "mysql:/x.cf" (a
 * domain found in that table matches) and "!item" (a match excludes). The
 * first item that matches decides. As in Postfix, a "/file" that cannot be
 * opened does not stop the map from opening: it makes every lookup that
 * reaches it fail (temporarily). Other table types are an open error.
 *
 * Ownership: sqlmap_domain_new returns a list the caller frees with
 * sqlmap_domain_free; it owns the tables it opened. Threads: like a map,
 * one thread at a time. The domain being matched is untrusted.
 */
#ifndef PW_SQLMAP_DOMAIN_H
#define PW_SQLMAP_DOMAIN_H

struct sbuf;
struct sqlmap_domain;

#define SQLMAP_DOMAIN_MAX_DEPTH 8      /* nested /file and tables */
#define SQLMAP_DOMAIN_MAX_ITEMS 100000 /* items in one list, files included */
#define SQLMAP_DOMAIN_MAX_FILE (16u << 20) /* bytes of one /file */

enum sqlmap_domain_result {
	SQLMAP_DOMAIN_MATCH,
	SQLMAP_DOMAIN_NOMATCH,
	SQLMAP_DOMAIN_ERROR, /* a table in the list failed; err says why */
};

/*
 * sqlmap_domain_new - parse list (the raw "domain" value). origin names
 * the .cf file in messages; depth is the nesting level of the map that
 * owns the list (0 for a map the caller opened). Warnings (a "#" comment
 * inside the list) are appended to warnings_r, one per line. Returns NULL
 * with a message in err ("no pattern after '!'", unsupported table type,
 * a table that does not open, nesting too deep, too many items).
 */
struct sqlmap_domain *sqlmap_domain_new(const char *list, const char *origin,
					int depth, struct sbuf *warnings_r,
					struct sbuf *err);

/* sqlmap_domain_match - does domain (folded here, ASCII) match the list? */
enum sqlmap_domain_result sqlmap_domain_match(struct sqlmap_domain *d,
					      const char *domain,
					      struct sbuf *err);

void sqlmap_domain_free(struct sqlmap_domain **dp); /* NULL-safe */

#endif
