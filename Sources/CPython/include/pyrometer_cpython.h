// Python.h for Swift, and one-line shims for what Swift cannot import:
// function-like macros, macro objects, PY_VERSION_HEX, PyModuleDef_HEAD_INIT.
// Everything that differs between CPython versions is declared at the bottom
// ("the version boundary") and implemented in frames.c, objects.c and code.c;
// nothing else in the engine tests a version.
#ifndef PYROMETER_CPYTHON_H
#define PYROMETER_CPYTHON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

// Py_None / Py_True / Py_False are macros over private singletons.
static inline PyObject *pyro_none(void) { return Py_None; }
static inline PyObject *pyro_true(void) { return Py_True; }
static inline PyObject *pyro_false(void) { return Py_False; }
// Py_TYPE is a macro (an inline function on some versions).
static inline PyTypeObject *pyro_type(PyObject *o) { return Py_TYPE(o); }
// Exception type objects are mutable C globals, which Swift 6 will not read.
static inline void pyro_set_runtime_error(const char *message) { PyErr_SetString(PyExc_RuntimeError, message); }
static inline void pyro_set_import_error(const char *message) { PyErr_SetString(PyExc_ImportError, message); }
static inline void pyro_set_value_error(const char *message) { PyErr_SetString(PyExc_ValueError, message); }
static inline void pyro_set_type_error(const char *message) { PyErr_SetString(PyExc_TypeError, message); }
// Raises SystemExit(code), as sys.exit(code) would.
static inline void pyro_set_system_exit(long code) {
    PyObject *value = PyLong_FromLong(code);
    if (value) { PyErr_SetObject(PyExc_SystemExit, value); Py_DECREF(value); }
}
// Type checks are macros.
static inline int pyro_is_code(PyObject *o) { return PyCode_Check(o); }
static inline int pyro_is_function(PyObject *o) { return PyFunction_Check(o); }
static inline int pyro_is_unicode(PyObject *o) { return PyUnicode_Check(o); }
static inline int pyro_is_long(PyObject *o) { return PyLong_Check(o); }
static inline int pyro_is_tuple(PyObject *o) { return PyTuple_Check(o); }
static inline int pyro_is_type(PyObject *o) { return PyType_Check(o); }
static inline int pyro_is_list(PyObject *o) { return PyList_Check(o); }
static inline int pyro_is_module(PyObject *o) { return PyModule_Check(o); }
static inline Py_ssize_t pyro_refcnt(PyObject *o) { return Py_REFCNT(o); }
static inline PyObject *pyro_list_item(PyObject *l, Py_ssize_t i) { return PyList_GET_ITEM(l, i); }
static inline Py_ssize_t pyro_list_size(PyObject *l) { return PyList_GET_SIZE(l); }
// Whether the collector handles this object (PyObject_IS_GC, inlined): a GC type,
// and for types such as `type`, not one of the static instances.
static inline int pyro_object_is_gc(PyObject *o) {
    PyTypeObject *t = Py_TYPE(o);
    return PyType_IS_GC(t) && (t->tp_is_gc == NULL || t->tp_is_gc(o));
}
// The C function behind a method descriptor that takes no arguments (such as most
// types' __sizeof__), or NULL for anything else.
static inline PyCFunction pyro_noargs_method(PyObject *descriptor) {
    if (descriptor == NULL || !Py_IS_TYPE(descriptor, &PyMethodDescr_Type)) { return NULL; }
    PyMethodDef *def = ((PyMethodDescrObject *)descriptor)->d_method;
    return (def->ml_flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS)) == METH_NOARGS
        ? def->ml_meth : NULL;
}
// PyTuple_GET_ITEM / PyTuple_GET_SIZE are macros.
static inline PyObject *pyro_tuple_item(PyObject *t, Py_ssize_t i) { return PyTuple_GET_ITEM(t, i); }
static inline Py_ssize_t pyro_tuple_size(PyObject *t) { return PyTuple_GET_SIZE(t); }

// A monotonic tick counter for the hot path: the TSC where it is constant-rate
// (x86_64), else CLOCK_MONOTONIC in nanoseconds. Ticks are converted to
// nanoseconds once, when results are built.
static inline uint64_t pyro_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static inline uint64_t pyro_ticks(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return pyro_monotonic_ns();
#endif
}

// Py_None as a new reference, inlined (Py_INCREF is a macro / inline function).
static inline PyObject *pyro_none_new(void) { Py_INCREF(Py_None); return Py_None; }

// One pointer per OS thread for the hot path's per-thread records. initial-exec
// TLS is a single load, also inside a shared library.
extern __thread void *pyro_thread_slot_storage __attribute__((tls_model("initial-exec")));
static inline void *pyro_thread_slot(void) { return pyro_thread_slot_storage; }
// Sets this thread's records; `release` frees them when the thread ends.
void pyro_set_thread_slot(void *value, void (*release)(void *));
// Whether `path` is on a kernel interface (procfs, sysfs, debugfs, cgroupfs),
// where files cannot be made or written as results.
int pyro_is_kernel_filesystem(const char *path);

// The collectors' state blocks, reachable from the hot path with one load (a
// Swift global would be checked for lazy initialisation on every access).
extern void *pyro_line_state_storage;
extern void *pyro_memory_state_storage;
static inline void *pyro_line_state(void) { return pyro_line_state_storage; }
static inline void *pyro_memory_state(void) { return pyro_memory_state_storage; }
static inline void pyro_set_collector_states(void *lines, void *memory) {
    pyro_line_state_storage = lines;
    pyro_memory_state_storage = memory;
}
// The running line session's block (an idle one between sessions).
static inline void pyro_set_line_state(void *lines) { pyro_line_state_storage = lines; }

// Set while a wrapped allocator calls the allocator it wraps: pymalloc hands
// large blocks to the raw domain, which must not count them a second time.
extern __thread int pyro_in_allocator_storage __attribute__((tls_model("initial-exec")));
static inline int pyro_in_allocator(void) { return pyro_in_allocator_storage; }
static inline void pyro_set_in_allocator(int value) { pyro_in_allocator_storage = value; }

// Facts fixed when the package was built (see Package.swift).
const char *pyro_build_python_executable(void);
const char *pyro_source_root(void);
unsigned long pyro_version_hex(void);

// Module creation needs PyModuleDef_HEAD_INIT and static storage for the def.
PyObject *pyro_module_create(const char *name, const char *doc, PyMethodDef *methods);

// The queue of GIL-less allocation events: a flag read without the lock, and
// a lock that backs off (pause, then yield, then sleep) instead of spinning hot.
static inline int pyro_atomic_load(int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void pyro_atomic_store(int *p, int value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }
void pyro_lock_with_backoff(int *lock);
static inline void pyro_unlock(int *lock) { __atomic_store_n(lock, 0, __ATOMIC_RELEASE); }

// Holds `lock` across fork(), so a child never inherits it taken by a thread
// that does not exist in the child. Registered once.
void pyro_guard_lock_across_fork(int *lock);

// The process's resident set size in bytes (/proc/self/statm), 0 if unknown.
uint64_t pyro_resident_bytes(void);

// numpy's data allocator (NEP 49): the layout of PyDataMem_Handler, which numpy
// publishes in a capsule named "mem_handler".
typedef struct {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
} pyro_numpy_allocator;
typedef struct {
    char name[127];
    uint8_t version;
    pyro_numpy_allocator allocator;
} pyro_numpy_handler;

// ---- sampler.c: pyrometer sample's collection ----
// A ticker thread sends SIGPROF to the Python threads due a sample; the handler
// copies its own thread's frame chain into that thread's ring (no call, no
// allocation); the engine reads the rings holding the GIL.
#define PYRO_SAMPLER_MAX_THREADS 256
#define PYRO_SAMPLE_MAX_DEPTH 128
#define PYRO_SAMPLE_HELD_GIL 1u
#define PYRO_SAMPLE_TRUNCATED 2u
typedef struct {
    uint32_t flags;          // PYRO_SAMPLE_*
    int depth;               // frames, innermost first
    uint64_t weight_ns;      // the time the sample stands for
    uint64_t destroy_count;  // code objects destroyed before it was taken
    uint64_t time_ns;        // monotonic
    const uint64_t *frames;  // (code object, instruction offset) per frame
} pyro_sample_t;
typedef void (*pyro_sample_fn)(void *context, int thread, const pyro_sample_t *sample);
typedef struct { uint64_t expected, sent, received, torn, full, cpu_ns; } pyro_sampler_thread_counts_t;
typedef struct { uint64_t ticks, late, lowered, period_ns; } pyro_sampler_totals_t;
// Installs the SIGPROF handler (putting back the previous one on uninstall).
int pyro_sampler_install(void);
void pyro_sampler_uninstall(void);
// A Python thread to sample: its state, OS thread id and pthread id. Returns its
// slot (-1 when all are taken). Retire (stop sampling, wait for a handler
// running), drain, then release (free its ring).
int pyro_sampler_add_thread(void *tstate, long tid, unsigned long ident);
void pyro_sampler_retire_thread(int slot);
void pyro_sampler_release_thread(int slot);
// The state a slot samples, NULL unless active.
void *pyro_sampler_thread_state(int slot);
void pyro_sampler_thread_counts(int slot, pyro_sampler_thread_counts_t *out);
// Starts the ticker at `rate` per second: `every_tick` samples every thread at
// every tick (else a thread when it used an interval of CPU time), each sample
// standing for an interval of wall time (`wall_weight`) or the thread's CPU time
// since its previous sample; stops by itself after `duration` seconds (> 0).
int pyro_sampler_start(double rate, int every_tick, int wall_weight, double duration);
void pyro_sampler_stop(void);
void pyro_sampler_forget_after_fork(void);
void pyro_sampler_totals(pyro_sampler_totals_t *out);
// Whether a ring holds samples; reads them all, oldest first per thread.
int pyro_sampler_pending(void);
long pyro_sampler_drain(pyro_sample_fn each, void *context);
// Code objects destroyed so far, as counted by note (holding the GIL, after the
// samples taken before were read); whether `code` was destroyed since the count
// was `since` (1 also when too many went away to tell).
uint64_t pyro_sampler_destroy_count(void);
void pyro_sampler_note_code_destroyed(PyObject *code);
int pyro_sampler_code_destroyed_since(PyObject *code, uint64_t since);

// ---- The version boundary -------------------------------------------------
// Grouped by subject, each group implemented in the .c file its heading names.
// No CPython struct field, frame offset or private C-API name is used outside
// this target: Swift reaches them through the functions below.

// ---- frames.c: the interpreter's frames ----

// Whether the calling thread holds the GIL. On 3.11 the "current" thread state
// is the GIL holder's, whoever asks, so it is compared with the caller's own.
// No call into the interpreter, no allocation: safe inside an allocator hook.
int pyro_thread_holds_gil(void);

// Where the running thread is: the code object and instruction offset (in code
// units) of its innermost Python frame. Returns 0 when the thread runs no Python
// (or does not hold the GIL). Reads the interpreter's frames directly: no calls,
// no allocation, safe inside an allocator hook.
int pyro_current_location(PyObject **code, int *offset);
// The same for up to `capacity` frames, innermost first; returns how many.
// `*cut` is set when more frames were left out (outermost ones).
int pyro_current_stack(PyObject **codes, int *offsets, int capacity, int *cut);
// Visits the objects held by the live frames of every thread (their locals,
// cells, function, globals, builtins and f_locals), for frames owned by a thread
// (generator frames are visited through their generator).
int pyro_visit_thread_frames(visitproc visit, void *arg);
// Calls `each(code, local_name, value, line, arg)` for every bound local of every
// live thread frame, innermost frame first per thread.
typedef void (*pyro_frame_local_fn)(PyObject *code, PyObject *name, PyObject *value, int line, void *arg);
void pyro_each_frame_local(pyro_frame_local_fn each, void *arg);

// The running thread's C-level trace function and its object (what
// PyEval_SetTrace or sys.settrace installed), or NULLs: so that one set before
// pyrometer's, or by the program meanwhile, is chained to and put back.
void pyro_thread_trace(Py_tracefunc *function, PyObject **object);

// The sampler (sampler.c) reads a thread's frames from a SIGPROF handler
// running on that thread: loads only, no call, no allocation.
// Remembers where CPython keeps each thread's own state (call holding the GIL).
void pyro_prepare_own_thread_state(void);
// The calling thread's own state (NULL for a thread that runs no Python),
// whether or not it holds the GIL.
void *pyro_own_thread_state(void);
// Whether `tstate`, the calling thread's own state, holds the GIL now.
int pyro_thread_state_holds_gil(void *tstate);
// A thread state's OS thread id (threading.get_native_id) and pthread id
// (threading.get_ident).
unsigned long pyro_thread_state_native_id(PyThreadState *tstate);
unsigned long pyro_thread_state_ident(PyThreadState *tstate);
// Longest frame chain followed before a stack is taken for garbage.
#define PYRO_SAMPLE_MAX_WALK 4096
// Copies (code object, instruction offset) of up to `capacity` frames of
// `tstate` (the calling thread's own), innermost first, into `words` (two per
// frame). Returns how many, or -1 for a torn stack: a frame whose code is not a
// code object, an offset outside its code, a chain too long or one that moved
// while read. `*truncated` is set when outer frames were left out.
int pyro_copy_thread_stack(void *tstate, uint64_t *words, int capacity, int *truncated);
// Called (holding the GIL) as a code object is destroyed: on 3.11, where a frame
// is cleared before it stops being the current one, remembers the frame so that a
// sample does not read the code through it (a no-op from 3.12).
void pyro_note_code_dying(PyObject *code);

// 3.11 frame objects, as the C trace function sees them. The accessors below
// read them without a call, through byte offsets fixed when frames.c was
// compiled (zero on other versions, where no trace function is installed).
typedef struct {
    ptrdiff_t lineno;        // int   PyFrameObject.f_lineno
    ptrdiff_t trace_lines;   // char  PyFrameObject.f_trace_lines
    ptrdiff_t interp_frame;  // ptr   PyFrameObject.f_frame
    ptrdiff_t frame_code;    // ptr   _PyInterpreterFrame.f_code
} pyro_trace_frame_layout;
extern const pyro_trace_frame_layout pyro_trace_layout;
// The line a traced frame is at (f_lineno).
static inline int pyro_trace_frame_lineno(void *frame) {
    return *(const int *)((const char *)frame + pyro_trace_layout.lineno);
}
// The code object a traced frame runs (borrowed).
static inline void *pyro_trace_frame_code(void *frame) {
    const char *interpreter_frame = *(char *const *)((const char *)frame + pyro_trace_layout.interp_frame);
    return *(void *const *)(interpreter_frame + pyro_trace_layout.frame_code);
}
// Stops line events for a traced frame (f_trace_lines = 0).
static inline void pyro_trace_frame_silence_lines(void *frame) {
    *((char *)frame + pyro_trace_layout.trace_lines) = 0;
}

// ---- objects.c: objects, types and the heap census ----

// A small int's value without a call (compact longs, 3.12+); PyLong_AsLong before.
static inline long pyro_small_long(PyObject *o) {
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Long_IsCompact((PyLongObject *)o)) {
        return (long)PyUnstable_Long_CompactValue((PyLongObject *)o);
    }
#endif
    return PyLong_AsLong(o);
}
// Whether the collector tracks `o`, inlined for the census: on 3.11-3.13 (GIL
// builds) the GC header sits right before the object and its first word is
// non-zero exactly while the object is tracked (checked in objects.c).
static inline int pyro_is_tracked(PyObject *o) {
    return pyro_object_is_gc(o) && ((const uintptr_t *)o)[-2] != 0;
}
// Immortal objects (3.12+) may be tracked yet missing from gc.get_objects() (the
// MROs of static types on 3.12): the census dedupes them with its set instead.
static inline int pyro_is_immortal(PyObject *o) {
#if PY_VERSION_HEX >= 0x030C0000
    return _Py_IsImmortal(o);
#else
    (void)o;
    return 0;
#endif
}
// Whether the census can look inside `o` with its type's tp_traverse: a GC
// object whose type has one.
static inline int pyro_can_traverse(PyObject *o) {
    return pyro_object_is_gc(o) && Py_TYPE(o)->tp_traverse != NULL;
}
// Calls the tp_traverse of `o`'s type (pyro_can_traverse(o) must hold).
static inline int pyro_traverse(PyObject *o, visitproc visit, void *arg) {
    return Py_TYPE(o)->tp_traverse(o, visit, arg);
}
// Calls `each` for every object of the collector's generations, in place: what
// gc.get_objects() lists, without the list. The collector must be disabled and
// no Python code may run until it returns.
int pyro_visit_gc_objects(visitproc each, void *arg);
// A type's tp_name (for a type without __qualname__).
static inline const char *pyro_type_name(PyTypeObject *type) { return type->tp_name; }
// `name` looked up along the MRO of `type` without calling a descriptor
// (_PyType_Lookup); a borrowed reference, or NULL.
PyObject *pyro_type_lookup(PyTypeObject *type, PyObject *name);
// sys.getsizeof(o), or -1 with the error cleared.
Py_ssize_t pyro_getsizeof(PyObject *o);
// o.__sizeof__() computed without a call for the commonest exact types (dict,
// int); -1 for any other object.
Py_ssize_t pyro_fast_sizeof(PyObject *o);
// Whether `type`'s __sizeof__ is object.__sizeof__ itself (not overridden).
int pyro_has_object_sizeof(PyTypeObject *type);
// object.__sizeof__(o) without the call: the basic size, plus ob_size items
// for a type with an item size (what object___sizeof__ computes on 3.11-3.13).
static inline Py_ssize_t pyro_object_sizeof(PyObject *o) {
    PyTypeObject *type = Py_TYPE(o);
    Py_ssize_t size = type->tp_basicsize;
    if (type->tp_itemsize > 0) { size += Py_SIZE(o) * type->tp_itemsize; }
    return size;
}
// The commonest objects of a big heap, counted in bulk: dicts of records held
// only by a list (exact dict, untracked, one reference, str keys in one table),
// with their int values held only by them. The census adds these to its tally.
typedef struct {
    Py_ssize_t dicts, dict_bytes;  // count, and bytes by __sizeof__
    PyObject *dict_sample;         // the first one, to learn the type's size overhead
    Py_ssize_t ints, int_bytes;
    PyObject *int_sample;
} pyro_bulk_tally;
// Visits the items of an exact list or tuple as tp_traverse would, except that
// plain private dicts are counted into `tally` with their private int values
// (their keys and other values still go to `visit`). Returns 0 for any other
// object (nothing visited).
int pyro_visit_items_counting(PyObject *o, pyro_bulk_tally *tally, visitproc visit, void *arg);
// For an exact dict with str keys in one table (the commonest dict): visits each
// key and value in one pass and returns 1; 0 for any other object.
int pyro_visit_plain_dict(PyObject *o, visitproc visit, void *arg);
// Visits the references of `o` that its tp_traverse does not show:
// - a dict's keys when they are all str (tp_traverse then visits only values);
// - a code object's constants, names, tables and cached attributes (code objects
//   are not GC types, and have no tp_traverse);
// - a type's name, qualified name and __slots__ (heap types), or its dict, MRO
//   and bases (static types);
// - on 3.13, an instance's materialised __dict__ while its values still live in
//   the instance: passed to `shallow`, as the values it holds are the instance's
//   own (already visited) and must not be visited twice.
int pyro_visit_hidden(PyObject *o, visitproc visit, visitproc shallow, void *arg);
// Whether `type` is called `name` (`length` bytes of UTF-8): its __name__, or,
// with `qualified`, "__module__.__name__" (just __name__ when it has no true
// __module__), read from the type without running Python.
int pyro_type_is_named(PyTypeObject *type, const char *name, size_t length, int qualified);
// The address of the block an object was allocated in (before its GC header and
// other pre-header fields), for looking up where it was allocated.
void *pyro_allocation_base(PyObject *o);
// Takes the raised exception (normalized), clearing the error indicator; NULL if none.
PyObject *pyro_take_exception(void);
// Makes `exception` the raised exception again (steals the reference).
void pyro_restore_exception(PyObject *exception);

// ---- code.c: code objects ----

// Per-code-object scratch slot (co_extra): _PyCode_* on 3.11, PyUnstable_* after.
Py_ssize_t pyro_code_extra_index(void);
void *pyro_code_get_extra(PyObject *code, Py_ssize_t index);
int pyro_code_set_extra(PyObject *code, Py_ssize_t index, void *value);
// True where sys.monitoring and code watchers exist (3.12+).
int pyro_has_monitoring(void);
// Code watchers (3.12+). Returns the watcher id, or -1 where unsupported.
typedef void (*pyro_code_created_fn)(PyObject *code);
int pyro_watch_code_creation(pyro_code_created_fn callback);
void pyro_unwatch_code_creation(int watcher);
// Code objects being destroyed: `callback(code)` runs holding the GIL before
// the object's memory is released (a code watcher on 3.12+, a wrapper of
// PyCode_Type's tp_dealloc on 3.11). Returns a handle for unwatching, or -1.
typedef void (*pyro_code_destroyed_fn)(PyObject *code);
int pyro_watch_code_destruction(pyro_code_destroyed_fn callback);
void pyro_unwatch_code_destruction(int watcher);
// Whether a pointer the sampler has not named yet looks like a code object (its
// type, str name and file).
int pyro_code_looks_alive(PyObject *code);
// The source line of the instruction at `offset` (in code units) of a code object.
int pyro_code_line(PyObject *code, int offset);
// A code object's file name, qualified name (borrowed) and first line: what
// names an allocation site without holding the code object.
static inline PyObject *pyro_code_filename(PyObject *code) { return ((PyCodeObject *)code)->co_filename; }
static inline PyObject *pyro_code_qualname(PyObject *code) { return ((PyCodeObject *)code)->co_qualname; }
static inline int pyro_code_first_line(PyObject *code) { return ((PyCodeObject *)code)->co_firstlineno; }

#endif
