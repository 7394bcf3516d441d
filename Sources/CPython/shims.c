#include "pyrometer_cpython.h"

#ifndef PYROMETER_PYTHON_EXECUTABLE
#define PYROMETER_PYTHON_EXECUTABLE "python3"
#endif
#ifndef PYROMETER_SOURCE_ROOT
#define PYROMETER_SOURCE_ROOT "."
#endif

const char *pyro_build_python_executable(void) { return PYROMETER_PYTHON_EXECUTABLE; }
const char *pyro_source_root(void) { return PYROMETER_SOURCE_ROOT; }
unsigned long pyro_version_hex(void) { return PY_VERSION_HEX; }

__thread void *pyro_thread_slot_storage __attribute__((tls_model("initial-exec"))) = NULL;
void *pyro_line_state_storage = NULL;
void *pyro_memory_state_storage = NULL;
__thread int pyro_in_allocator_storage __attribute__((tls_model("initial-exec"))) = 0;

// One module per process is enough: the engine's `_pyrometer`.
static PyModuleDef pyro_module_def = { PyModuleDef_HEAD_INIT };

PyObject *pyro_module_create(const char *name, const char *doc, PyMethodDef *methods) {
    pyro_module_def.m_name = name;
    pyro_module_def.m_doc = doc;
    pyro_module_def.m_size = -1;
    pyro_module_def.m_methods = methods;
    return PyModule_Create(&pyro_module_def);
}

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

// A thread's records are freed by a TLS destructor when the thread ends; the
// fast slot is a plain __thread pointer beside it.
static pthread_key_t thread_slot_key;
static pthread_once_t thread_slot_once = PTHREAD_ONCE_INIT;
static void (*thread_slot_release)(void *);
static void release_thread_slot(void *value) {
    pyro_thread_slot_storage = NULL;
    if (thread_slot_release) { thread_slot_release(value); }
}
static void create_thread_slot_key(void) { pthread_key_create(&thread_slot_key, release_thread_slot); }

void pyro_set_thread_slot(void *value, void (*release)(void *)) {
    pthread_once(&thread_slot_once, create_thread_slot_key);
    thread_slot_release = release;
    pthread_setspecific(thread_slot_key, value);
    pyro_thread_slot_storage = value;
}

#include <sched.h>
#include <time.h>

void pyro_lock_with_backoff(int *lock) {
    for (unsigned attempt = 0; __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE); attempt++) {
        while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
            if (attempt < 64) {
#if defined(__x86_64__)
                __builtin_ia32_pause();
#endif
            } else if (attempt < 256) {
                sched_yield();
            } else {
                struct timespec pause = { 0, 50000 };
                nanosleep(&pause, NULL);
            }
            attempt++;
        }
    }
}

static int *fork_guarded_lock;
static void lock_before_fork(void) { if (fork_guarded_lock) { pyro_lock_with_backoff(fork_guarded_lock); } }
static void unlock_after_fork(void) { if (fork_guarded_lock) { pyro_unlock(fork_guarded_lock); } }

void pyro_guard_lock_across_fork(int *lock) {
    if (fork_guarded_lock == NULL) {
        fork_guarded_lock = lock;
        pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
    }
}

// /proc/self/statm, opened once per process: a forked child opens its own
// (the parent's descriptor would go on describing the parent).
static int statm_fd = -1;
static pthread_once_t statm_once = PTHREAD_ONCE_INIT;
static void forget_statm_in_child(void) {
    if (statm_fd >= 0) { close(statm_fd); }
    statm_fd = -1;
}
static void watch_forks_for_statm(void) { pthread_atfork(NULL, NULL, forget_statm_in_child); }

uint64_t pyro_resident_bytes(void) {
    if (statm_fd < 0) {
        pthread_once(&statm_once, watch_forks_for_statm);
        statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    }
    int fd = statm_fd;
    if (fd < 0) { return 0; }
    char buffer[128];
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) { return 0; }
    buffer[n] = 0;
    unsigned long long size = 0, resident = 0;
    if (sscanf(buffer, "%llu %llu", &size, &resident) != 2) { return 0; }
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

#include <sys/vfs.h>
#include <linux/magic.h>

int pyro_is_kernel_filesystem(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) { return 0; }
    return info.f_type == PROC_SUPER_MAGIC || info.f_type == SYSFS_MAGIC || info.f_type == DEBUGFS_MAGIC
        || info.f_type == CGROUP_SUPER_MAGIC || info.f_type == CGROUP2_SUPER_MAGIC;
}
