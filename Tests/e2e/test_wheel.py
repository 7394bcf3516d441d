"""The wheel: `pip wheel .` builds one wheel holding `_pyrometer` and the
`pyrometer` package; installed into a fresh virtualenv it runs with no Swift
toolchain visible, as the `pyrometer` console script, as `python -m pyrometer`,
and from `import pyrometer`. Built once per Python (PYROMETER_WHEEL_DIR, made by
scripts/test) or here, into a temporary folder."""
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, line_of, python_version

EXAMPLE = ROOT / "examples" / "primes.py"


def without_toolchain():
    """An environment with no Swift on PATH and no LD_LIBRARY_PATH."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("LD_LIBRARY_PATH", "PYROMETER_NATIVE", "PYTHONPATH", "VIRTUAL_ENV", "PYROMETER_BIN")}
    env["PATH"] = "/usr/bin:/bin"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    given = os.environ.get("PYROMETER_WHEEL_DIR")
    folder = Path(given) if given else tmp_path_factory.mktemp("wheel")
    tag = "cp" + python_version().replace(".", "")
    found = sorted(folder.glob(f"pyrometer-*-{tag}-{tag}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(folder)],
                       check=True, timeout=1800)
        found = sorted(folder.glob(f"pyrometer-*-{tag}-{tag}-*.whl"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh virtualenv with the wheel installed."""
    home = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(home)
    subprocess.run([home / "bin" / "python", "-m", "pip", "install", "-q", "--no-index", str(wheel)],
                   check=True, timeout=600, env=without_toolchain())
    return home


def test_the_wheel_holds_the_engine_and_the_package(wheel):
    """One extension module, the package, a console script; at most 10 MB."""
    names = zipfile.ZipFile(wheel).namelist()
    assert [name for name in names if name.endswith(".so")] == [
        f"_pyrometer.cpython-{python_version().replace('.', '')}-x86_64-linux-gnu.so"]
    assert "pyrometer/__init__.py" in names and "pyrometer/ipython.py" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    entries = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "pyrometer = pyrometer.__main__:main" in entries
    assert "[pytest11]\npyrometer = pyrometer_pytest" in entries and "pyrometer_pytest.py" in names
    assert wheel.stat().st_size <= 10 * 1024 * 1024


def test_console_script_times_the_example(installed, tmp_path):
    """`pyrometer lines examples/primes.py` from the virtualenv, no toolchain on
    PATH: the seed's table with its known hits (the while line 5 times)."""
    proc = subprocess.run([installed / "bin" / "pyrometer", "lines", EXAMPLE], capture_output=True, text=True,
                          env=without_toolchain(), cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Timer unit: 1e-06 s\n")
    rows = {int(line.split()[0]): line.split() for line in proc.stdout.splitlines()
            if line.strip() and line.split()[0].isdigit()}
    assert rows[13][1] == "5"  # while m <= mroot:
    assert "Function: primes at line 2" in proc.stdout


def test_python_m_and_import(installed, tmp_path):
    """`python -m pyrometer memory` and `import pyrometer` in the virtualenv use the
    installed engine (one Swift runtime, statically linked in it)."""
    python = installed / "bin" / "python"
    proc = subprocess.run([python, "-m", "pyrometer", "memory", "-f", "primes", EXAMPLE], capture_output=True,
                          text=True, env=without_toolchain(), cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Line #    Mem usage    Increment  Occurrences   Line Contents" in proc.stdout
    check = subprocess.run([python, "-c", "import pyrometer, _pyrometer, sys; print(_pyrometer.__file__); "
                            "print(pyrometer.timeit('1+1', number=1000).loops)"],
                           capture_output=True, text=True, env=without_toolchain(), cwd=tmp_path, timeout=120)
    assert check.returncode == 0, check.stderr
    location, loops = check.stdout.split()
    assert location.startswith(str(installed)) and loops == "1000"
    maps = subprocess.run([python, "-c", "import _pyrometer; print(open('/proc/self/maps').read())"],
                          capture_output=True, text=True, env=without_toolchain(), timeout=120).stdout
    assert "libswiftCore" not in maps  # the runtime is inside _pyrometer, once


def test_the_pytest_plugin_loads_from_its_entry_point(installed, tmp_path):
    """pytest in the virtualenv finds the plugin through the wheel's `pytest11`
    entry point (no -p): `--pyrometer` lists the test that allocated 4 MiB. pytest
    itself comes from the tests' own virtualenv, put on the path by a .pth file."""
    import sysconfig
    python = installed / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, env=without_toolchain(), timeout=60).stdout.strip()
    (Path(site) / "zz_test_tools.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (tmp_path / "test_alloc.py").write_text("def test_block():\n    block = bytearray(4 * 1024 * 1024)\n    assert block\n")
    proc = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyrometer", "test_alloc.py"],
                          capture_output=True, text=True, env=without_toolchain(), cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pyrometer: tests that allocated most" in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if "test_alloc.py::test_block" in line)
    assert row.split()[:2] == ["4.0", "MiB"] and "(test_alloc.py:2 (test_block))" in row
