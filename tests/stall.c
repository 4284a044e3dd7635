/*
 * stall: wedges one thread of a running process for a while, as a worker
 * stuck in a loop or a blocking call would be, while its other threads
 * run on (SIGSTOP would stop them all).  For the watchdog test.
 *
 * usage: stall TID MS
 *
 * The thread is seized with ptrace and interrupted (PTRACE_INTERRUPT
 * stops that thread alone), held MS milliseconds, then let go.  Exits 0
 * once it is running again; 1 if it could not be stopped.
 */
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool/tool.h"

int
main(int argc, char *argv[])
{
	struct timespec	 ts;
	long		 tid, ms;
	int		 st;

	if (argc != 3 || tool_number(argv[1], 1, 1L << 30, &tid) == -1 ||
	    tool_number(argv[2], 0, 600000, &ms) == -1) {
		fprintf(stderr, "usage: stall TID MS\n");
		return 1;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) == -1 ||
	    ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL) == -1) {
		fprintf(stderr, "stall: %ld: %s\n", tid, strerror(errno));
		return 1;
	}
	if (waitpid((pid_t)tid, &st, __WALL) == -1) {
		fprintf(stderr, "stall: waitpid: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "stall: %ld stopped\n", tid);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	if (ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL) == -1) {
		fprintf(stderr, "stall: detach: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "stall: %ld running\n", tid);
	return 0;
}
