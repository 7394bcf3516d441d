// Private to the CPython target: the core-build view of the interpreter that the
// version boundary (frames.c, objects.c, code.c) reads. Internal headers are
// visible only with Py_BUILD_CORE, which must be set before Python.h.
#ifndef PYROMETER_BOUNDARY_H
#define PYROMETER_BOUNDARY_H

#define Py_BUILD_CORE 1
#include "pyrometer_cpython.h"

#endif
