// The sampler's collection (pyrometer sample): SIGPROF reaches each Python
// thread due a sample; the handler, on that thread, copies its own frame chain
// (code object, instruction offset per frame) into the thread's preallocated
// ring. Nothing here calls into the interpreter or allocates on the sampling
// path; the rings are read (and the code objects named) by the engine holding
// the GIL.
//
// Which thread is due: in cpu and gil modes a thread that used one interval of
// CPU time since its last sample, so each thread is sampled in proportion to its
// own CPU time; in wall mode (and with --idle) every thread at every tick.
//
// Who sends the signal: in wall mode (and with --idle) a ticker thread that
// wakes at the rate on absolute deadlines. In cpu and gil modes each thread that
// uses CPU has a timer of its own on the monotonic clock (a kernel high-resolution
// timer, SIGEV_THREAD_ID), and the handler reads the thread's own CPU clock to
// decide whether a sample is due. A ticker waking at 10 kHz cost more than the
// samples (two context switches per tick on the sampled thread's core, and it
// fell behind on a busy machine, losing samples); the kernel's timers need no
// thread to be scheduled. The ticker then only wakes every few milliseconds to
// stop the timer of a thread that mostly waited during a window (a thread that
// waits is not interrupted; the ticker samples it itself) and to start it again
// once it runs.
#include "pyrometer_cpython.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RING_WORDS (1u << 15)
#define RING_MASK (RING_WORDS - 1)
#define HEADER_WORDS 4
#define SLOT_BITS 8
#define SIGNAL_MAGIC (1ull << SLOT_BITS)
#define FROM_TIMER (1ull << (SLOT_BITS + 1))
#define WEIGHT_SHIFT (SLOT_BITS + 2)
// How often the ticker looks at the threads in cpu and gil modes.
#define WATCH_WINDOW_NS 5000000ull
#define DESTROY_LOG 4096

enum { SLOT_FREE = 0, SLOT_ACTIVE = 1, SLOT_RETIRING = 2 };

typedef struct {
    int state;
    int busy;  // handlers running on this slot
    pid_t tid;
    void *tstate;
    clockid_t clock;
    int has_clock;
    uint64_t cpu_first, cpu_last, budget;  // the handler's in timer mode, else the ticker's
    timer_t timer;
    int has_timer;
    int armed;            // the timer runs and its signals are samples
    int watched;          // the ticker has looked at the thread once
    uint64_t watch_cpu;   // the thread's CPU clock at the ticker's last look
    uint64_t *ring;
    uint64_t head, tail;
    uint64_t expected, sent, received, torn, full;
} sample_slot;

static sample_slot slots[PYRO_SAMPLER_MAX_THREADS];

static struct {
    int stopping;
    uint64_t period_ns;
    int every_tick;   // wall mode or --idle
    int fast_ticks;   // the ticker sends the samples (wall mode, --idle, or a thread without a timer)
    int wall_weight;  // a sample stands for an interval of wall time
    uint64_t stop_at; // --duration: monotonic ns, 0 for none
    uint64_t ticks, late, lowered;
    int installed, ticking;
    pthread_t ticker;
    struct sigaction previous;
    pid_t pid;
} sampler;

static uint64_t destroy_count;
static uintptr_t destroyed[DESTROY_LOG];

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)

static uint64_t cpu_clock_ns(clockid_t clock, int *ok) {
    struct timespec ts;
    *ok = clock_gettime(clock, &ts) == 0;
    return *ok ? (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec : 0;
}

// ---- The handler: on the sampled thread ----

// A thread interrupted at any instruction may have a frame chain that is half
// written: on 3.11 a C call into Python publishes its new C frame before setting
// that frame's current Python frame, which is then whatever the stack held. A
// pointer read from such a chain may point anywhere; a fault while copying jumps
// back to the handler, and the sample is torn. A fault anywhere else goes to the
// handler that was there before (the default: the process ends with a core).
static __thread sigjmp_buf *copy_escape __attribute__((tls_model("initial-exec")));
static struct sigaction previous_segv, previous_bus;

static void on_fault(int signo, siginfo_t *info, void *context) {
    (void)info; (void)context;
    sigjmp_buf *escape = copy_escape;
    if (escape != NULL) {
        copy_escape = NULL;
        siglongjmp(*escape, 1);
    }
    // Not a fault of the copy: the previous handler takes it when the faulting
    // instruction runs again.
    sigaction(signo, signo == SIGSEGV ? &previous_segv : &previous_bus, NULL);
}

static int copy_guarded(void *tstate, uint64_t *frames, int *truncated) {
    sigjmp_buf escape;
    if (sigsetjmp(escape, 0) != 0) { return -1; }
    copy_escape = &escape;
    int depth = pyro_copy_thread_stack(tstate, frames, PYRO_SAMPLE_MAX_DEPTH, truncated);
    copy_escape = NULL;
    return depth;
}

static void record(sample_slot *slot, void *tstate, uint64_t weight) {
    uint64_t frames[2 * PYRO_SAMPLE_MAX_DEPTH];
    int truncated = 0;
    int depth = copy_guarded(tstate, frames, &truncated);
    ADD(&slot->received, 1);
    if (depth < 0) {
        ADD(&slot->torn, 1);
        return;
    }
    uint64_t need = HEADER_WORDS + 2 * (uint64_t)depth;
    uint64_t head = slot->head;  // this thread is the only writer
    uint64_t tail = LOAD(&slot->tail);
    if (RING_WORDS - (head - tail) < need) {
        ADD(&slot->full, 1);
        return;
    }
    uint64_t flags = (pyro_thread_state_holds_gil(tstate) ? PYRO_SAMPLE_HELD_GIL : 0) | (truncated ? PYRO_SAMPLE_TRUNCATED : 0);
    uint64_t *ring = slot->ring;
    ring[head & RING_MASK] = (uint64_t)depth | (flags << 32);
    ring[(head + 1) & RING_MASK] = weight;
    ring[(head + 2) & RING_MASK] = LOAD(&destroy_count);
    ring[(head + 3) & RING_MASK] = pyro_monotonic_ns();
    for (uint64_t i = 0; i < 2 * (uint64_t)depth; i++) { ring[(head + HEADER_WORDS + i) & RING_MASK] = frames[i]; }
    STORE(&slot->head, head + need);
}

// A timer's signal: a sample when the thread used one interval of CPU time
// since its last one (several intervals make one sample standing for them all).
static void timer_expired(sample_slot *slot, void *tstate) {
    if (!LOAD(&slot->armed)) { return; }  // stopped since the signal was queued
    int ok = 0;
    uint64_t now = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID, &ok);
    if (!ok) { return; }
    uint64_t period = LOAD(&sampler.period_ns);
    slot->budget += now - slot->cpu_last;
    STORE(&slot->cpu_last, now);
    if (slot->budget < period) { return; }
    uint64_t due = slot->budget / period;
    slot->budget -= due * period;
    ADD(&slot->expected, due);
    ADD(&slot->sent, 1);
    record(slot, tstate, due * period);
}

static void on_sigprof(int signo, siginfo_t *info, void *context) {
    (void)signo; (void)context;
    int saved_errno = errno;
    uint64_t value = (uint64_t)(uintptr_t)info->si_value.sival_ptr;
    int queued = info->si_code == SI_QUEUE && info->si_pid == sampler.pid;
    int timer = info->si_code == SI_TIMER && (value & FROM_TIMER);
    if ((queued || timer) && (value & SIGNAL_MAGIC)) {
        sample_slot *slot = &slots[value & (PYRO_SAMPLER_MAX_THREADS - 1)];
        ADD(&slot->busy, 1);
        if (LOAD(&slot->state) == SLOT_ACTIVE) {
            void *tstate = pyro_own_thread_state();
            if (tstate != NULL && tstate == slot->tstate) {
                if (timer) {
                    timer_expired(slot, tstate);
                } else {
                    record(slot, tstate, value >> WEIGHT_SHIFT);
                }
            }
        }
        ADD(&slot->busy, -1);
    }
    errno = saved_errno;
}

int pyro_sampler_install(void) {
    if (sampler.installed) { return 0; }
    pyro_prepare_own_thread_state();
    sampler.pid = getpid();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigprof;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    // Nothing interrupts the handler, except the faults it recovers from (a
    // fault signal blocked while it happens would end the process).
    sigfillset(&action.sa_mask);
    sigdelset(&action.sa_mask, SIGSEGV);
    sigdelset(&action.sa_mask, SIGBUS);
    struct sigaction fault;
    memset(&fault, 0, sizeof fault);
    fault.sa_sigaction = on_fault;
    fault.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&fault.sa_mask);
    if (sigaction(SIGSEGV, &fault, &previous_segv) != 0 || sigaction(SIGBUS, &fault, &previous_bus) != 0) { return -1; }
    if (sigaction(SIGPROF, &action, &sampler.previous) != 0) { return -1; }
    sampler.installed = 1;
    return 0;
}

void pyro_sampler_uninstall(void) {
    if (!sampler.installed) { return; }
    // A signal sent but not yet delivered must not meet SIGPROF's default
    // action (which ends the process): ignoring it first discards it.
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPROF, &ignore, NULL);
    sigaction(SIGPROF, &sampler.previous, NULL);
    struct sigaction current;
    if (sigaction(SIGSEGV, NULL, &current) == 0 && current.sa_sigaction == on_fault) { sigaction(SIGSEGV, &previous_segv, NULL); }
    if (sigaction(SIGBUS, NULL, &current) == 0 && current.sa_sigaction == on_fault) { sigaction(SIGBUS, &previous_bus, NULL); }
    sampler.installed = 0;
}

// ---- Threads ----

int pyro_sampler_add_thread(void *tstate, long tid, unsigned long ident) {
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        sample_slot *slot = &slots[i];
        if (LOAD(&slot->state) != SLOT_FREE) { continue; }
        uint64_t *ring = malloc(RING_WORDS * sizeof(uint64_t));
        if (ring == NULL) { return -1; }
        memset(slot, 0, sizeof *slot);
        slot->ring = ring;
        slot->tid = (pid_t)tid;
        slot->tstate = tstate;
        slot->has_clock = pthread_getcpuclockid((pthread_t)ident, &slot->clock) == 0;
        int ok = 0;
        if (slot->has_clock) { slot->cpu_first = slot->cpu_last = cpu_clock_ns(slot->clock, &ok); }
        slot->has_clock = ok;
        slot->watch_cpu = slot->cpu_last;
        // The thread's own timer (cpu and gil modes; started by the ticker).
        struct sigevent event;
        memset(&event, 0, sizeof event);
        event.sigev_notify = SIGEV_THREAD_ID;
        event.sigev_signo = SIGPROF;
        event.sigev_value.sival_ptr = (void *)(uintptr_t)(SIGNAL_MAGIC | FROM_TIMER | (uint64_t)i);
        event._sigev_un._tid = (pid_t)tid;
        slot->has_timer = ok && timer_create(CLOCK_MONOTONIC, &event, &slot->timer) == 0;
        STORE(&slot->state, SLOT_ACTIVE);
        return i;
    }
    return -1;
}

static void set_timer(sample_slot *slot, uint64_t interval) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    spec.it_interval.tv_sec = spec.it_value.tv_sec = (time_t)(interval / 1000000000ull);
    spec.it_interval.tv_nsec = spec.it_value.tv_nsec = (long)(interval % 1000000000ull);
    timer_settime(slot->timer, 0, &spec, NULL);
}

// Starts or stops a thread's timer. Stopped, the thread's budget is the
// ticker's again once no handler of the timer runs on it.
static void arm(sample_slot *slot, int on) {
    if (!slot->has_timer || LOAD(&slot->armed) == on) { return; }
    STORE(&slot->armed, on);
    set_timer(slot, on ? LOAD(&sampler.period_ns) : 0);
    if (!on) {
        while (LOAD(&slot->busy) != 0) { sched_yield(); }
    }
}

// The ticker arms and disarms timers; this lock keeps it from doing so to a
// slot being retired (a timer deleted while the ticker sets it).
static int timers_lock;
static void lock_timers(void) { while (__atomic_exchange_n(&timers_lock, 1, __ATOMIC_ACQUIRE)) { sched_yield(); } }
static void unlock_timers(void) { __atomic_store_n(&timers_lock, 0, __ATOMIC_RELEASE); }

void pyro_sampler_retire_thread(int index) {
    sample_slot *slot = &slots[index];
    lock_timers();
    STORE(&slot->state, SLOT_RETIRING);
    if (slot->has_timer) {
        STORE(&slot->armed, 0);
        timer_delete(slot->timer);
        slot->has_timer = 0;
    }
    unlock_timers();
    while (LOAD(&slot->busy) != 0) { sched_yield(); }
}

void pyro_sampler_release_thread(int index) {
    sample_slot *slot = &slots[index];
    free(slot->ring);
    slot->ring = NULL;
    STORE(&slot->state, SLOT_FREE);
}

void *pyro_sampler_thread_state(int index) {
    return LOAD(&slots[index].state) == SLOT_ACTIVE ? slots[index].tstate : NULL;
}

void pyro_sampler_thread_counts(int index, pyro_sampler_thread_counts_t *out) {
    sample_slot *slot = &slots[index];
    out->expected = LOAD(&slot->expected);
    out->sent = LOAD(&slot->sent);
    out->received = LOAD(&slot->received);
    out->torn = LOAD(&slot->torn);
    out->full = LOAD(&slot->full);
    uint64_t cpu_last = LOAD(&slot->cpu_last);
    uint64_t seen = LOAD(&slot->watch_cpu) > cpu_last ? LOAD(&slot->watch_cpu) : cpu_last;
    if (!sampler.every_tick && sampler.period_ns > 0) {
        // CPU time the ticker saw that no timer signal has counted yet (a
        // thread that ran briefly between two looks, or ended): expected too.
        out->expected += (slot->budget + (seen - cpu_last)) / sampler.period_ns;
    }
    out->cpu_ns = seen - slot->cpu_first;
}

// ---- The ticker ----

static void send_sample(int index, sample_slot *slot, uint64_t weight) {
    if (weight >= (1ull << (64 - WEIGHT_SHIFT))) { weight = (1ull << (64 - WEIGHT_SHIFT)) - 1; }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGPROF;
    info.si_code = SI_QUEUE;
    info.si_pid = sampler.pid;
    info.si_uid = getuid();
    info.si_value.sival_ptr = (void *)(uintptr_t)((weight << WEIGHT_SHIFT) | SIGNAL_MAGIC | (uint64_t)index);
    if (syscall(SYS_rt_tgsigqueueinfo, sampler.pid, slot->tid, SIGPROF, &info) == 0) { ADD(&slot->sent, 1); }
}

static void tick_thread(int index, sample_slot *slot, uint64_t period, uint64_t ticks) {
    uint64_t delta = 0;
    if (slot->has_clock) {
        int ok = 0;
        uint64_t now = cpu_clock_ns(slot->clock, &ok);
        if (!ok) { return; }  // the thread has ended
        delta = now - slot->cpu_last;
        STORE(&slot->cpu_last, now);
    }
    if (sampler.every_tick) {
        ADD(&slot->expected, ticks);
        send_sample(index, slot, sampler.wall_weight ? period * ticks : delta);
        return;
    }
    slot->budget += delta;
    if (slot->budget < period) { return; }
    uint64_t due = slot->budget / period;
    slot->budget -= due * period;
    ADD(&slot->expected, due);
    send_sample(index, slot, due * period);
}

// Whether a thread that used no CPU during a window was waiting (asleep, on a
// lock, on I/O) rather than ready to run: on a busy machine a thread can wait
// for a CPU longer than a window, and stopping its timer then would lose the
// samples of its next time slice. Its state in /proc says which.
static int thread_waits(pid_t tid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { return 1; }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) { return 1; }
    text[n] = 0;
    const char *name_end = strrchr(text, ')');  // the state follows the name: "tid (name) S ..."
    return name_end == NULL || name_end[1] != ' ' || name_end[2] != 'R';
}

// cpu and gil modes: a thread that used an eighth of the window's time since the
// last look, or is ready to run, has its timer running; one that mostly waited
// (asleep, on a lock, on I/O) has it stopped, since each signal would wake it
// (and the CPU a wake-up costs would keep it looking busy). The ticker samples a
// thread whose timer is stopped itself, once a window: the CPU it used is
// counted, as one sample standing for the intervals it covers. A thread without
// a timer (timer_create failed) is left to the fast ticks.
static int watch_threads(uint64_t window_ns) {
    int need_fast_ticks = 0;
    lock_timers();
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        sample_slot *slot = &slots[i];
        if (LOAD(&slot->state) != SLOT_ACTIVE) { continue; }
        if (!slot->has_timer) {
            need_fast_ticks = 1;
            continue;
        }
        int ok = 0;
        uint64_t now = cpu_clock_ns(slot->clock, &ok);
        if (!ok) { continue; }  // the thread has ended
        int runs = !slot->watched || (now - slot->watch_cpu) * 8 >= window_ns;
        if (!runs && LOAD(&slot->armed)) { runs = !thread_waits(slot->tid); }
        arm(slot, runs);
        slot->watched = 1;
        slot->watch_cpu = now;
        if (!LOAD(&slot->armed)) { tick_thread(i, slot, LOAD(&sampler.period_ns), 1); }
    }
    unlock_timers();
    return need_fast_ticks;
}

static void stop_timers(void) {
    lock_timers();
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        if (LOAD(&slots[i].state) == SLOT_ACTIVE) { arm(&slots[i], 0); }
    }
    unlock_timers();
}

static void *run_ticker(void *unused) {
    (void)unused;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    // The kernel's default slack (50 µs) is half an interval at 10 kHz.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    uint64_t period = LOAD(&sampler.period_ns);
    uint64_t window_ns = period > WATCH_WINDOW_NS ? period : WATCH_WINDOW_NS;
    uint64_t next_watch = 0;
    uint64_t next = pyro_monotonic_ns() + period;
    uint64_t window_ticks = 0, window_late = 0;
    int bad_windows = 0;
    while (!LOAD(&sampler.stopping)) {
        if (!sampler.every_tick) {
            // Timers sample; the ticker looks at the threads once a window, and
            // ticks fast only for a thread that has no timer.
            uint64_t now = pyro_monotonic_ns();
            if (now >= next_watch) {
                STORE(&sampler.fast_ticks, watch_threads(window_ns));
                next_watch = now + window_ns;
            }
            if (!LOAD(&sampler.fast_ticks)) {
                if (sampler.stop_at != 0 && now >= sampler.stop_at) { break; }
                struct timespec until = { (time_t)(next_watch / 1000000000ull), (long)(next_watch % 1000000000ull) };
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {}
                next = pyro_monotonic_ns() + period;
                continue;
            }
        }
        struct timespec until = { (time_t)(next / 1000000000ull), (long)(next % 1000000000ull) };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {}
        if (LOAD(&sampler.stopping)) { break; }
        uint64_t now = pyro_monotonic_ns();
        if (sampler.stop_at != 0 && now >= sampler.stop_at) { break; }
        uint64_t missed = now >= next + period ? (now - next) / period : 0;
        next += (missed + 1) * period;
        ADD(&sampler.ticks, missed + 1);
        ADD(&sampler.late, missed);
        window_ticks += missed + 1;
        window_late += missed;
        for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
            if (LOAD(&slots[i].state) == SLOT_ACTIVE && (sampler.every_tick || !slots[i].has_timer)) {
                tick_thread(i, &slots[i], period, missed + 1);
            }
        }
        // A rate the machine cannot hold (a quarter of the ticks missed in each
        // of two seconds in a row) is halved; one slow second is not enough.
        uint64_t window = 1000000000ull / period;
        if (window_ticks >= (window < 100 ? 100 : window)) {
            bad_windows = window_late * 4 > window_ticks ? bad_windows + 1 : 0;
            if (bad_windows == 2) {
                period *= 2;
                STORE(&sampler.period_ns, period);
                ADD(&sampler.lowered, 1);
                bad_windows = 0;
            }
            window_ticks = window_late = 0;
        }
    }
    stop_timers();
    return NULL;
}

int pyro_sampler_start(double rate, int every_tick, int wall_weight, double duration) {
    if (sampler.ticking) { return 0; }
    sampler.period_ns = (uint64_t)(1e9 / rate);
    if (sampler.period_ns < 1000) { sampler.period_ns = 1000; }
    sampler.every_tick = every_tick;
    sampler.wall_weight = wall_weight;
    sampler.stop_at = duration > 0 ? pyro_monotonic_ns() + (uint64_t)(duration * 1e9) : 0;
    STORE(&sampler.stopping, 0);
    if (pthread_create(&sampler.ticker, NULL, run_ticker, NULL) != 0) { return -1; }
    sampler.ticking = 1;
    return 0;
}

void pyro_sampler_stop(void) {
    if (!sampler.ticking) { return; }
    STORE(&sampler.stopping, 1);
    pthread_join(sampler.ticker, NULL);
    sampler.ticking = 0;
}

void pyro_sampler_forget_after_fork(void) {
    // The ticker and the timers do not exist in a child; the slots name the
    // parent's threads.
    sampler.ticking = 0;
    sampler.pid = getpid();
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        if (slots[i].state != SLOT_FREE) {
            free(slots[i].ring);
            memset(&slots[i], 0, sizeof slots[i]);
        }
    }
}

void pyro_sampler_totals(pyro_sampler_totals_t *out) {
    out->ticks = LOAD(&sampler.ticks);
    out->late = LOAD(&sampler.late);
    out->lowered = LOAD(&sampler.lowered);
    out->period_ns = LOAD(&sampler.period_ns);
}

// ---- Reading the rings (holding the GIL) ----

int pyro_sampler_pending(void) {
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        if (LOAD(&slots[i].state) != SLOT_FREE && slots[i].ring != NULL && LOAD(&slots[i].head) != slots[i].tail) { return 1; }
    }
    return 0;
}

long pyro_sampler_drain(pyro_sample_fn each, void *context) {
    static uint64_t scratch[HEADER_WORDS + 2 * PYRO_SAMPLE_MAX_DEPTH];
    long count = 0;
    for (int i = 0; i < PYRO_SAMPLER_MAX_THREADS; i++) {
        sample_slot *slot = &slots[i];
        if (LOAD(&slot->state) == SLOT_FREE || slot->ring == NULL) { continue; }
        uint64_t head = LOAD(&slot->head);
        uint64_t tail = slot->tail;
        while (tail != head) {
            uint64_t depth = slot->ring[tail & RING_MASK] & 0xffffffffu;
            uint64_t words = HEADER_WORDS + 2 * depth;
            for (uint64_t w = 0; w < words; w++) { scratch[w] = slot->ring[(tail + w) & RING_MASK]; }
            tail += words;
            STORE(&slot->tail, tail);
            pyro_sample_t sample = {
                .flags = (uint32_t)(scratch[0] >> 32), .depth = (int)depth, .weight_ns = scratch[1],
                .destroy_count = scratch[2], .time_ns = scratch[3], .frames = scratch + HEADER_WORDS,
            };
            each(context, i, &sample);
            count++;
        }
    }
    return count;
}

// ---- Code objects that went away ----

uint64_t pyro_sampler_destroy_count(void) { return LOAD(&destroy_count); }

void pyro_sampler_note_code_destroyed(PyObject *code) {
    uint64_t n = destroy_count;
    destroyed[n % DESTROY_LOG] = (uintptr_t)code;
    STORE(&destroy_count, n + 1);
}

int pyro_sampler_code_destroyed_since(PyObject *code, uint64_t since) {
    uint64_t now = LOAD(&destroy_count);
    if (now - since > DESTROY_LOG) { return 1; }  // the log no longer tells: assume so
    for (uint64_t n = since; n < now; n++) {
        if (destroyed[n % DESTROY_LOG] == (uintptr_t)code) { return 1; }
    }
    return 0;
}
