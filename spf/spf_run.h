/*
 * spf_run.h - drive an spf_check over a dns_resolver on the event loop.
 *
 * Runs the check, resolves every query it asks for in parallel, hands
 * the answers back and runs it again until it is done or the time limit
 * passes (then spf_check_expire: SPF_TEMPERROR). done runs exactly once,
 * from the loop, never from inside spf_run_start, unless cancelled.
 */
#ifndef PW_SPF_RUN_H
#define PW_SPF_RUN_H

struct event_base;
struct dns_resolver;
struct spf_check;
struct spf_run;

/* done - the check (still owned by the caller) has its result */
typedef void spf_run_done_fn(void *arg, struct spf_check *c);

/*
 * spf_run_start - c and r stay owned by the caller and alive until done
 * runs or the run is cancelled. time_limit_ms 0: no limit of our own.
 */
struct spf_run *spf_run_start(struct event_base *base,
			      struct dns_resolver *r, struct spf_check *c,
			      unsigned int time_limit_ms,
			      spf_run_done_fn *done, void *arg);
/* spf_run_cancel - done will not run; NULL-safe. The handle is invalid
 * once done has run: cancel only before that. */
void spf_run_cancel(struct spf_run **rp);

#endif
