// The version boundary, frames: walking the interpreter's frame stack, and the
// layout of 3.11 frame objects for the trace function. Each version difference
// sits in one accessor below; the walks above them name no version.
#include "boundary.h"
#include <internal/pycore_frame.h>
#include <internal/pycore_runtime.h>  // _PyRuntime: the key of each thread's own state
#include <pthread.h>

// ---- Accessors ----

// 3.11 frame objects, read by the trace function inlined from the header.
#if PY_VERSION_HEX < 0x030C0000
const pyro_trace_frame_layout pyro_trace_layout = {
    .lineno = offsetof(PyFrameObject, f_lineno),
    .trace_lines = offsetof(PyFrameObject, f_trace_lines),
    .interp_frame = offsetof(PyFrameObject, f_frame),
    .frame_code = offsetof(_PyInterpreterFrame, f_code),
};
#else
const pyro_trace_frame_layout pyro_trace_layout = {0, 0, 0, 0};
#endif

// The running thread's state, or NULL; never fails.
static inline PyThreadState *current_thread_state(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();
#else
    return _PyThreadState_UncheckedGet();
#endif
}

// The calling thread's state while it holds the GIL, else NULL. From 3.12 the
// current thread state is per thread and NULL while the GIL is released; on 3.11
// it is the GIL holder's, whoever asks, so it is compared with the caller's own.
static inline PyThreadState *gil_holding_thread_state(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return current_thread_state();
#else
    PyThreadState *holder = current_thread_state();
    return holder != NULL && holder == PyGILState_GetThisThreadState() ? holder : NULL;
#endif
}

int pyro_thread_holds_gil(void) { return gil_holding_thread_state() != NULL; }

// The innermost Python frame of a thread.
static inline _PyInterpreterFrame *thread_innermost_frame(PyThreadState *tstate) {
#if PY_VERSION_HEX >= 0x030D0000
    return tstate->current_frame;
#else
    return tstate->cframe ? tstate->cframe->current_frame : NULL;
#endif
}

// A frame the interpreter pushes for its C entry (3.12+), which runs no code of
// its own.
static inline int frame_is_c_stack_shim(_PyInterpreterFrame *frame) {
#if PY_VERSION_HEX >= 0x030C0000
    return frame->owner == FRAME_OWNED_BY_CSTACK;
#else
    (void)frame;
    return 0;
#endif
}

// Whether a frame's storage belongs to a thread (not to a generator or a frame
// object, nor to the interpreter).
static inline int frame_is_thread_owned(_PyInterpreterFrame *frame) {
    return frame->owner == FRAME_OWNED_BY_THREAD;
}

// A frame's code object; NULL for a frame that runs none (3.13's shim frames).
static inline PyCodeObject *frame_code(_PyInterpreterFrame *frame) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *executable = frame->f_executable;
    return executable != NULL && PyCode_Check(executable) ? (PyCodeObject *)executable : NULL;
#else
    return frame->f_code;
#endif
}

// The offset, in code units, of the instruction a frame is at.
static inline int frame_instr_offset(_PyInterpreterFrame *frame, PyCodeObject *code) {
#if PY_VERSION_HEX >= 0x030D0000
    return (int)(frame->instr_ptr - _PyCode_CODE(code));
#else
    return (int)(frame->prev_instr - _PyCode_CODE(code));
#endif
}

// The function a frame runs (a borrowed reference).
static inline PyObject *frame_function(_PyInterpreterFrame *frame) {
#if PY_VERSION_HEX >= 0x030C0000
    return frame->f_funcobj;
#else
    return (PyObject *)frame->f_func;
#endif
}

// Local (or cell, or free variable) `i` of a frame, NULL while unbound (borrowed).
static inline PyObject *frame_local(_PyInterpreterFrame *frame, int i) {
    return frame->localsplus[i];
}

// ---- Walks ----

static inline int frame_location(_PyInterpreterFrame *frame, PyObject **code, int *offset) {
    if (frame_is_c_stack_shim(frame)) { return 0; }
    PyCodeObject *co = frame_code(frame);
    if (co == NULL) { return 0; }
    *code = (PyObject *)co;
    *offset = frame_instr_offset(frame, co);
    return 1;
}

static inline _PyInterpreterFrame *innermost_frame(void) {
    // Without the GIL the frames would be another thread's, or changing under us.
    PyThreadState *tstate = gil_holding_thread_state();
    return tstate ? thread_innermost_frame(tstate) : NULL;
}

int pyro_current_location(PyObject **code, int *offset) {
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL; frame = frame->previous) {
        if (frame_location(frame, code, offset)) { return 1; }
    }
    return 0;
}

int pyro_current_stack(PyObject **codes, int *offsets, int capacity, int *cut) {
    int count = 0;
    *cut = 0;
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL; frame = frame->previous) {
        PyObject *code;
        int offset;
        if (!frame_location(frame, &code, &offset)) { continue; }
        if (count == capacity) {
            *cut = 1;
            break;
        }
        codes[count] = code;
        offsets[count] = offset;
        count++;
    }
    return count;
}

// Calls `each` for every frame whose locals belong to a thread (not to a
// generator or a frame object), in every thread, innermost first; stops at the
// first non-zero answer.
static int each_thread_frame(int (*each)(_PyInterpreterFrame *, void *), void *arg) {
    PyInterpreterState *interp = PyInterpreterState_Get();
    for (PyThreadState *tstate = PyInterpreterState_ThreadHead(interp); tstate != NULL; tstate = PyThreadState_Next(tstate)) {
        for (_PyInterpreterFrame *frame = thread_innermost_frame(tstate); frame != NULL; frame = frame->previous) {
            if (!frame_is_thread_owned(frame) || frame_code(frame) == NULL) { continue; }
            int stop = each(frame, arg);
            if (stop) { return stop; }
        }
    }
    return 0;
}

typedef struct { visitproc visit; void *arg; } frame_visit;

static int visit_frame(_PyInterpreterFrame *frame, void *context) {
    visitproc visit = ((frame_visit *)context)->visit;
    void *arg = ((frame_visit *)context)->arg;
    // The frame object made for it (sys._getframe(), a traceback) does not show
    // the frame's locals: they are visited here.
    Py_VISIT((PyObject *)frame->frame_obj);
    Py_VISIT(frame_function(frame));
    Py_VISIT(frame->f_globals);
    Py_VISIT(frame->f_builtins);
    Py_VISIT(frame->f_locals);
    PyCodeObject *code = frame_code(frame);
    for (int i = 0; i < code->co_nlocalsplus; i++) { Py_VISIT(frame_local(frame, i)); }
    return 0;
}

int pyro_visit_thread_frames(visitproc visit, void *arg) {
    frame_visit context = { visit, arg };
    return each_thread_frame(visit_frame, &context);
}

typedef struct { pyro_frame_local_fn each; void *arg; } frame_locals;

static int report_frame_locals(_PyInterpreterFrame *frame, void *context) {
    frame_locals *locals = context;
    PyObject *code = NULL;
    int offset = 0;
    int line = frame_location(frame, &code, &offset) ? pyro_code_line(code, offset) : 0;
    PyCodeObject *co = frame_code(frame);
    for (int i = 0; i < co->co_nlocalsplus; i++) {
        PyObject *value = frame_local(frame, i);
        if (value != NULL) { locals->each((PyObject *)co, PyTuple_GET_ITEM(co->co_localsplusnames, i), value, line, locals->arg); }
    }
    return 0;
}

void pyro_each_frame_local(pyro_frame_local_fn each, void *arg) {
    frame_locals context = { each, arg };
    each_thread_frame(report_frame_locals, &context);
}

void pyro_thread_trace(Py_tracefunc *function, PyObject **object) {
    PyThreadState *tstate = current_thread_state();
    *function = tstate ? tstate->c_tracefunc : NULL;
    *object = tstate ? tstate->c_traceobj : NULL;
}

// ---- The sampler's view of a thread (sampler.c) ----
// Read from a SIGPROF handler on the sampled thread itself: no call into the
// interpreter, no allocation, nothing but loads.

static pthread_key_t own_thread_state_key;
static int own_thread_state_key_known;

// The key of the TLS slot in which CPython keeps each thread's own state (the
// one PyGILState_GetThisThreadState reads): set for every thread that runs
// Python, whether or not it holds the GIL.
void pyro_prepare_own_thread_state(void) {
#if PY_VERSION_HEX >= 0x030C0000
    own_thread_state_key = _PyRuntime.autoTSSkey._key;
#else
    own_thread_state_key = _PyRuntime.gilstate.autoTSSkey._key;
#endif
    own_thread_state_key_known = 1;
}

void *pyro_own_thread_state(void) {
    return own_thread_state_key_known ? pthread_getspecific(own_thread_state_key) : NULL;
}

// Whether `tstate`, the calling thread's own state, holds the GIL. 3.11 keeps
// the holder's state in the runtime; from 3.12 a thread's current state is
// cleared while it has let the GIL go.
int pyro_thread_state_holds_gil(void *tstate) {
    return tstate != NULL && current_thread_state() == (PyThreadState *)tstate;
}

unsigned long pyro_thread_state_native_id(PyThreadState *tstate) { return tstate->native_thread_id; }
unsigned long pyro_thread_state_ident(PyThreadState *tstate) { return tstate->thread_id; }

// A code object's size in code units: an instruction offset past it is not one
// of its instructions.
static inline Py_ssize_t code_units(PyCodeObject *code) { return Py_SIZE(code); }

// On 3.11 a returning frame is cleared (its code released) before the thread's
// current frame moves to its caller: for a few instructions the innermost frame
// may name a code object already freed. The code-destruction hook remembers, per
// thread, the frame whose code it saw die; a sample finding that frame innermost
// with that code is torn. (From 3.12 the current frame moves first.)
static __thread struct { void *frame; void *code; } dying_frame __attribute__((tls_model("initial-exec")));

void pyro_note_code_dying(PyObject *code) {
#if PY_VERSION_HEX < 0x030C0000
    PyThreadState *tstate = gil_holding_thread_state();
    _PyInterpreterFrame *frame = tstate ? thread_innermost_frame(tstate) : NULL;
    if (frame != NULL && (PyObject *)frame->f_code == code) {
        dying_frame.frame = frame;
        dying_frame.code = code;
    }
#else
    (void)code;
#endif
}

// The innermost frame of a thread interrupted anywhere. On 3.11 a call from C
// into Python publishes its C frame (tstate->cframe) before setting the frame's
// current Python frame: until then `current_frame` is whatever the stack held. A
// chain that does not lead to the current frame of the C frame before it is not
// linked yet, and the thread is still in that one.
static inline _PyInterpreterFrame *sampled_innermost_frame(PyThreadState *tstate) {
#if PY_VERSION_HEX < 0x030C0000
    _PyCFrame *cframe = tstate->cframe;
    if (cframe == NULL) { return NULL; }
    _PyInterpreterFrame *frame = cframe->current_frame;
    _PyInterpreterFrame *outer = cframe->previous ? cframe->previous->current_frame : NULL;
    if (outer == NULL || frame == outer) { return frame; }
    int steps = 0;
    for (_PyInterpreterFrame *f = frame; f != NULL && ++steps <= PYRO_SAMPLE_MAX_WALK; f = f->previous) {
        if (f == outer) { return frame; }
    }
    return outer;
#else
    return thread_innermost_frame(tstate);
#endif
}

int pyro_copy_thread_stack(void *state, uint64_t *words, int capacity, int *truncated) {
    PyThreadState *tstate = state;
    *truncated = 0;
    _PyInterpreterFrame *innermost = sampled_innermost_frame(tstate);
    int count = 0;
    int steps = 0;
    for (_PyInterpreterFrame *frame = innermost; frame != NULL; frame = frame->previous) {
        // A chain longer than any real stack is a cycle or garbage.
        if (++steps > PYRO_SAMPLE_MAX_WALK) { return -1; }
        if (frame_is_c_stack_shim(frame)) { continue; }
#if PY_VERSION_HEX >= 0x030D0000
        PyObject *executable = frame->f_executable;
        if (executable == NULL) { return -1; }
        if (Py_TYPE(executable) != &PyCode_Type) { continue; }  // 3.13's frames that run no code
        PyCodeObject *code = (PyCodeObject *)executable;
#else
        PyCodeObject *code = frame->f_code;
        if (frame == innermost && frame == dying_frame.frame && (void *)code == dying_frame.code) { return -1; }
        if (code == NULL || Py_TYPE(code) != &PyCode_Type) { return -1; }
#endif
        int offset = frame_instr_offset(frame, code);
        if (offset < 0) { offset = 0; }  // 3.11: a frame that has not started yet
        if (offset > code_units(code)) { return -1; }
        if (count == capacity) {
            *truncated = 1;
            continue;
        }
        words[2 * count] = (uint64_t)(uintptr_t)code;
        words[2 * count + 1] = (uint64_t)offset;
        count++;
    }
    // The chain is read again: a different innermost frame means it moved meanwhile.
    if (sampled_innermost_frame(tstate) != innermost) { return -1; }
    return count;
}
