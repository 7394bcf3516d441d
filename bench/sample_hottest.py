"""Does `pyrometer sample` find the same hottest function and hottest line as
line_profiler, on programs it was not written for (pyperformance's benchmarks)?

line_profiler times every function of the benchmark's module (LineProfiler.
add_module, the profiler kernprof -l runs), in one run; `pyrometer sample`
samples another run of the same program. A line's time in line_profiler
includes the functions it calls, so the two are compared on what both measure
alike, the program's own time:
  - the lines compared are those that call no function of the program (found
    in the source's syntax tree: a call of a name that the module defines as a
    function, a method, or a class with an __init__): their time in
    line_profiler is their own;
  - pyrometer: each sample counts for the innermost frame that is in the
    benchmark's file, outside its module-level code (time in the interpreter's
    C functions and the standard library counts for the line of the program
    that called them), when that frame is on such a line;
  - a function's own time is the sum of its lines'.
The hottest function and line of each are printed side by side, with their
shares, and one AGREE or DISAGREE line per program.

    python bench/sample_hottest.py --pyrometer BINARY [--programs richards,raytrace]
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "programs" / "pyperformance_program.py"


def program_function_names(tree):
    """The module's functions and methods, and its classes that define an
    __init__ (calling the class runs it)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body):
            names.add(node.name)
    return names


# An operator runs the module's method when the module defines its special method.
OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
             ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul", ast.Eq: "eq", ast.NotEq: "ne",
             ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.USub: "neg", ast.Invert: "invert"}


def called_names(node):
    """The program names a node may run: a call's callee, an operator's special methods."""
    if isinstance(node, ast.Call):
        callee = node.func
        if isinstance(callee, ast.Name):
            return {callee.id}
        if isinstance(callee, ast.Attribute):
            return {callee.attr}
    if isinstance(node, (ast.BinOp, ast.AugAssign, ast.UnaryOp)):
        name = OPERATORS.get(type(node.op))
        return {f"__{name}__", f"__r{name}__", f"__i{name}__"} if name else set()
    if isinstance(node, ast.Compare):
        return {f"__{OPERATORS[type(op)]}__" for op in node.ops if type(op) in OPERATORS}
    if isinstance(node, ast.Subscript):
        return {"__getitem__", "__setitem__"}
    return set()


def lines_calling_the_program(source):
    """Line numbers holding a call of one of the module's own functions or
    methods (operators included)."""
    tree = ast.parse(source)
    names = program_function_names(tree)
    calling = set()
    for node in ast.walk(tree):
        if called_names(node) & names:
            calling.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return calling


def run(command):
    env = dict(os.environ)
    if sys.prefix != sys.base_prefix:  # this virtualenv active for pyrometer's embedded interpreter too
        env["VIRTUAL_ENV"] = sys.prefix
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=HERE / "programs", env=env)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{done.stderr[-2000:]}")
    return done


def line_profiler_own(name, out):
    from line_profiler import load_stats
    lprof = out / f"{name}.lprof"
    run([sys.executable, DRIVER, name, "--line-profile", lprof])
    stats = load_stats(str(lprof))
    functions, lines, source_file = {}, {}, None
    for (file, first_line, function), entries in stats.timings.items():
        if not file.endswith("run_benchmark.py"):
            continue
        source_file = file
        calling = lines_calling_the_program(Path(file).read_text())
        for line, _, time in entries:
            if line in calling:
                continue
            functions[(function, first_line)] = functions.get((function, first_line), 0) + time
            lines[(function, line)] = lines.get((function, line), 0) + time
    return functions, lines, source_file


def pyrometer_own(pyrometer, name, source_file, calling, out):
    path = out / f"{name}.json"
    run([pyrometer, "sample", "--rate", "2000", "-o", path, DRIVER, name])
    profile = json.loads(path.read_text())
    frames = profile["frames"]
    functions, lines = {}, {}
    for stack in profile["stacks"]:
        mine = [frames[i] for i in stack["frames"]
                if frames[i]["file"] == source_file and frames[i]["function"] != "<module>"]
        if not mine or mine[-1]["line"] in calling:
            continue
        frame = mine[-1]
        function = frame["function"]
        functions[(function, frame["firstLine"])] = functions.get((function, frame["firstLine"]), 0) + stack["samples"]
        lines[(function, frame["line"])] = lines.get((function, frame["line"]), 0) + stack["samples"]
    return functions, lines


def hottest(table):
    key = max(table, key=table.get)
    return key, table[key] / sum(table.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--programs", default="richards,raytrace,go")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}: hottest function and line by own time, line_profiler against pyrometer sample at 2 kHz")
    for name in args.programs.split(","):
        lp_functions, lp_lines, source_file = line_profiler_own(name, out)
        calling = lines_calling_the_program(Path(source_file).read_text())
        py_functions, py_lines = pyrometer_own(args.pyrometer, name, source_file, calling, out)
        (lp_function, _), lp_function_share = hottest(lp_functions)
        (py_function, _), py_function_share = hottest(py_functions)
        lp_line, lp_line_share = hottest(lp_lines)
        py_line, py_line_share = hottest(py_lines)
        print(f"{name:10} line_profiler: {lp_function} ({100 * lp_function_share:.0f}%), line {lp_line[1]} "
              f"in {lp_line[0]} ({100 * lp_line_share:.0f}%)")
        print(f"{'':10} pyrometer:     {py_function} ({100 * py_function_share:.0f}%), line {py_line[1]} "
              f"in {py_line[0]} ({100 * py_line_share:.0f}%)")
        same = lp_function == py_function and lp_line == py_line
        print(f"{'AGREE' if same else 'DISAGREE'} {version} {name} function={py_function} line={py_line[1]}")


if __name__ == "__main__":
    main()
