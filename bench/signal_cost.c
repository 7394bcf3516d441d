// What a sampling signal costs on this machine, with nothing of pyrometer or
// Python: a thread runs a fixed floating-point loop while a monotonic-clock
// timer of its own (SIGEV_THREAD_ID, as pyrometer sample's) sends it SIGPROF at
// RATE Hz into an empty handler. Prints the thread's CPU time and the signals;
// the difference from RATE 0, over the signals, is the cost of one.
//
//   cc -O1 -o /tmp/signal_cost bench/signal_cost.c && for r in 0 1000 10000; do /tmp/signal_cost $r; done
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile long signals;

static void on_signal(int signo) { (void)signo; signals++; }

static double thread_cpu_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long rate = argc > 1 ? atol(argv[1]) : 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGPROF, &action, NULL);
    if (rate > 0) {
        struct sigevent event;
        memset(&event, 0, sizeof event);
        event.sigev_notify = SIGEV_THREAD_ID;
        event.sigev_signo = SIGPROF;
        event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
        timer_t timer;
        if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) { perror("timer_create"); return 1; }
        struct itimerspec every;
        memset(&every, 0, sizeof every);
        every.it_interval.tv_nsec = every.it_value.tv_nsec = 1000000000L / rate;
        timer_settime(timer, 0, &every, NULL);
    }
    double start = thread_cpu_seconds();
    volatile double sum = 0;
    for (long i = 0; i < 400000000L; i++) { sum += (double)i * 0.5; }
    double used = thread_cpu_seconds() - start;
    printf("rate %ld Hz: %.3f s of CPU, %ld signals\n", rate, used, signals);
    return 0;
}
