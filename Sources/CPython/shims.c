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

static int *fork_guarded_lock;
static void lock_before_fork(void) { if (fork_guarded_lock) { pyro_spin_lock(fork_guarded_lock); } }
static void unlock_after_fork(void) { if (fork_guarded_lock) { pyro_spin_unlock(fork_guarded_lock); } }

void pyro_guard_lock_across_fork(int *lock) {
    if (fork_guarded_lock == NULL) {
        fork_guarded_lock = lock;
        pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
    }
}

uint64_t pyro_resident_bytes(void) {
    static int fd = -1;
    if (fd < 0) { fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC); }
    if (fd < 0) { return 0; }
    char buffer[128];
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) { return 0; }
    buffer[n] = 0;
    unsigned long long size = 0, resident = 0;
    if (sscanf(buffer, "%llu %llu", &size, &resident) != 2) { return 0; }
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}
