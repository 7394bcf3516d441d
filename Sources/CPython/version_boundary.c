// Everything that differs between the CPython versions pyrometer supports.
// The frame layout lives in internal headers, visible only to core builds.
#define Py_BUILD_CORE 1
#include "pyrometer_cpython.h"
#include <internal/pycore_frame.h>

Py_ssize_t pyro_code_extra_index(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Eval_RequestCodeExtraIndex(NULL);
#else
    return _PyEval_RequestCodeExtraIndex(NULL);
#endif
}

void *pyro_code_get_extra(PyObject *code, Py_ssize_t index) {
    void *value = NULL;
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Code_GetExtra(code, index, &value) < 0) { PyErr_Clear(); return NULL; }
#else
    if (_PyCode_GetExtra(code, index, &value) < 0) { PyErr_Clear(); return NULL; }
#endif
    return value;
}

int pyro_code_set_extra(PyObject *code, Py_ssize_t index, void *value) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Code_SetExtra(code, index, value);
#else
    return _PyCode_SetExtra(code, index, value);
#endif
}

int pyro_has_monitoring(void) { return PY_VERSION_HEX >= 0x030C0000; }

#if PY_VERSION_HEX >= 0x030C0000
static pyro_code_created_fn code_created_callback;
static int on_code_event(PyCodeEvent event, PyCodeObject *code) {
    if (event == PY_CODE_EVENT_CREATE && code_created_callback) {
        // The watcher must not disturb an exception being handled around it.
        PyObject *pending = PyErr_GetRaisedException();
        code_created_callback((PyObject *)code);
        PyErr_Clear();
        PyErr_SetRaisedException(pending);
    }
    return 0;
}
#endif

int pyro_watch_code_creation(pyro_code_created_fn callback) {
#if PY_VERSION_HEX >= 0x030C0000
    code_created_callback = callback;
    return PyCode_AddWatcher(on_code_event);
#else
    (void)callback;
    return -1;
#endif
}

void pyro_unwatch_code_creation(int watcher) {
#if PY_VERSION_HEX >= 0x030C0000
    if (watcher >= 0) { PyCode_ClearWatcher(watcher); }
    code_created_callback = NULL;
#else
    (void)watcher;
#endif
}

pyro_frame_layout pyro_legacy_frame_layout(void) {
    pyro_frame_layout layout = {0, 0, 0, 0};
#if PY_VERSION_HEX < 0x030C0000
    layout.lineno = offsetof(PyFrameObject, f_lineno);
    layout.trace_lines = offsetof(PyFrameObject, f_trace_lines);
    layout.interp_frame = offsetof(PyFrameObject, f_frame);
    layout.frame_code = offsetof(_PyInterpreterFrame, f_code);
#endif
    return layout;
}

PyObject *pyro_take_exception(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    if (type == NULL) { return NULL; }
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value != NULL && traceback != NULL) { PyException_SetTraceback(value, traceback); }
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
#endif
}

void pyro_restore_exception(PyObject *exception) {
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exception);
#else
    PyObject *type = (PyObject *)Py_TYPE(exception);
    Py_INCREF(type);
    PyErr_Restore(type, exception, PyException_GetTraceback(exception));
#endif
}

// The innermost Python frame of the running thread, and the next outer one.
static _PyInterpreterFrame *innermost_frame(void) {
#if PY_VERSION_HEX >= 0x030D0000
    PyThreadState *tstate = PyThreadState_GetUnchecked();
    return tstate ? tstate->current_frame : NULL;
#else
    PyThreadState *tstate = _PyThreadState_UncheckedGet();
    return tstate && tstate->cframe ? tstate->cframe->current_frame : NULL;
#endif
}

static int frame_location(_PyInterpreterFrame *frame, PyObject **code, int *offset) {
#if PY_VERSION_HEX >= 0x030C0000
    if (frame->owner == FRAME_OWNED_BY_CSTACK) { return 0; }
#endif
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *executable = frame->f_executable;
    if (executable == NULL || !PyCode_Check(executable)) { return 0; }
    *code = executable;
    *offset = (int)(frame->instr_ptr - _PyCode_CODE((PyCodeObject *)executable));
#else
    *code = (PyObject *)frame->f_code;
    *offset = (int)(frame->prev_instr - _PyCode_CODE(frame->f_code));
#endif
    return 1;
}

int pyro_current_location(PyObject **code, int *offset) {
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL; frame = frame->previous) {
        if (frame_location(frame, code, offset)) { return 1; }
    }
    return 0;
}

int pyro_current_stack(PyObject **codes, int *offsets, int capacity) {
    int count = 0;
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL && count < capacity; frame = frame->previous) {
        if (frame_location(frame, &codes[count], &offsets[count])) { count++; }
    }
    return count;
}
